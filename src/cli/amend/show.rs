//! `decl amend show`: one amendment, its record, and its redlines: against the current text
//! while it is pending; once decided, what was proposed and what was accepted or applied.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::cli::redline::{RedlineFormat, deliver_view};
use crate::cli::{CommandError, Context, Ui};
use crate::model::suggest::did_you_mean;
use crate::model::{
    Amendment, AmendmentId, AmendmentStatus, Change, DelegationCode, RecordAction, Staleness,
};
use crate::redline::document::clause_credits;
use crate::redline::{RedlineOptions, redline};
use crate::render::emphasis::credited_runs;
use crate::render::redline_doc::{ClauseView, PartView, RedlineView, credit_views, split_lines};
use crate::store::{At, DeclRepo};

/// Show an amendment, its record and its redlines
///
/// A pending amendment is compared with the current text. A decided one shows what its
/// delegation proposed and, when accepted, what was accepted (the chair's wording when
/// accepted as modified, credited to the chair), each as a redline against the text it was
/// drafted on.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The amendment, e.g. TUR-3
    pub id: AmendmentId,
    /// Output format: `term` shows the record too; the others show the redlines as a document
    #[arg(long, value_enum, default_value_t = RedlineFormat::Term)]
    pub format: RedlineFormat,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
    let view = redlines_view(&repo, &amendment, &declaration)?;
    if args.format != RedlineFormat::Term || args.output.is_some() {
        return deliver_view(
            &view,
            args.format,
            args.output.as_deref(),
            Some(&repo),
            context,
            ui,
        );
    }
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

    let entries = view.parts.iter().flat_map(|part| &part.clauses);
    let mut shown = false;
    for entry in entries {
        ui.line("")?;
        ui.line(&format!("{}:", entry.label))?;
        for line in &entry.lines {
            ui.line(&RedlineView::credited_line_text(
                line,
                ui.color(),
                &entry.credits,
            ))?;
        }
        shown = true;
    }
    if !shown {
        let text = amendment
            .effective_text()
            .unwrap_or("(no wording: the amendment deletes or moves a clause)");
        ui.line("\nWording:")?;
        ui.line(text)?;
    }
    Ok(())
}

/// The amendment's redlines as a document: "Redline against the current text" while pending;
/// "As proposed" and "As accepted" (or "As applied in rev2") once decided, both against the
/// text the amendment was drafted on.
fn redlines_view(
    repo: &DeclRepo,
    amendment: &Amendment,
    declaration: &crate::model::Declaration,
) -> Result<RedlineView, CommandError> {
    let name_of = |code: &DelegationCode| {
        declaration
            .delegation(code)
            .map_or_else(|| code.to_string(), |d| d.name.clone())
    };
    let entry = |label: String, old: &str, new: &str, credited: bool| {
        let result = redline(old, new, &RedlineOptions::default());
        let applied = [amendment];
        let (attribution, credits) = if credited {
            clause_credits(old, new, &applied, &name_of)
        } else {
            Default::default()
        };
        let credits_view = credit_views(&attribution);
        let runs = credited_runs(&result.segments, &credits);
        ClauseView {
            id: amendment.id.to_string(),
            label,
            change: "changed",
            moved: false,
            old_number: None,
            new_number: None,
            lines: split_lines(runs.clone()),
            runs,
            notes: Vec::new(),
            attribution: Vec::new(),
            author: Some(format!(
                "{} ({})",
                name_of(&amendment.proposer),
                amendment.id
            )),
            date: amendment.record.first().map(|e| e.at.to_rfc3339()),
            credits: credits_view,
        }
    };
    let mut entries = Vec::new();
    if amendment.is_pending() && amendment.status == AmendmentStatus::Tabled {
        if let Some((old, new)) = amendment.wordings(declaration) {
            entries.push(entry(
                "Redline against the current text".into(),
                &old,
                &new,
                false,
            ));
        }
    } else if let Some(base) = drafted_on(repo, amendment)? {
        let proposed = match &amendment.change {
            Change::Delete { .. } => Some(String::new()),
            _ => amendment.proposed_wording(&base),
        };
        if let Some(proposed) = proposed {
            entries.push(entry("As proposed".into(), &base, &proposed, false));
        }
        let accepted = matches!(
            amendment.status,
            AmendmentStatus::Accepted
                | AmendmentStatus::AcceptedAsModified
                | AmendmentStatus::Applied
        );
        let result = match &amendment.change {
            Change::Delete { .. } => Some(String::new()),
            _ => amendment.result_wording(&base),
        };
        if accepted && let Some(result) = result {
            let applied_in = amendment
                .record
                .iter()
                .rev()
                .find(|e| e.action == RecordAction::Apply)
                .and_then(|e| e.revision.clone());
            let mut label = match applied_in {
                Some(revision) => format!("As applied in {revision}"),
                None => "As accepted".to_owned(),
            };
            if amendment.modified_by_chair() {
                label.push_str(" (modified by the Chair)");
            }
            entries.push(entry(label, &base, &result, amendment.modified_by_chair()));
        }
    }
    Ok(RedlineView {
        title: format!("{}: {}", amendment.id, amendment.describe(declaration)),
        short_title: amendment.id.to_string(),
        symbol: declaration.meta.symbol.clone(),
        heading: "Amendment".into(),
        from_label: "the text it was drafted on".into(),
        to_label: amendment.id.to_string(),
        summary: format!("Status: {}", amendment.status),
        lang: declaration
            .meta
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into()),
        dir: "ltr".into(),
        parts: vec![PartView {
            heading: None,
            clauses: entries,
        }],
        from_date: None,
        to_date: None,
        issued_by: None,
    })
}

/// The wording of the amendment's clause in the text it was drafted on (empty for a new
/// clause), or `None` when that text cannot be read.
fn drafted_on(repo: &DeclRepo, amendment: &Amendment) -> Result<Option<String>, CommandError> {
    let clause = match &amendment.change {
        Change::Insert { .. } => return Ok(Some(String::new())),
        Change::Move { .. } => return Ok(None),
        Change::Replace { clause, .. } | Change::Delete { clause } => clause,
    };
    let wanted = BTreeSet::from([clause.clone()]);
    let Ok(base) = repo.load_with(&At::Rev(amendment.base.commit.clone()), &wanted) else {
        return Ok(None);
    };
    Ok(base.clauses.get(clause).map(|c| c.wording()))
}
