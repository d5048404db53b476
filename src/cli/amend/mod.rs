//! `decl amend ...`: propose amendments, act on them, list and show them.

mod act;
mod list;
mod propose;
mod rebase;
mod show;

use super::{CommandError, Context, Ui};
use std::collections::HashMap;

use crate::model::{Amendment, AmendmentId, ClauseId, ParagraphNumber, Part, Position};
use crate::redline::{RedlineOptions, redline};
use crate::render::redline_text::redline_text;
use crate::store::{At, DeclRepo};

// Parsed once per run: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum AmendCommand {
    Propose(propose::ProposeArgs),
    /// Support a tabled amendment on behalf of your delegation
    Support(act::IdArgs),
    /// Oppose a tabled amendment, optionally saying why
    Oppose(act::ReasonArgs),
    /// Withdraw your own tabled amendment
    Withdraw(act::IdArgs),
    /// Join a tabled amendment as a co-sponsor
    Cosponsor(act::IdArgs),
    /// Take back your delegation's support, opposition or co-sponsorship of a tabled amendment
    ///
    /// A delegation holds one position on an amendment. After consultations it may retract it
    /// (for example to join consensus), and then support or oppose again.
    Retract(act::IdArgs),
    Accept(act::AcceptArgs),
    /// Reject a tabled amendment (chair or secretariat), optionally saying why
    Reject(act::ReasonArgs),
    /// Return an accepted or rejected amendment to the table (chair or secretariat)
    ///
    /// Only before a revision applies it. The reason is kept in the amendment's record; the
    /// amendment can then be decided again: accepted, accepted as modified, or rejected.
    Reopen(act::ReasonArgs),
    /// Carry a stale amendment onto the current text of its clause (three-way, word by word)
    ///
    /// Prints the amendment's redline against the current text. The amendment's edits and the
    /// revision's must be apart, with a word neither changed between them; where they change
    /// the same or neighbouring words, or insert at the same place, nothing is recorded and
    /// the proposer withdraws the amendment and proposes it again.
    Rebase(act::IdArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
}

pub fn run(command: AmendCommand, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    use crate::model::Act;
    match command {
        AmendCommand::Propose(args) => propose::run(args, context, ui),
        AmendCommand::Support(args) => act::run(args.id, Act::Support, context, ui),
        AmendCommand::Oppose(args) => act::run(
            args.id,
            Act::Oppose {
                reason: args.reason,
            },
            context,
            ui,
        ),
        AmendCommand::Withdraw(args) => act::run(args.id, Act::Withdraw, context, ui),
        AmendCommand::Cosponsor(args) => act::run(args.id, Act::Cosponsor, context, ui),
        AmendCommand::Retract(args) => act::run(args.id, Act::Retract, context, ui),
        AmendCommand::Accept(args) => match args.paragraph()? {
            Some(paragraph) => act::perform_and_report(
                crate::actions::Action::AcceptAsModified {
                    id: args.id,
                    paragraph,
                },
                context,
                ui,
            ),
            None => act::run(args.id, Act::Accept { modified: None }, context, ui),
        },
        AmendCommand::Reopen(args) => act::run(
            args.id,
            Act::Reopen {
                reason: args.reason,
            },
            context,
            ui,
        ),
        AmendCommand::Reject(args) => act::run(
            args.id,
            Act::Reject {
                reason: args.reason,
            },
            context,
            ui,
        ),
        AmendCommand::Rebase(args) => rebase::run(args.id, context, ui),
        AmendCommand::List(args) => list::run(args, context, ui),
        AmendCommand::Show(args) => show::run(args, context, ui),
    }
}

/// Prints, after a blank line, the redline of amendment `id` against the text of its clause,
/// both as of `commit`.
fn print_redline(
    repo: &DeclRepo,
    commit: &str,
    id: &AmendmentId,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    // Read back from the commit just made: an unrelated file the user is editing in the work
    // tree may not parse, and the action is made whatever it holds.
    let committed = At::Rev(commit.to_owned());
    if let Some(amendment) = repo.load_amendment(&committed, id)?
        && let Some((old, new)) =
            amendment.wordings(&repo.load_with(&committed, &[amendment.clause().clone()].into())?)
    {
        ui.line("")?;
        ui.line(&redline_text(
            &redline(&old, &new, &RedlineOptions::default()),
            ui.color(),
        ))?;
    }
    Ok(())
}

/// Where an amendment sits in the document, for listing in reading order: the clause it
/// targets (or, for an insertion, its anchor), then its id.
fn document_order_key(
    numbers: &HashMap<&ClauseId, ParagraphNumber>,
    amendment: &Amendment,
) -> (u8, usize, u8) {
    let place = |id| {
        numbers
            .get(id)
            .map(|n| (if n.part == Part::Preamble { 0 } else { 1 }, n.number))
    };
    let (part, number, nudge) = match (&amendment.change, amendment.change.target()) {
        (_, Some(target)) => place(target).map_or((2, 0, 1), |(p, n)| (p, n, 1)),
        (crate::model::Change::Insert { position, .. }, None) => match position {
            Position::After(anchor) => place(anchor).map_or((2, 0, 2), |(p, n)| (p, n, 2)),
            Position::Before(anchor) => place(anchor).map_or((2, 0, 0), |(p, n)| (p, n, 0)),
            Position::End(Part::Preamble) => (0, usize::MAX, 0),
            Position::End(Part::Operative) => (1, usize::MAX, 0),
        },
        _ => (2, 0, 0),
    };
    (part, number, nudge)
}

/// Wording given on the command line: inline, from a file, or (when neither) not at all.
#[derive(Debug, clap::Args)]
pub struct TextArgs {
    /// The wording
    #[arg(long, conflicts_with = "text_file")]
    pub text: Option<String>,
    /// Read the wording from a file ("-" for standard input)
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<std::path::PathBuf>,
}

impl TextArgs {
    pub fn read(&self) -> Result<Option<String>, CommandError> {
        if let Some(text) = &self.text {
            return Ok(Some(text.clone()));
        }
        let Some(path) = &self.text_file else {
            return Ok(None);
        };
        let text = if path.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(path)
        }
        .map_err(|e| CommandError::user(format!("cannot read {}: {e}", path.display())))?;
        Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()))
    }
}
