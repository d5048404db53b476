//! Inline emphasis across redline segments.
//!
//! A redline is computed on the raw wording, Markdown markers included, so a change can fall
//! inside an italic phrase or move its markers. To show italics in HTML or Word, the markers
//! are followed through the segments with two states, one for the old text (equal and deleted
//! segments) and one for the new (equal and inserted): `*Call upon*` stays italic whether or
//! not a word inside it changed.
//!
//! ```text
//! segments: Equal("*Call ")  Deleted("upon")  Inserted("on")  Equal("* States")
//! runs:     "Call " italic   "upon" italic    "on" italic     " States" roman
//! ```

use crate::model::credit::ChangeCredits;
use crate::redline::Segment;

/// What a run of text is in the redline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    Equal,
    Inserted,
    Deleted,
}

/// A run of text with one kind and one style, markers removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StyledRun {
    pub kind: RunKind,
    pub text: String,
    pub italic: bool,
    pub bold: bool,
    /// Inside square brackets: text not yet agreed.
    pub bracketed: bool,
    /// An insertion that runs straight on from a deleted word ("shall" then "should"), shown
    /// with a small gap so that it does not read as one word "shallshould" (`split_lines`
    /// decides, once, for every format).
    pub set_apart: bool,
    /// For a deleted or inserted run: which of its clause's credits made the change, when the
    /// change is credited run by run (an index into the clause's attribution).
    pub credit: Option<usize>,
    /// A paragraph mark shown as "¶": it ends a line whose line break was deleted (or
    /// inserted), so the line and the next are one paragraph in the newer (or older) text.
    pub pilcrow: bool,
    /// Who made the change, where it is credited on its own ("European Union (EU-5)"): set by
    /// the view that knows the names behind `credit`.
    pub by: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Emphasis {
    italic: bool,
    bold: bool,
}

/// The segments as styled runs, for back-ends that show italics (HTML, Word).
pub fn styled_runs(segments: &[Segment]) -> Vec<StyledRun> {
    credited_runs(segments, &ChangeCredits::default())
}

/// [`styled_runs`], with each deleted or inserted run cut where its credit changes and
/// carrying it: `credits` gives them by byte offset of the old text (deletions) and of the
/// new text (insertions).
pub fn credited_runs(segments: &[Segment], credits: &ChangeCredits<usize>) -> Vec<StyledRun> {
    let mut old_state = Emphasis::default();
    let mut new_state = Emphasis::default();
    let mut runs: Vec<StyledRun> = Vec::new();
    let (mut old_offset, mut new_offset) = (0, 0);
    for segment in segments {
        let pieces = match segment {
            Segment::Equal { old, new } => {
                old_offset += old.len();
                new_offset += new.len();
                vec![(RunKind::Equal, new.as_str(), None)]
            }
            Segment::Deleted(text) => {
                let pieces = by_credit(text, |at| credits.deleted_at(old_offset + at));
                old_offset += text.len();
                pieces
                    .into_iter()
                    .map(|(t, c)| (RunKind::Deleted, t, c))
                    .collect()
            }
            Segment::Inserted(text) => {
                let pieces = by_credit(text, |at| credits.inserted_at(new_offset + at));
                new_offset += text.len();
                pieces
                    .into_iter()
                    .map(|(t, c)| (RunKind::Inserted, t, c))
                    .collect()
            }
        };
        for (kind, text, credit) in pieces {
            let mut rest = text;
            while !rest.is_empty() {
                let (piece, marker, after) = split_at_marker(rest);
                if !piece.is_empty() {
                    let state = if kind == RunKind::Deleted {
                        old_state
                    } else {
                        new_state
                    };
                    push(&mut runs, kind, piece, state, credit);
                }
                if let Some(marker) = marker {
                    let toggle = |state: &mut Emphasis| match marker {
                        Marker::Bold => state.bold = !state.bold,
                        Marker::Italic => state.italic = !state.italic,
                    };
                    match kind {
                        RunKind::Equal => {
                            toggle(&mut old_state);
                            toggle(&mut new_state);
                        }
                        RunKind::Deleted => toggle(&mut old_state),
                        RunKind::Inserted => toggle(&mut new_state),
                    }
                }
                rest = after;
            }
        }
    }
    if credits.deleted.is_empty() && credits.inserted.is_empty() {
        return runs;
    }
    // A piece of a change that no step explains (blame and the redline may pair words
    // differently) is credited with the change it stands in.
    let is_change = |run: &StyledRun| run.kind != RunKind::Equal;
    for idx in 0..runs.len() {
        if is_change(&runs[idx]) && runs[idx].credit.is_none() {
            let before = idx
                .checked_sub(1)
                .map(|i| &runs[i])
                .filter(|r| is_change(r) && r.credit.is_some());
            let after = runs
                .get(idx + 1)
                .filter(|r| is_change(r) && r.credit.is_some());
            runs[idx].credit = before.or(after).and_then(|r| r.credit);
        }
    }
    let mut merged: Vec<StyledRun> = Vec::with_capacity(runs.len());
    for run in runs {
        append(&mut merged, run);
    }
    merged
}

