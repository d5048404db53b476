//! `decl clause mark`: the chair records how far clauses have come (agreed ad ref, agreed).

use super::{CommandError, Context, Ui};
use crate::actions::{Action, perform};
use crate::model::{ClauseId, ClauseStatus};

#[derive(Debug, clap::Subcommand)]
pub enum ClauseCommand {
    Mark(MarkArgs),
}

/// Set the status of clauses (chair or secretariat)
///
/// A clause that still holds square-bracketed text cannot be marked agreed.
#[derive(Debug, clap::Args)]
pub struct MarkArgs {
    /// draft, bracketed, agreed-ad-ref or agreed
    pub status: ClauseStatus,
    /// The clauses
    #[arg(required = true)]
    pub clauses: Vec<ClauseId>,
}

pub fn run(command: ClauseCommand, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    match command {
        ClauseCommand::Mark(args) => {
            let repo = context.repo()?;
            let actor = context.actor()?;
            let outcome = perform(
                &repo,
                &actor,
                context.now(),
                Action::Mark {
                    status: args.status,
                    clauses: args.clauses,
                },
            )?;
            ui.line(&outcome.summary)?;
        }
    }
    Ok(())
}
