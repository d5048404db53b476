//! `decl amend support|oppose|cosponsor|retract|withdraw|accept|reject|reopen`: one action on an
//! amendment.

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
///
/// Accepting checks that the next revision cut can apply the amendment beside every one
/// already accepted; if it cannot (both change the same words, one inserts next to a clause
/// the other deletes, its words are no longer in the text), nothing is recorded and decl says
/// which amendments collide.
///
/// As modified, --text (or --text-file) is the whole paragraph as it will read: its text on
/// the first line, then one line per sub-paragraph, as `decl show` prints it. For an insertion
/// it is the new paragraph. decl works out which words of the current text it replaces, so a
/// chair's modification of a span amendment may reach beyond the proposed span.
#[derive(Debug, clap::Args)]
pub struct AcceptArgs {
    /// The amendment, e.g. TUR-3
    pub id: AmendmentId,
    /// The whole paragraph as modified by the chair (its text, then one line per sub-paragraph)
    #[arg(long, conflicts_with = "text_file")]
    pub text: Option<String>,
    /// Read the modified paragraph from a file ("-" for standard input)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<std::path::PathBuf>,
}

impl AcceptArgs {
    pub fn paragraph(&self) -> Result<Option<String>, CommandError> {
        TextArgs {
            text: self.text.clone(),
            text_file: self.text_file.clone(),
        }
        .read()
    }
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
