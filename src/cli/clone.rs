//! `decl clone`: a delegation's own copy of the committee's repository.

use std::path::PathBuf;

use super::{CommandError, Context, Ui};
use crate::store::DeclRepo;

/// Copy a declaration repository from its shared remote
///
/// URL is a path or `file://` URL of a bare repository (or a forge's URL where decl is built
/// with ssh/https support). The clone tracks the remote's branch: `decl sync` exchanges
/// commits with it, and `decl status` says how far the two have drifted.
#[derive(Debug, clap::Args)]
pub struct CloneArgs {
    /// Where the repository lives
    pub url: String,
    /// The folder to create (missing or empty)
    pub dir: PathBuf,
}

pub fn run(args: CloneArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let target = context.resolve_path(&args.dir);
    // A relative path is relative to where decl runs (`-C`), as the folder is.
    let url = if !args.url.contains("://") && !args.url.contains('@') {
        context
            .resolve_path(std::path::Path::new(&args.url))
            .display()
            .to_string()
    } else {
        args.url.clone()
    };
    let existed = target.exists();
    let result = DeclRepo::clone_from(&url, &target);
    if let Err(error) = result {
        if !existed {
            // A failed clone leaves no half-made folder behind.
            let _ = std::fs::remove_dir_all(&target);
        }
        return Err(error.into());
    }
    ui.line(&format!("Cloned {} into {}", args.url, target.display()))?;
    ui.line("Next: act with decl --as CODE, and exchange commits with `decl sync --as CODE`.")?;
    Ok(())
}
