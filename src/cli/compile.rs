//! `decl compile`: the compilation text the chair works from.

use std::path::PathBuf;

use super::output::{Document, deliver};
use super::{CommandError, Context, Ui};

/// Show the current draft with every pending amendment under its clause
///
/// Each tabled or accepted amendment is shown as a redline against the current wording, with
/// who proposed, co-sponsored, supported and opposed it; bracketed text is highlighted and
/// competing amendments stand side by side.
#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// Compile at this revision instead of the working tree
    #[arg(long)]
    pub rev: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = CompileFormat::Term)]
    pub format: CompileFormat,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompileFormat {
    /// Colours on a terminal, CriticMarkup {--deleted--}{++inserted++} otherwise
    Term,
    /// Markdown with <ins> and <del>
    Md,
    /// A self-contained, printable HTML page
    Html,
}

pub fn run(args: CompileArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let view = crate::views::compilation(&repo, args.rev.as_deref())?;
    let content = match args.format {
        CompileFormat::Term => view.terminal(ui.color() && args.output.is_none(), ui.width()),
        CompileFormat::Md => view.markdown(),
        CompileFormat::Html => view
            .html(repo.template_override("compile.html")?.as_deref())
            .map_err(|e| CommandError::user(e.to_string()))?,
    };
    let document = match args.format {
        CompileFormat::Term => Document::Text(content),
        _ => Document::Data(content),
    };
    deliver(document, args.output.as_deref(), context, ui)
}
