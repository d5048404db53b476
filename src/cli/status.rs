//! `decl status`: where the negotiation stands.

use std::collections::BTreeMap;

use super::{CommandError, Context, Ui};
use crate::model::ClauseKind;
use crate::render::inline::plain_text;
use crate::store::At;

/// Show the revision, clause counts by status, bracketed text and open amendments
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

pub fn run(_args: StatusArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let declaration = repo.load(&At::WorkTree)?;
    let meta = &declaration.meta;
    ui.line(&format!("{} ({})", meta.short_title, meta.symbol))?;
    match repo.current_revision()? {
        Some((tag, 0)) => ui.line(&format!(
            "Revision: {} ({}), no commits since",
            tag.label, tag.name
        ))?,
        Some((tag, since)) => ui.line(&format!(
            "Revision: {} ({}), {since} commit{} since",
            tag.label,
            tag.name,
            if since == 1 { "" } else { "s" }
        ))?,
        None => ui.line("Revision: none cut yet")?,
    }
    if let Some(upstream) = repo.upstream()? {
        let drift = match (upstream.ahead, upstream.behind) {
            (0, 0) => "up to date".to_owned(),
            (ahead, 0) => format!("{ahead} commit{} to push", plural(ahead)),
            (0, behind) => format!("{behind} commit{} to take", plural(behind)),
            (ahead, behind) => format!("{ahead} commit{} to push, {behind} to take", plural(ahead)),
        };
        ui.line(&format!(
            "Remote: {}, {drift} (as of the last sync; `decl sync` exchanges them)",
            upstream.name
        ))?;
    }
    let dirty = repo.uncommitted_changes()?;
    if !dirty.is_empty() {
        ui.line(&format!("Uncommitted changes: {}", dirty.join(", ")))?;
    }

    let count_kind = |kind| {
        declaration
            .clauses
            .values()
            .filter(|c| c.kind == kind)
            .count()
    };
    ui.line(&format!(
        "\nClauses: {} preambular, {} operative",
        count_kind(ClauseKind::Preambular),
        count_kind(ClauseKind::Operative)
    ))?;
    let mut by_status: BTreeMap<_, usize> = BTreeMap::new();
    for clause in declaration.clauses.values() {
        *by_status.entry(clause.status).or_default() += 1;
    }
    for (status, count) in &by_status {
        ui.line(&format!("  {status:<14} {count}"))?;
    }

    let mut bracket_lines = Vec::new();
    let mut bracket_count = 0;
    for (number, _id, clause) in declaration.numbered() {
        let wording = clause.wording();
        for span in clause.brackets().unwrap_or_default() {
            bracket_count += 1;
            bracket_lines.push(format!(
                "  {number:<6} {}",
                plain_text(&wording[span.start..span.end])
            ));
        }
    }
    ui.line(&format!(
        "\nBracketed text: {bracket_count} span{}",
        if bracket_count == 1 { "" } else { "s" }
    ))?;
    for line in bracket_lines {
        ui.line(&line)?;
    }

    let amendments = repo.load_amendments(&At::WorkTree)?;
    let mut by_amendment_status: BTreeMap<_, usize> = BTreeMap::new();
    for amendment in &amendments {
        *by_amendment_status.entry(amendment.status).or_default() += 1;
    }
    let summary: Vec<String> = by_amendment_status
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    ui.line(&format!(
        "\nAmendments: {}{}",
        amendments.len(),
        if summary.is_empty() {
            String::new()
        } else {
            format!(" ({})", summary.join(", "))
        }
    ))?;
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
