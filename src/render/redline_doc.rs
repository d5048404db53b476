//! A document redline (two revisions compared) as terminal text, Markdown and HTML.
//!
//! All three are fed by the same [`RedlineView`], built once from a
//! [`DocumentRedline`](crate::redline::document::DocumentRedline): the clauses worth showing, their
//! labels ("OP 7 (was OP 6)"), their text as styled runs split into lines, and who is behind
//! each change.

use serde::Serialize;

use super::emphasis::{RunKind, StyledRun, credited_runs};
use super::templates::{RenderError, render};
use crate::model::{DeclarationMeta, Part};
use crate::redline::critic;
use crate::redline::document::{Attribution, ClauseChange, ClauseRedline, DocumentRedline};

/// What every format shows.
#[derive(Debug, Clone, Serialize)]
pub struct RedlineView {
    pub title: String,
    pub short_title: String,
    pub symbol: String,
    pub heading: String,
    pub from_label: String,
    pub to_label: String,
    pub summary: String,
    pub lang: String,
    pub dir: String,
    pub parts: Vec<PartView>,
    /// When the two texts were made (RFC 3339): the revisions' tags; none for the working
    /// tree or a file.
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    /// Who issues the comparison (the secretariat), for a document's author and for changes
    /// no amendment explains.
    pub issued_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub heading: Option<String>,
    pub clauses: Vec<ClauseView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    pub id: String,
    pub label: String,
    /// `unchanged`, `changed`, `inserted`, `deleted`, or `moved-away` (the old place of a
    /// clause moved elsewhere, shown with a note; its own entry is at its new place).
    pub change: &'static str,
    /// The clause's place among the others changed (set on both of its entries).
    pub moved: bool,
    /// The paragraph number in the older and the newer text ("OP 6"), where it has one, for
    /// formats that track the number itself (Word).
    pub old_number: Option<String>,
    pub new_number: Option<String>,
    /// The wording as styled runs, one list per line (the text, then each sub-paragraph).
    pub lines: Vec<Vec<StyledRun>>,
    /// The same runs before they were split into lines, line breaks included: a format that
    /// tracks paragraph marks (Word) splits them itself.
    #[serde(skip)]
    pub runs: Vec<StyledRun>,
    pub notes: Vec<String>,
    pub attribution: Vec<String>,
    /// Who the change is attributed to (the proposers of the amendments behind it), for
    /// formats that record an author per change (Word's tracked changes).
    pub author: Option<String>,
    /// Each credit a run may carry (`StyledRun::credit` indexes it): who made that change,
    /// and when.
    pub credits: Vec<CreditView>,
    /// When the change was made (RFC 3339), with `author`.
    pub date: Option<String>,
}

/// Who made one change, for a format that credits each change (Word's authors, HTML's titles).
#[derive(Debug, Clone, Serialize)]
pub struct CreditView {
    /// "European Union (EU-5)", "Chair, modifying EU-6".
    pub author: String,
    /// "EU-5", "Chair, modifying EU-6": the tag a terminal shows after the change.
    pub short: String,
    /// When the cut applied it (RFC 3339).
    pub date: Option<String>,
}

/// Which clauses a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only clauses that changed, moved or changed status.
    Changes,
    /// Every clause, changed or not (a full compared text).
    Everything,
}

