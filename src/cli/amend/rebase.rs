//! `decl amend rebase`: carry a stale amendment onto the current text of its clause, and show
//! what it now proposes. The merge and its refusals are `actions`' (through `model::merge`).

use crate::actions::{Action, perform};
use crate::cli::{CommandError, Context, Ui};
use crate::model::AmendmentId;

pub fn run(id: AmendmentId, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let actor = context.actor()?;
    let outcome = perform(
        &repo,
        &actor,
        context.now(),
        Action::Rebase { id: id.clone() },
    )?;
    ui.line(&outcome.summary)?;
    // The delegate sees what the merge made of the amendment, as after a proposal.
    super::print_redline(&repo, &outcome.commit, &id, ui)
}
