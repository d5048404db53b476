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
}

#[derive(Default, Clone, Copy)]
struct Emphasis {
    italic: bool,
    bold: bool,
}

/// The segments as styled runs, for back-ends that show italics (HTML, Word).
pub fn styled_runs(segments: &[Segment]) -> Vec<StyledRun> {
    let mut old_state = Emphasis::default();
    let mut new_state = Emphasis::default();
    let mut runs: Vec<StyledRun> = Vec::new();
    for segment in segments {
        let (kind, text) = match segment {
            Segment::Equal { new, .. } => (RunKind::Equal, new.as_str()),
            Segment::Deleted(text) => (RunKind::Deleted, text.as_str()),
            Segment::Inserted(text) => (RunKind::Inserted, text.as_str()),
        };
        let mut rest = text;
        while !rest.is_empty() {
            let (piece, marker, after) = split_at_marker(rest);
            if !piece.is_empty() {
                let state = if kind == RunKind::Deleted {
                    old_state
                } else {
                    new_state
                };
                push(&mut runs, kind, piece, state);
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
    runs
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

fn push(runs: &mut Vec<StyledRun>, kind: RunKind, text: &str, state: Emphasis) {
    let text = text.replace("\\*", "*");
    if let Some(last) = runs.last_mut()
        && last.kind == kind
        && last.italic == state.italic
        && last.bold == state.bold
    {
        last.text.push_str(&text);
        return;
    }
    runs.push(StyledRun {
        kind,
        text,
        italic: state.italic,
        bold: state.bold,
        bracketed: false,
        set_apart: false,
    });
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
