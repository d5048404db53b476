//! `decl blame`: for each span of a clause's current wording, the change that put it there.

use super::{CommandError, Context, Ui};
use crate::model::ClauseId;
use crate::model::blame::blame;
use crate::model::suggest::did_you_mean;
use crate::store::At;

/// Show which amendment and delegation put each part of a clause's wording there
#[derive(Debug, clap::Args)]
pub struct BlameArgs {
    /// The clause, e.g. op-border-data
    pub clause: ClauseId,
}

pub fn run(args: BlameArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let history = repo.clause_history(&args.clause)?;
    if history.first().is_none_or(|latest| latest.clause.is_none()) {
        let declaration = repo.load(&At::WorkTree)?;
        return Err(CommandError::user(format!(
            "clause {} does not exist at HEAD{}",
            args.clause,
            did_you_mean(
                args.clause.as_str(),
                declaration.clauses.keys().map(|k| k.as_str())
            )
        )));
    }
    let amendments = repo.load_amendments_by_id(
        &At::WorkTree,
        history.iter().flat_map(|entry| &entry.amendments),
    )?;
    // Oldest first, and only since the clause last came into existence.
    let mut versions = Vec::new();
    for entry in history.iter() {
        let Some(clause) = &entry.clause else { break };
        let origin = if entry.amendments.is_empty() {
            format!(
                "{} ({})",
                entry.author,
                entry
                    .revisions
                    .first()
                    .cloned()
                    .unwrap_or_else(|| entry.commit[..10].to_owned())
            )
        } else {
            let ids: Vec<String> = entry
                .amendments
                .iter()
                .map(|id| match amendments.iter().find(|a| &a.id == id) {
                    Some(a) => format!("{id} {}", a.proposer),
                    None => id.to_string(),
                })
                .collect();
            format!(
                "{} in {}",
                ids.join(", "),
                entry.revisions.first().cloned().unwrap_or_default()
            )
        };
        versions.push((clause.wording(), origin));
    }
    versions.reverse();
    let spans = blame(&versions);
    let width = spans
        .iter()
        .map(|s| s.origin.chars().count())
        .max()
        .unwrap_or(0);
    for span in spans {
        let mut lines = span.text.split('\n');
        if let Some(first) = lines.next() {
            ui.line(&format!("{:<width$} | {}", span.origin, first.trim()))?;
        }
        for line in lines {
            ui.line(&format!("{:<width$} | {}", "", line.trim()))?;
        }
    }
    Ok(())
}