impl RedlineView {
    pub fn new(
        meta: &DeclarationMeta,
        document: &DocumentRedline,
        from_label: &str,
        to_label: &str,
        scope: Scope,
    ) -> Self {
        let mut parts = Vec::new();
        for part in [Part::Preamble, Part::Operative] {
            let clauses: Vec<ClauseView> = document
                .clauses
                .iter()
                .filter(|clause| {
                    clause.part == part && (scope == Scope::Everything || clause.is_interesting())
                })
                .map(clause_view)
                .collect();
            if !clauses.is_empty() {
                let heading = match part {
                    Part::Preamble => "Preamble",
                    Part::Operative => "Operative part",
                };
                parts.push(PartView {
                    heading: Some(heading.to_owned()),
                    clauses,
                });
            }
        }
        let language = meta
            .languages
            .first()
            .cloned()
            .unwrap_or_else(|| "en".into());
        RedlineView {
            title: meta.title.clone(),
            short_title: meta.short_title.clone(),
            symbol: meta.symbol.clone(),
            heading: "Redline".into(),
            from_label: from_label.to_owned(),
            to_label: to_label.to_owned(),
            summary: document.summary.sentence(),
            dir: direction(&language).to_owned(),
            lang: language,
            parts,
            from_date: None,
            to_date: None,
            issued_by: None,
        }
    }

    pub fn html(&self, template: Option<&str>) -> Result<String, RenderError> {
        render("redline.html", template, self)
    }

    /// Markdown with `<ins>`/`<del>`, which renders on the common forges.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# {}\n\n{}: **{}** compared with **{}**\n\n{}\n",
            escape_markdown(&self.title),
            self.heading,
            escape_markdown(&self.from_label),
            escape_markdown(&self.to_label),
            escape_markdown(&self.summary)
        );
        for part in &self.parts {
            if let Some(heading) = &part.heading {
                out.push_str(&format!("\n## {heading}\n"));
            }
            for clause in &part.clauses {
                out.push_str(&format!("\n**{}**", escape_markdown(&clause.label)));
                for (idx, line) in clause.lines.iter().enumerate() {
                    out.push_str(if idx == 0 { " " } else { "<br>\n" });
                    out.push_str(&markdown_line(line));
                }
                out.push('\n');
                for note in clause.notes.iter().chain(&clause.attribution) {
                    out.push_str(&format!("\n*{}*\n", escape_markdown(note)));
                }
            }
        }
        out
    }

    /// Terminal text wrapped at `width`: colours when `ansi`, else CriticMarkup
    /// (`{--deleted--}{++inserted++}`, see [`critic`]).
    pub fn terminal(&self, ansi: bool, width: Option<usize>) -> String {
        let mut out = format!(
            "{}: {} compared with {}\n{}\n",
            self.heading, self.from_label, self.to_label, self.summary
        );
        for part in &self.parts {
            for clause in &part.clauses {
                out.push('\n');
                if clause.label.is_empty() {
                    // A compared file has no paragraph numbers.
                } else if ansi {
                    out.push_str(&format!("\x1b[1m{}\x1b[0m\n", clause.label));
                } else {
                    out.push_str(&clause.label);
                    out.push('\n');
                }
                // Without colour, the clause is one CriticMarkup text cut at its line breaks,
                // so a deleted or inserted line break stays inside its markers.
                let texts: Vec<String> = if ansi || clause.lines.is_empty() {
                    clause
                        .lines
                        .iter()
                        .map(|line| Self::credited_line_text(line, ansi, &clause.credits))
                        .collect()
                } else {
                    Self::credited_line_text(&clause.runs, false, &clause.credits)
                        .split('\n')
                        .map(str::to_owned)
                        .collect()
                };
                for text in texts {
                    match width {
                        Some(width) => {
                            out.push_str(&super::text::wrap(&text, "    ", "    ", width))
                        }
                        None => {
                            out.push_str("    ");
                            out.push_str(&text);
                        }
                    }
                    out.push('\n');
                }
                for note in clause.notes.iter().chain(&clause.attribution) {
                    out.push_str(&format!("    {note}\n"));
                }
            }
        }
        out
    }
}

impl RedlineView {
    /// One line of runs as terminal text.
    pub fn line_text(line: &[StyledRun], ansi: bool) -> String {
        merge_kinds(line, ansi)
            .iter()
            .map(|run| terminal_run(run, ansi))
            .collect()
    }
}

