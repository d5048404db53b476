//! `decl amend support|oppose|withdraw|cosponsor|accept|reject`: one action on an amendment.

use super::TextArgs;
use crate::actions::{Action, perform};
use crate::cli::{CommandError, Context, Ui};
use crate::model::{Act, AmendmentId};

/// The amendment acted on
#[derive(Debug, clap::Args)]
pub struct IdArgs {
    /// The amendment, e.g. TUR-3
    pub id: AmendmentId,
}

/// The amendment acted on, and why
#[derive(Debug, clap::Args)]
pub struct ReasonArgs {
    /// The amendment, e.g. TUR-3
    pub id: AmendmentId,
    /// Why, recorded with the action
    #[arg(long)]
    pub reason: Option<String>,
}

/// Accept an amendment (chair or secretariat); with --text, accept it as modified
#[derive(Debug, clap::Args)]
pub struct AcceptArgs {
    /// The amendment, e.g. TUR-3
    pub id: AmendmentId,
    #[command(flatten)]
    pub text: TextArgs,
}

pub fn run(id: AmendmentId, act: Act, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    perform_and_report(Action::Act { id, act }, context, ui)
}

pub fn perform_and_report(
    action: Action,
    context: &Context,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let actor = context.actor()?;
    let outcome = perform(&repo, &actor, context.now(), action)?;
    ui.line(&outcome.summary)?;
    if !outcome.competing.is_empty() {
        let ids: Vec<String> = outcome.competing.iter().map(|id| id.to_string()).collect();
        ui.line(&format!(
            "note: {} also amend{} this clause and still need{} a decision",
            ids.join(", "),
            if ids.len() == 1 { "s" } else { "" },
            if ids.len() == 1 { "s" } else { "" }
        ))?;
    }
    Ok(())
}
