//! `decl show`: the numbered text as a reader sees it, at any revision.

use super::{CommandError, Context, Ui, at};
use crate::model::ClauseId;
use crate::model::suggest::did_you_mean;
use crate::render::text::declaration_text;

/// Show the numbered text of the declaration or of one clause
///
/// Reads the working tree, or with --rev any tag or commit straight from git (no checkout).
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Only this clause (its id, e.g. op-border-data)
    pub clause: Option<ClauseId>,
    /// The revision to show (e.g. zero-draft, rev1, adopted, a commit)
    #[arg(long)]
    pub rev: Option<String>,
}

pub fn run(args: ShowArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let declaration = repo.load(&at(&args.rev))?;
    if let Some(id) = &args.clause
        && !declaration.clauses.contains_key(id)
    {
        return Err(CommandError::user(format!(
            "unknown clause {id}{}",
            did_you_mean(id.as_str(), declaration.clauses.keys().map(|k| k.as_str()))
        )));
    }
    ui.write(&declaration_text(
        &declaration,
        args.clause.as_ref(),
        ui.text_style(),
    ))?;
    Ok(())
}
