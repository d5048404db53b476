//! `decl revision cut|list`: the revisions of the text (zero draft, Rev.1, ..., adopted).

use super::{CommandError, Context, Ui};
use crate::actions::{Action, Adoption, perform};
use crate::render::table::table;

#[derive(Debug, clap::Subcommand)]
pub enum RevisionCommand {
    Cut(CutArgs),
    List(ListArgs),
}

/// Apply every accepted amendment and tag the result as a new revision
///
/// Only the chair or the secretariat may cut a revision. Refuses, listing them, when accepted
/// amendments conflict.
#[derive(Debug, clap::Args)]
pub struct CutArgs {
    /// The revision's tag, e.g. rev1, rev2, adopted
    pub name: String,
    /// How the revision is called in documents, e.g. "Rev.1" (default: the name)
    #[arg(long)]
    pub label: Option<String>,
    /// This is the adopted text: refused while anything stands in the way of a final export
    /// (a clause not agreed, square brackets, a tabled amendment); afterwards no amendment can
    /// be proposed or accepted and no revision cut
    #[arg(long = "final")]
    pub final_text: bool,
    /// With --final: adopt the text as it stands, whatever is unsettled
    #[arg(long, requires = "final_text")]
    pub force: bool,
}

/// List the revisions, oldest first
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

pub fn run(command: RevisionCommand, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    match command {
        RevisionCommand::Cut(args) => {
            let repo = context.repo()?;
            let actor = context.actor()?;
            let outcome = perform(
                &repo,
                &actor,
                context.now(),
                Action::Cut {
                    name: args.name,
                    label: args.label,
                    adoption: match (args.final_text, args.force) {
                        (false, _) => Adoption::None,
                        (true, false) => Adoption::Final,
                        (true, true) => Adoption::FinalForced,
                    },
                },
            )?;
            ui.line(&outcome.summary)?;
        }
        RevisionCommand::List(_) => {
            let repo = context.repo()?;
            let rows: Vec<Vec<String>> = repo
                .revisions()?
                .into_iter()
                .map(|tag| {
                    vec![
                        tag.name,
                        tag.label,
                        tag.time.format("%Y-%m-%d %H:%M").to_string(),
                        tag.tagger,
                        tag.commit[..10].to_owned(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                ui.line("No revisions yet.")?;
            } else {
                ui.write(&table(&["NAME", "LABEL", "DATE", "BY", "COMMIT"], &rows))?;
            }
        }
    }
    Ok(())
}
