//! `decl log`: a clause's history, change by change.

use super::{CommandError, Context, Ui};
use crate::model::ClauseId;
use crate::model::suggest::did_you_mean;
use crate::redline::{RedlineOptions, redline};
use crate::render::redline_text::redline_text;
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
        for id in &entry.amendments {
            if let Some(amendment) = amendments.iter().find(|a| &a.id == id) {
                let proposer = declaration
                    .delegation(&amendment.proposer)
                    .map_or(amendment.proposer.as_str(), |d| d.name.as_str());
                ui.line(&format!("    {id} by {proposer}, {}", amendment.status))?;
            }
        }
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
            for line in redline_text(&change, ui.color()).lines() {
                ui.line(&format!("    {line}"))?;
            }
        }
        ui.line("")?;
    }
    Ok(())
}