impl RedlineView {
    /// [`line_text`](Self::line_text), with each change tagged with who made it when the
    /// clause's changes are not all one amendment's: `{++...++}{>>EU-5<<}`.
    pub fn credited_line_text(line: &[StyledRun], ansi: bool, credits: &[CreditView]) -> String {
        if credits.len() < 2 {
            return Self::line_text(line, ansi);
        }
        let mut out = String::new();
        let mut at = 0;
        while at < line.len() {
            let start = at;
            let credit = line[at].credit;
            if line[at].kind == RunKind::Equal {
                at += 1;
            } else {
                while at < line.len()
                    && line[at].kind != RunKind::Equal
                    && line[at].credit == credit
                {
                    at += 1;
                }
            }
            out.push_str(&Self::line_text(&line[start..at], ansi));
            let maker = credit.and_then(|credit| credits.get(credit));
            match maker {
                Some(maker) if line[start].kind != RunKind::Equal => out.push_str(&if ansi {
                    format!("\x1b[2m‹{}›\x1b[0m", maker.short)
                } else {
                    critic::comment(&maker.short)
                }),
                _ => {}
            }
        }
        out
    }
}

/// One line of runs as Markdown.
pub fn markdown_line(line: &[StyledRun]) -> String {
    line.iter().map(markdown_run).collect()
}

/// The writing direction of a language: right-to-left for Arabic, Hebrew, Persian, Urdu.
pub fn direction(language: &str) -> &'static str {
    let primary = language.split(['-', '_']).next().unwrap_or(language);
    if matches!(primary, "ar" | "he" | "fa" | "ur" | "ps" | "dv" | "yi") {
        "rtl"
    } else {
        "ltr"
    }
}

fn clause_view(clause: &ClauseRedline) -> ClauseView {
    let change = match clause.change {
        _ if clause.moved_away => "moved-away",
        ClauseChange::Unchanged => "unchanged",
        ClauseChange::Changed => "changed",
        ClauseChange::Inserted => "inserted",
        ClauseChange::Deleted => "deleted",
    };
    let mut notes = Vec::new();
    match (clause.old_number, clause.new_number) {
        (Some(old), Some(new)) if clause.moved_away && old == new => notes.push(format!(
            "Moved from here; it keeps its number, {new}, in its new place."
        )),
        (_, Some(new)) if clause.moved_away => notes.push(format!("Moved to {new}.")),
        (Some(old), Some(new)) if clause.moved && old != new => {
            notes.push(format!("Moved (was {old})."))
        }
        _ if clause.moved => notes.push("Moved; its number is unchanged.".to_owned()),
        _ => {}
    }
    if let (Some(old), Some(new)) = (clause.old_status, clause.new_status)
        && old != new
        && !clause.moved_away
    {
        notes.push(format!("Status: {old} → {new}."));
    }
    // The old place of a moved clause names no one: its own entry does.
    let attribution = if clause.moved_away {
        Vec::new()
    } else {
        clause.attribution.iter().map(attribution_line).collect()
    };
    let proposals: Vec<&Attribution> = clause
        .attribution
        .iter()
        .filter(|a| a.chair.is_none())
        .collect();
    let author = (!proposals.is_empty()).then(|| {
        let names: Vec<String> = proposals.iter().map(|a| a.author()).collect();
        names.join("; ")
    });
    let date = clause
        .attribution
        .iter()
        .filter_map(|a| a.date)
        .max()
        .map(|d| d.to_rfc3339());
    let credits = credit_views(&clause.attribution);
    let runs = credited_runs(&clause.redline.segments, &clause.credits);
    ClauseView {
        id: clause.id.to_string(),
        label: clause.label(),
        change,
        moved: clause.moved,
        old_number: clause.old_number.map(|n| n.to_string()),
        new_number: clause.new_number.map(|n| n.to_string()),
        // The old place of a moved clause is a note in formats that show one text; Word, which
        // tracks the move, takes the runs.
        lines: if clause.moved_away {
            Vec::new()
        } else {
            let mut lines = split_lines(runs.clone());
            for run in lines.iter_mut().flatten() {
                run.by = run
                    .credit
                    .and_then(|credit| credits.get(credit))
                    .map(|credit| credit.author.clone());
            }
            lines
        },
        runs,
        notes,
        attribution,
        author,
        date,
        credits,
    }
}

