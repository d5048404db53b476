//! `decl blame`: for each span of a clause's current wording, the change that put it there.

use super::{CommandError, Context, Ui};
use crate::model::ClauseId;

/// Show which amendment and delegation put each part of a clause's wording there
#[derive(Debug, clap::Args)]
pub struct BlameArgs {
    /// The clause, e.g. op-border-data
    pub clause: ClauseId,
}

pub fn run(args: BlameArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let spans = crate::views::clause_blame(&repo, &args.clause)?;
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
