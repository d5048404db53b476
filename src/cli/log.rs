//! `decl log`: a clause's history, change by change.

use super::{CommandError, Context, Ui};
use crate::model::suggest::did_you_mean;
use crate::model::{Amendment, ClauseId, DelegationCode};
use crate::redline::document::{clause_credits, sort_as_applied};
use crate::redline::{RedlineOptions, redline};
use crate::render::emphasis::credited_runs;
use crate::render::redline_doc::{RedlineView, credit_views, split_lines};
use crate::store::At;

/// Show the history of a clause: each change, the amendment and delegation behind it
///
/// Reads only the commits that touched the clause's file, newest first, with the word-level
/// change each made.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// The clause, e.g. op-border-data
    pub clause: ClauseId,
}

pub fn run(args: LogArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let history = repo.clause_history(&args.clause)?;
    if history.is_empty() {
        let declaration = repo.load(&At::WorkTree)?;
        return Err(CommandError::user(format!(
            "clause {} has no history{}",
            args.clause,
            did_you_mean(
                args.clause.as_str(),
                declaration.clauses.keys().map(|k| k.as_str())
            )
        )));
    }
    // Only what the entries name: a large negotiation has thousands of other amendments.
    let amendments = repo.load_amendments_by_id(
        &At::WorkTree,
        history.iter().flat_map(|entry| &entry.amendments),
    )?;
    let declaration = repo.load_with(&At::WorkTree, &Default::default())?;
    for (idx, entry) in history.iter().enumerate() {
        let older = history.get(idx + 1).and_then(|e| e.clause.as_ref());
        let mut header = format!(
            "{} {}  {}",
            &entry.commit[..10],
            entry.time.format("%Y-%m-%d %H:%M %:z"),
            entry.author
        );
        if !entry.revisions.is_empty() {
            header.push_str(&format!("  [{}]", entry.revisions.join(", ")));
        }
        ui.line(&header)?;
        ui.line(&format!("    {}", entry.summary))?;
        let mut applied: Vec<&Amendment> = Vec::new();
        for id in &entry.amendments {
            if let Some(amendment) = amendments.iter().find(|a| &a.id == id) {
                let proposer = declaration
                    .delegation(&amendment.proposer)
                    .map_or(amendment.proposer.as_str(), |d| d.name.as_str());
                let mut line = format!("    {id} by {proposer}, {}", amendment.status);
                if amendment.modified_by_chair()
                    && let Some(decision) = amendment.decision()
                {
                    line.push_str(&format!(
                        " as modified by the Chair ({}): the modified words are the Chair's",
                        decision.by
                    ));
                }
                ui.line(&line)?;
                applied.push(amendment);
            }
        }
        sort_as_applied(&mut applied);
        let change = match (older, &entry.clause) {
            (Some(old), Some(new)) if old.wording() != new.wording() => Some(redline(
                &old.wording(),
                &new.wording(),
                &RedlineOptions::default(),
            )),
            (Some(old), Some(new)) if old.status != new.status => {
                ui.line(&format!("    status: {} -> {}", old.status, new.status))?;
                None
            }
            (None, Some(new)) => Some(redline("", &new.wording(), &RedlineOptions::default())),
            (Some(old), None) => Some(redline(&old.wording(), "", &RedlineOptions::default())),
            _ => None,
        };
        if let Some(change) = change {
            // Credited change by change when several hands made it (two amendments, or a
            // proposal and the chair's modification of it).
            let name_of = |code: &DelegationCode| {
                declaration
                    .delegation(code)
                    .map_or_else(|| code.to_string(), |d| d.name.clone())
            };
            let (attribution, credits) =
                clause_credits(&change.old_text(), &change.new_text(), &applied, &name_of);
            let views = credit_views(&attribution);
            let runs = credited_runs(&change.segments, &credits);
            for line in split_lines(runs) {
                let text = RedlineView::credited_line_text(&line, ui.color(), &views);
                ui.line(&format!("    {text}"))?;
            }
        }
        ui.line("")?;
    }
    Ok(())
}