/// Cuts `text` where `credit_at(byte offset)` changes. A cut never falls inside a run of
/// asterisks, which would break an emphasis marker in two, and a space no step explains goes
/// with the change beside it ("{++ ++}{++in particular children++}" is one change).
fn by_credit(text: &str, credit_at: impl Fn(usize) -> Option<usize>) -> Vec<(&str, Option<usize>)> {
    let mut pieces: Vec<(std::ops::Range<usize>, Option<usize>)> = Vec::new();
    let mut previous_char = None;
    for (at, c) in text.char_indices() {
        let credit = credit_at(at);
        let end = at + c.len_utf8();
        match pieces.last_mut() {
            Some((range, last)) if *last == credit || (c == '*' && previous_char == Some('*')) => {
                range.end = end;
            }
            _ => pieces.push((at..end, credit)),
        }
        previous_char = Some(c);
    }
    for idx in 0..pieces.len() {
        if pieces[idx].1.is_none() && text[pieces[idx].0.clone()].trim().is_empty() {
            let beside = pieces
                .get(idx + 1)
                .or(idx.checked_sub(1).and_then(|i| pieces.get(i)));
            pieces[idx].1 = beside.and_then(|piece| piece.1);
        }
    }
    let mut merged: Vec<(std::ops::Range<usize>, Option<usize>)> = Vec::new();
    for (range, credit) in pieces {
        match merged.last_mut() {
            Some((last, last_credit)) if *last_credit == credit => last.end = range.end,
            _ => merged.push((range, credit)),
        }
    }
    if merged.is_empty() {
        merged.push((0..text.len(), credit_at(0)));
    }
    merged
        .into_iter()
        .map(|(range, credit)| (&text[range], credit))
        .collect()
}

/// The segments as runs with no emphasis: for text that is not Markdown (a file compared
/// with `decl redline --files`).
pub fn plain_runs(segments: &[Segment]) -> Vec<StyledRun> {
    let mut runs = Vec::new();
    for segment in segments {
        let (kind, text) = match segment {
            Segment::Equal { new, .. } => (RunKind::Equal, new.as_str()),
            Segment::Deleted(text) => (RunKind::Deleted, text.as_str()),
            Segment::Inserted(text) => (RunKind::Inserted, text.as_str()),
        };
        runs.push(StyledRun {
            kind,
            text: text.to_owned(),
            italic: false,
            bold: false,
            bracketed: false,
            set_apart: false,
            credit: None,
            pilcrow: false,
            by: None,
        });
    }
    runs
}

/// The text of a wording with its markers removed, as styled runs (no redline).
pub fn styled_text(text: &str) -> Vec<StyledRun> {
    styled_runs(&[Segment::Equal {
        old: text.to_owned(),
        new: text.to_owned(),
    }])
}

/// Marks the runs (or parts of runs) that stand inside square brackets, brackets included,
/// so that text not yet agreed can be highlighted. Deleted text does not open or close
/// brackets of the text that stays.
pub fn mark_brackets(runs: Vec<StyledRun>) -> Vec<StyledRun> {
    let mut depth = 0usize;
    let mut marked: Vec<StyledRun> = Vec::new();
    for run in runs {
        if run.kind == RunKind::Deleted {
            marked.push(run);
            continue;
        }
        let mut piece = String::new();
        let mut piece_bracketed = depth > 0;
        let flush = |piece: &mut String, bracketed: bool, marked: &mut Vec<StyledRun>| {
            if !piece.is_empty() {
                marked.push(StyledRun {
                    text: std::mem::take(piece),
                    bracketed,
                    ..run.clone()
                });
            }
        };
        for c in run.text.chars() {
            let inside = match c {
                '[' => {
                    depth += 1;
                    true
                }
                ']' => {
                    let was_inside = depth > 0;
                    depth = depth.saturating_sub(1);
                    was_inside
                }
                _ => depth > 0,
            };
            if inside != piece_bracketed {
                flush(&mut piece, piece_bracketed, &mut marked);
                piece_bracketed = inside;
            }
            piece.push(c);
        }
        flush(&mut piece, piece_bracketed, &mut marked);
    }
    marked
}

