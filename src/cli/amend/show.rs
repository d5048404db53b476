//! `decl amend show`: one amendment, its record, and its redline against the current text.

use crate::cli::{CommandError, Context, Ui};
use crate::model::suggest::did_you_mean;
use crate::model::{AmendmentId, RecordAction, Staleness};
use crate::redline::{RedlineOptions, redline};
use crate::render::redline_text::redline_text;
use crate::store::At;

/// Show an amendment, its record and its redline against the current text
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The amendment, e.g. TUR-3
    pub id: AmendmentId,
}

pub fn run(args: ShowArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let declaration = repo.load(&At::WorkTree)?;
    let Some(amendment) = repo.load_amendment(&At::WorkTree, &args.id)? else {
        let ids: Vec<String> = repo
            .amendment_ids(&At::WorkTree)?
            .iter()
            .map(|id| id.to_string())
            .collect();
        return Err(CommandError::user(format!(
            "unknown amendment {}{}",
            args.id,
            did_you_mean(&args.id.to_string(), ids.iter().map(String::as_str))
        )));
    };
    let name = |code: &crate::model::DelegationCode| {
        declaration
            .delegation(code)
            .map_or_else(|| code.to_string(), |d| format!("{} ({code})", d.name))
    };
    ui.line(&format!(
        "{}: {}",
        amendment.id,
        amendment.describe(&declaration)
    ))?;
    ui.line(&format!("Status:      {}", amendment.status))?;
    ui.line(&format!("Proposed by: {}", name(&amendment.proposer)))?;
    if !amendment.cosponsors.is_empty() {
        let names: Vec<String> = amendment.cosponsors.iter().map(name).collect();
        ui.line(&format!("Co-sponsors: {}", names.join(", ")))?;
    }
    if !amendment.invited.is_empty() {
        let names: Vec<String> = amendment.invited.iter().map(name).collect();
        ui.line(&format!(
            "Invited to co-sponsor (not yet joined): {}",
            names.join(", ")
        ))?;
    }
    if let Some(justification) = &amendment.justification {
        ui.line(&format!("Justification: {justification}"))?;
    }
    if amendment.is_pending() {
        match amendment.staleness(&declaration) {
            Some(Staleness::Changed) => ui.line(&format!(
                "Stale: the clause has changed since {} was drafted (at commit {}); check the redline below",
                amendment.id,
                &amendment.base.commit[..amendment.base.commit.len().min(10)]
            ))?,
            Some(gone) => ui.line(&format!(
                "Stale: {gone}; {}",
                gone.way_out(&amendment.id, &amendment.proposer)
            ))?,
            None => {}
        }
    }
    let competing: Vec<String> = repo
        .load_amendments(&At::WorkTree)?
        .into_iter()
        .filter(|other| {
            other.id != amendment.id && other.is_pending() && other.clause() == amendment.clause()
        })
        .map(|other| format!("{} ({})", other.id, other.status))
        .collect();
    if !competing.is_empty() {
        ui.line(&format!("Competing:   {}", competing.join(", ")))?;
    }

    ui.line("\nRecord:")?;
    for entry in &amendment.record {
        let mut line = format!(
            "  {}  {:<9} {}",
            entry.at.format("%Y-%m-%d %H:%M"),
            entry.action,
            name(&entry.by)
        );
        if let Some(reason) = &entry.reason {
            line.push_str(&format!(": {reason}"));
        }
        if entry.action == RecordAction::Accept && entry.text.is_some() {
            line.push_str(" (as modified)");
        }
        if let Some(revision) = &entry.revision {
            line.push_str(&format!(" in {revision}"));
        }
        ui.line(&line)?;
    }

    ui.line("")?;
    match amendment.wordings(&declaration) {
        Some((old, new)) if amendment.is_pending() => {
            ui.line("Redline against the current text:")?;
            ui.line(&redline_text(
                &redline(&old, &new, &RedlineOptions::default()),
                ui.color(),
            ))?;
        }
        _ => {
            let text = amendment
                .effective_text()
                .unwrap_or("(no wording: the amendment deletes or moves a clause)");
            ui.line("Wording:")?;
            ui.line(text)?;
        }
    }
    Ok(())
}