/// Each credit as a change's author and date, and the tag a terminal shows.
pub fn credit_views(attribution: &[Attribution]) -> Vec<CreditView> {
    attribution
        .iter()
        .map(|a| CreditView {
            author: a.author(),
            short: match &a.chair {
                Some(_) => a.author(),
                None => a.amendment.to_string(),
            },
            date: a.date.map(|d| d.to_rfc3339()),
        })
        .collect()
}

/// "EU-5: proposed by European Union, co-sponsored by KAZ." or, for the chair's wording,
/// "EU-6: accepted as modified by the Chair (TJK); the modified words are the Chair's."
fn attribution_line(a: &Attribution) -> String {
    if let Some(chair) = &a.chair {
        return format!(
            "{}: accepted as modified by the Chair ({chair}); the modified words are the Chair's.",
            a.amendment
        );
    }
    let mut line = format!("{}: proposed by {}", a.amendment, a.proposer_name);
    if !a.cosponsors.is_empty() {
        let codes: Vec<&str> = a.cosponsors.iter().map(|c| c.as_str()).collect();
        line.push_str(&format!(", co-sponsored by {}", codes.join(", ")));
    }
    line.push('.');
    line
}

/// Splits runs at newlines: the wording's text, then one line per sub-paragraph.
///
/// A line break inside a deletion or an insertion joins two lines in the other text; the
/// line it ends closes with a deleted (or inserted) pilcrow, "¶", as Word shows paragraph
/// marks, so that a reader (and `tests/redline_sides.py`) can tell.
pub fn split_lines(runs: Vec<StyledRun>) -> Vec<Vec<StyledRun>> {
    let mut lines: Vec<Vec<StyledRun>> = vec![Vec::new()];
    for run in runs {
        let mut pieces = run.text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            if !piece.is_empty() {
                // Field by field: `..run.clone()` would copy the whole text once per line.
                lines.last_mut().expect("never empty").push(StyledRun {
                    kind: run.kind,
                    text: piece.to_owned(),
                    italic: run.italic,
                    bold: run.bold,
                    bracketed: run.bracketed,
                    set_apart: false,
                    credit: run.credit,
                    pilcrow: false,
                    by: None,
                });
            }
            if pieces.peek().is_some() {
                if run.kind != RunKind::Equal {
                    lines.last_mut().expect("never empty").push(StyledRun {
                        kind: run.kind,
                        text: "¶".to_owned(),
                        italic: false,
                        bold: false,
                        bracketed: false,
                        set_apart: false,
                        credit: run.credit,
                        pilcrow: true,
                        by: None,
                    });
                }
                lines.push(Vec::new());
            }
        }
    }
    lines.retain(|line| !line.is_empty());
    for line in &mut lines {
        for idx in 1..line.len() {
            line[idx].set_apart = runs_together(&line[idx - 1], &line[idx]);
        }
    }
    lines
}

/// Whether `next` is a replacement that would run into the deleted word before it: no space
/// on either side, and not punctuation, which belongs to the word it follows.
fn runs_together(previous: &StyledRun, next: &StyledRun) -> bool {
    previous.kind == RunKind::Deleted
        && next.kind == RunKind::Inserted
        && !previous.text.ends_with(char::is_whitespace)
        && next
            .text
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, ',' | '.' | ';' | ':' | ')' | ']'))
}

