//! The compilation text: the current draft with every pending amendment under its clause.
//!
//! This is the document a chair works from in the room. Each clause shows its current wording
//! (bracketed text highlighted) and, beneath it, each tabled or accepted amendment as a redline
//! against that wording, attributed ("Proposed by Türkiye, co-sponsored by KAZ; supported by
//! QAT; opposed by RUS"). Amendments competing for the same clause stand side by side.

use std::collections::BTreeMap;

use serde::Serialize;

use super::emphasis::{StyledRun, mark_brackets, styled_runs, styled_text};
use super::redline_doc::{direction, split_lines};
use super::templates::{RenderError, render};
use crate::model::{Amendment, ClauseId, Declaration, DelegationCode, Part, Position, Staleness};
use crate::redline::{RedlineOptions, redline};

#[derive(Debug, Clone, Serialize)]
pub struct CompilationView {
    pub title: String,
    pub short_title: String,
    pub symbol: String,
    pub heading: String,
    pub based_on: String,
    pub summary: String,
    pub lang: String,
    pub dir: String,
    pub parts: Vec<CompilationPart>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompilationPart {
    pub heading: String,
    pub clauses: Vec<CompiledClause>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompiledClause {
    pub id: String,
    pub label: String,
    pub status: String,
    pub lines: Vec<Vec<StyledRun>>,
    pub amendments: Vec<PendingAmendment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingAmendment {
    pub id: String,
    pub status: String,
    pub description: String,
    /// Another open amendment changes the same clause.
    pub competing: bool,
    pub flags: Vec<String>,
    pub lines: Vec<Vec<StyledRun>>,
    pub attribution: String,
    pub justification: Option<String>,
}

impl CompilationView {
    pub fn new(declaration: &Declaration, amendments: &[Amendment], based_on: &str) -> Self {
        let pending: Vec<&Amendment> = amendments.iter().filter(|a| a.is_pending()).collect();
        // An amendment is shown under the clause it changes, or for an insertion under its
        // anchor; insertions at the end of a part get a section of their own.
        let mut under: BTreeMap<&ClauseId, Vec<&Amendment>> = BTreeMap::new();
        let mut at_end: BTreeMap<Part, Vec<&Amendment>> = BTreeMap::new();
        for amendment in &pending {
            match (&amendment.change, amendment.change.target()) {
                (_, Some(target)) => under.entry(target).or_default().push(amendment),
                (
                    crate::model::Change::Insert {
                        position: Position::End(part),
                        ..
                    },
                    None,
                ) => at_end.entry(*part).or_default().push(amendment),
                (crate::model::Change::Insert { position, .. }, None) => {
                    if let Some(anchor) = position.anchor() {
                        under.entry(anchor).or_default().push(amendment);
                    }
                }
                _ => {}
            }
        }
        let mut open_per_clause: BTreeMap<&ClauseId, usize> = BTreeMap::new();
        for amendment in &pending {
            *open_per_clause.entry(amendment.clause()).or_default() += 1;
        }

        let mut parts = Vec::new();
        for part in [Part::Preamble, Part::Operative] {
            let mut clauses = Vec::new();
            for (number, id, clause) in declaration.numbered().filter(|(n, ..)| n.part == part) {
                let amendments = under
                    .remove(id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| {
                        pending_view(
                            declaration,
                            a,
                            open_per_clause.get(a.clause()).copied().unwrap_or(0) > 1,
                        )
                    })
                    .collect();
                clauses.push(CompiledClause {
                    id: id.to_string(),
                    label: number.to_string(),
                    status: clause.status.to_string(),
                    lines: split_lines(mark_brackets(styled_text(&clause.wording()))),
                    amendments,
                });
            }
            if let Some(new_ones) = at_end.remove(&part) {
                clauses.push(CompiledClause {
                    id: format!("end-of-{}", part.name()),
                    label: "New".into(),
                    status: String::new(),
                    lines: Vec::new(),
                    amendments: new_ones
                        .into_iter()
                        .map(|a| pending_view(declaration, a, false))
                        .collect(),
                });
            }
            parts.push(CompilationPart {
                heading: match part {
                    Part::Preamble => "Preamble".into(),
                    Part::Operative => "Operative part".into(),
                },
                clauses,
            });
        }
        // What is left names clauses no longer in the text: shown apart, with the way out, so
        // that no pending amendment goes unseen.
        let gone: Vec<CompiledClause> = under
            .into_iter()
            .map(|(id, amendments)| CompiledClause {
                id: id.to_string(),
                label: id.to_string(),
                status: "no longer in the text".into(),
                lines: Vec::new(),
                amendments: amendments
                    .into_iter()
                    .map(|a| pending_view(declaration, a, false))
                    .collect(),
            })
            .collect();
        if !gone.is_empty() {
            parts.push(CompilationPart {
                heading: "Amendments to clauses no longer in the text".into(),
                clauses: gone,
            });
        }
        let touched = open_per_clause.len();
        let meta = &declaration.meta;
        let language = meta
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into());
        CompilationView {
            title: meta.title.clone(),
            short_title: meta.short_title.clone(),
            symbol: meta.symbol.clone(),
            heading: "Compilation text".into(),
            based_on: based_on.to_owned(),
            summary: format!(
                "{} pending amendment{} to {touched} clause{}",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" },
                if touched == 1 { "" } else { "s" }
            ),
            dir: direction(&language).to_owned(),
            lang: language,
            parts,
        }
    }

    pub fn html(&self, template: Option<&str>) -> Result<String, RenderError> {
        render("compile.html", template, self)
    }

    /// Terminal or plain text: each clause, then its amendments indented beneath it.
    pub fn terminal(&self, ansi: bool, width: usize) -> String {
        let plain = |runs: &[StyledRun]| super::redline_doc::RedlineView::line_text(runs, ansi);
        let mut out = format!(
            "{} ({}), based on {}\n{}\n",
            self.heading, self.short_title, self.based_on, self.summary
        );
        for part in &self.parts {
            out.push_str(&format!("\n{}\n", part.heading.to_uppercase()));
            for clause in &part.clauses {
                out.push('\n');
                for (idx, line) in clause.lines.iter().enumerate() {
                    let first = if idx == 0 {
                        format!("{:<7}", clause.label)
                    } else {
                        " ".repeat(7)
                    };
                    out.push_str(&super::text::wrap(&plain(line), &first, "       ", width));
                    out.push('\n');
                }
                if clause.lines.is_empty() {
                    out.push_str(&format!("{}\n", clause.label));
                }
                for amendment in &clause.amendments {
                    let flags = if amendment.flags.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", amendment.flags.join(", "))
                    };
                    out.push_str(&format!(
                        "\n       {} ({}): {}{flags}\n",
                        amendment.id, amendment.status, amendment.description
                    ));
                    for line in &amendment.lines {
                        out.push_str(&super::text::wrap(
                            &plain(line),
                            "         ",
                            "         ",
                            width,
                        ));
                        out.push('\n');
                    }
                    out.push_str(&super::text::wrap(
                        &amendment.attribution,
                        "         ",
                        "         ",
                        width,
                    ));
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Markdown with `<ins>`/`<del>`.
    pub fn markdown(&self) -> String {
        use super::redline_doc::{escape_markdown, markdown_line};
        let mut out = format!(
            "# {}\n\n{}, based on **{}**\n\n{}\n",
            escape_markdown(&self.title),
            self.heading,
            escape_markdown(&self.based_on),
            self.summary
        );
        for part in &self.parts {
            out.push_str(&format!("\n## {}\n", part.heading));
            for clause in &part.clauses {
                out.push_str(&format!("\n**{}**", escape_markdown(&clause.label)));
                for (idx, line) in clause.lines.iter().enumerate() {
                    out.push_str(if idx == 0 { " " } else { "<br>\n" });
                    out.push_str(&markdown_line(line));
                }
                out.push('\n');
                for amendment in &clause.amendments {
                    out.push_str(&format!(
                        "\n> **{}** ({}): {}",
                        amendment.id,
                        amendment.status,
                        escape_markdown(&amendment.description)
                    ));
                    for flag in &amendment.flags {
                        out.push_str(&format!(" *{flag}*"));
                    }
                    out.push_str("<br>\n> ");
                    let lines: Vec<String> = amendment
                        .lines
                        .iter()
                        .map(|line| markdown_line(line))
                        .collect();
                    out.push_str(&lines.join("<br>\n> "));
                    out.push_str(&format!(
                        "<br>\n> *{}*\n",
                        escape_markdown(&amendment.attribution)
                    ));
                }
            }
        }
        out
    }
}

fn pending_view(
    declaration: &Declaration,
    amendment: &Amendment,
    competing: bool,
) -> PendingAmendment {
    let name = |code: &DelegationCode| {
        declaration
            .delegation(code)
            .map_or_else(|| code.to_string(), |d| d.name.clone())
    };
    let names =
        |codes: Vec<&DelegationCode>| codes.into_iter().map(name).collect::<Vec<_>>().join(", ");
    let mut attribution = format!("Proposed by {}", name(&amendment.proposer));
    if !amendment.cosponsors.is_empty() {
        attribution.push_str(&format!(
            ", co-sponsored by {}",
            names(amendment.cosponsors.iter().collect())
        ));
    }
    let supporters = amendment.supporters();
    if !supporters.is_empty() {
        attribution.push_str(&format!("; supported by {}", names(supporters)));
    }
    let opponents = amendment.opponents();
    if !opponents.is_empty() {
        attribution.push_str(&format!("; opposed by {}", names(opponents)));
    }
    attribution.push('.');
    let mut flags = Vec::new();
    if amendment.awaits_application() {
        flags.push("awaiting the next revision".to_owned());
    }
    match amendment.staleness(declaration) {
        Some(Staleness::Changed) => {
            flags.push("stale: the clause changed since it was drafted".into());
        }
        Some(gone) => flags.push(format!(
            "stale: {gone}; {}",
            gone.way_out(&amendment.id, &amendment.proposer)
        )),
        None => {}
    }
    if competing {
        flags.push("competing".into());
    }
    let lines = match amendment.wordings(declaration) {
        Some((old, new)) => split_lines(styled_runs(
            &redline(&old, &new, &RedlineOptions::default()).segments,
        )),
        None => Vec::new(),
    };
    PendingAmendment {
        id: amendment.id.to_string(),
        status: amendment.status.to_string(),
        description: amendment.describe(declaration),
        competing,
        flags,
        lines,
        attribution,
        justification: amendment.justification.clone(),
    }
}