#[derive(Clone, Copy)]
enum Marker {
    Italic,
    Bold,
}

/// Splits at the first emphasis marker: `**` (bold) or `*` (italic). A backslash-escaped
/// asterisk is text.
fn split_at_marker(text: &str) -> (&str, Option<Marker>, &str) {
    let bytes = text.as_bytes();
    let mut idx = 0;
    while idx < bytes.len() {
        match bytes[idx] {
            b'\\' if bytes.get(idx + 1) == Some(&b'*') => idx += 2,
            b'*' if bytes.get(idx + 1) == Some(&b'*') => {
                return (&text[..idx], Some(Marker::Bold), &text[idx + 2..]);
            }
            b'*' => return (&text[..idx], Some(Marker::Italic), &text[idx + 1..]),
            _ => idx += 1,
        }
    }
    (text, None, "")
}

fn push(
    runs: &mut Vec<StyledRun>,
    kind: RunKind,
    text: &str,
    state: Emphasis,
    credit: Option<usize>,
) {
    let run = StyledRun {
        kind,
        text: text.replace("\\*", "*"),
        italic: state.italic,
        bold: state.bold,
        bracketed: false,
        set_apart: false,
        credit,
        pilcrow: false,
        by: None,
    };
    append(runs, run);
}

/// Appends `run`, joined to the last run when both are of one kind, style and credit.
fn append(runs: &mut Vec<StyledRun>, run: StyledRun) {
    match runs.last_mut() {
        Some(last)
            if last.kind == run.kind
                && last.italic == run.italic
                && last.bold == run.bold
                && last.credit == run.credit =>
        {
            last.text.push_str(&run.text)
        }
        _ => runs.push(run),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(runs: &[StyledRun]) -> String {
        runs.iter()
            .map(|run| {
                let mark = match run.kind {
                    RunKind::Equal => "",
                    RunKind::Inserted => "+",
                    RunKind::Deleted => "-",
                };
                let style = if run.italic { "/" } else { "" };
                format!("{mark}{style}{}{style}", run.text)
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn a_change_inside_italics_stays_italic() {
        let segments = vec![
            Segment::Equal {
                old: "*Call ".into(),
                new: "*Call ".into(),
            },
            Segment::Deleted("upon".into()),
            Segment::Inserted("on".into()),
            Segment::Equal {
                old: "* States".into(),
                new: "* States".into(),
            },
        ];
        assert_eq!(
            show(&styled_runs(&segments)),
            "/Call /|-/upon/|+/on/| States"
        );
    }

    #[test]
    fn an_inserted_marker_only_styles_the_new_side() {
        let segments = vec![
            Segment::Inserted("*".into()),
            Segment::Equal {
                old: "Urge".into(),
                new: "Urge".into(),
            },
            Segment::Inserted("*".into()),
            Segment::Equal {
                old: " States".into(),
                new: " States".into(),
            },
        ];
        assert_eq!(show(&styled_runs(&segments)), "/Urge/| States");
    }

    #[test]
    fn bracketed_text_is_marked_across_runs() {
        let runs = mark_brackets(styled_text("*Call* on [all *States*] now"));
        let marked: Vec<(&str, bool)> = runs
            .iter()
            .map(|r| (r.text.as_str(), r.bracketed))
            .collect();
        assert_eq!(
            marked,
            [
                ("Call", false),
                (" on ", false),
                ("[all ", true),
                ("States", true),
                ("]", true),
                (" now", false)
            ]
        );
    }

    #[test]
    fn bold_and_escaped_asterisks() {
        let runs = styled_text("**Decide** to note 5 \\* 3");
        assert!(runs[0].bold && runs[0].text == "Decide");
        assert_eq!(runs[1].text, " to note 5 * 3");
    }
}