/// Without colour, style cannot be shown, so runs of one kind are joined: one pair of markers
/// around a deleted phrase, not one per italic and roman piece.
fn merge_kinds(line: &[StyledRun], ansi: bool) -> Vec<StyledRun> {
    if ansi {
        return line.to_vec();
    }
    let mut merged: Vec<StyledRun> = Vec::new();
    for run in line {
        match merged.last_mut() {
            Some(last) if last.kind == run.kind => last.text.push_str(&run.text),
            _ => merged.push(StyledRun {
                italic: false,
                bold: false,
                bracketed: false,
                ..run.clone()
            }),
        }
    }
    merged
}

fn markdown_run(run: &StyledRun) -> String {
    if run.pilcrow {
        return match run.kind {
            RunKind::Inserted => r#"<ins class="pilcrow">¶</ins>"#.to_owned(),
            _ => r#"<del class="pilcrow">¶</del>"#.to_owned(),
        };
    }
    let mut text = escape_markdown(&run.text);
    if run.bold {
        text = format!("<strong>{text}</strong>");
    }
    if run.italic {
        text = format!("<em>{text}</em>");
    }
    let title = run
        .by
        .as_ref()
        .map(|by| format!(" title=\"{}\"", escape_attribute(by)))
        .unwrap_or_default();
    match run.kind {
        RunKind::Equal => text,
        RunKind::Inserted => format!("<ins{title}>{text}</ins>"),
        RunKind::Deleted => format!("<del{title}>{text}</del>"),
    }
}

fn terminal_run(run: &StyledRun, ansi: bool) -> String {
    if !ansi {
        return match run.kind {
            RunKind::Equal => critic::escape(&run.text),
            RunKind::Inserted => critic::inserted(&run.text),
            RunKind::Deleted => critic::deleted(&run.text),
        };
    }
    let mut codes = Vec::new();
    if run.italic {
        codes.push("3");
    }
    if run.bold {
        codes.push("1");
    }
    match run.kind {
        RunKind::Equal => {}
        RunKind::Inserted => codes.extend(["4", "32"]),
        RunKind::Deleted => codes.extend(["9", "31"]),
    }
    if codes.is_empty() {
        run.text.clone()
    } else {
        format!("\x1b[{}m{}\x1b[0m", codes.join(";"), run.text)
    }
}

/// Escapes text for a double-quoted HTML attribute.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escapes text for Markdown: HTML's three characters, and the characters Markdown would
/// read as formatting (square brackets matter: they mark text not yet agreed).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '*' | '_' | '`' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_is_set_apart_from_the_word_it_replaces_but_not_punctuation() {
        let run = |kind, text: &str| StyledRun {
            kind,
            text: text.into(),
            italic: false,
            bold: false,
            bracketed: false,
            set_apart: false,
            credit: None,
            pilcrow: false,
            by: None,
        };
        let apart = |runs: Vec<StyledRun>| -> Vec<bool> {
            split_lines(runs)[0].iter().map(|r| r.set_apart).collect()
        };
        use RunKind::{Deleted, Equal, Inserted};
        assert_eq!(
            apart(vec![
                run(Equal, "and "),
                run(Deleted, "shall"),
                run(Inserted, "should")
            ]),
            [false, false, true]
        );
        // Punctuation, a space already there, or equal text in between: nothing added.
        assert_eq!(
            apart(vec![run(Deleted, "]"), run(Inserted, ",")]),
            [false, false]
        );
        assert_eq!(
            apart(vec![run(Deleted, "as "), run(Inserted, "so")]),
            [false, false]
        );
        assert_eq!(
            apart(vec![
                run(Deleted, "["),
                run(Equal, "in "),
                run(Inserted, "and around")
            ]),
            [false, false, false]
        );
    }

    #[test]
    fn markdown_escaping_keeps_text_as_text() {
        assert_eq!(
            escape_markdown("<script>[x](y) *a*"),
            "&lt;script&gt;\\[x\\](y) \\*a\\*"
        );
    }

    #[test]
    fn arabic_is_right_to_left() {
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("ru"), "ltr");
        assert_eq!(direction("en-GB"), "ltr");
    }
}
