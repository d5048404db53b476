//! Accepting as modified: the chair edits the paragraph as it will read, and decl works out
//! which words of the current text that edit replaces.
//!
//! The chair sees and edits the whole resulting paragraph, whatever the proposal replaced (a
//! span, the wording, or nothing for an insertion). The record keeps the edit as a span
//! replacement, so that it can be applied beside other accepted amendments on the same clause
//! and credited word by word. For a span amendment, the span is the proposal's when the
//! chair's edit stays inside it, else the smallest run of whole words around the edit that
//! occurs once in the current text. For example, with the current text "States shall act"
//! and TUR-1 replacing "shall" by "should":
//!
//! - the chair writes "States could act": the span stays "shall", the text is "could";
//! - the chair writes "All States should act": the span becomes "States shall", the text
//!   "All States should".

use super::{Amendment, Change, Modification, normalise_wording, unique_position};

/// Why a paragraph cannot be an acceptance as modified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModifyError {
    #[error(
        "the modified paragraph is the current text unchanged: reject {0} instead, or write the wording it should have"
    )]
    Unchanged(String),
    #[error("{id} is a {operation}: only a replacement or an insertion has wording to modify")]
    NoWording { id: String, operation: &'static str },
    #[error(
        "the modified paragraph is empty: to remove the paragraph, a deletion must be proposed"
    )]
    Empty,
}

/// The modification that turns `current` (the clause's wording now; empty for an insertion)
/// into `paragraph`, as the record of `amendment` keeps it. `Ok(None)` when `paragraph` is
/// exactly what the amendment proposes: that is an acceptance as proposed.
pub fn modification_from_paragraph(
    amendment: &Amendment,
    current: &str,
    paragraph: &str,
) -> Result<Option<Modification>, ModifyError> {
    let paragraph = normalise_wording(paragraph);
    if paragraph.trim().is_empty() {
        return Err(ModifyError::Empty);
    }
    let proposal_span = match &amendment.change {
        Change::Replace { span, .. } => span.as_deref(),
        Change::Insert { .. } => None,
        other => {
            return Err(ModifyError::NoWording {
                id: amendment.id.to_string(),
                operation: other.operation(),
            });
        }
    };
    if amendment.result_wording(current).as_deref() == Some(paragraph.as_str()) {
        return Ok(None);
    }
    let Some(proposal_span) = proposal_span else {
        return Ok(Some(Modification::of_proposal(paragraph)));
    };
    if paragraph == current {
        return Err(ModifyError::Unchanged(amendment.id.to_string()));
    }
    let (start, end) = changed_words(current, &paragraph);
    let new_end = |end: usize| paragraph.len() - (current.len() - end);
    if let Some(span_start) = unique_position(current, proposal_span) {
        let span_end = span_start + proposal_span.len();
        if span_start <= start && end <= span_end {
            return Ok(Some(Modification {
                span: None,
                text: paragraph[span_start..new_end(span_end)].to_owned(),
            }));
        }
    }
    let (start, end) = widen_until_unique(current, start, end);
    Ok(Some(Modification {
        span: Some(current[start..end].to_owned()),
        text: paragraph[start..new_end(end)].to_owned(),
    }))
}

/// The byte range of `old` that differs from `new`, widened to whole words: everything before
/// it and after it is shared by both.
fn changed_words(old: &str, new: &str) -> (usize, usize) {
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let longest_suffix = old.len().min(new.len()) - prefix;
    let suffix: usize = old
        .chars()
        .rev()
        .zip(new.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .scan(0, |total, len| {
            *total += len;
            Some(*total)
        })
        .take_while(|total| *total <= longest_suffix)
        .last()
        .unwrap_or(0);
    let mut start = prefix;
    let mut end = old.len() - suffix;
    // Whole words: a shared word start or end is part of the span, not of what stays.
    while start > 0 && !preceded_by_space(old, start) {
        start = previous_boundary(old, start);
    }
    while end < old.len() && !followed_by_space(old, end) {
        end = next_boundary(old, end);
    }
    (start, end)
}

/// Widens `start..end` by a word at a time, on the left first, until the words occur exactly
/// once in `text` (the whole text always does).
fn widen_until_unique(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let mut left = true;
    while start > 0 || end < text.len() {
        let span = &text[start..end];
        if !span.trim().is_empty() && unique_position(text, span) == Some(start) {
            break;
        }
        if (left && start > 0) || end == text.len() {
            start = word_start_before(text, start);
        } else {
            end = word_end_after(text, end);
        }
        left = !left;
    }
    (start, end)
}

fn preceded_by_space(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_whitespace)
}

fn followed_by_space(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(char::is_whitespace)
}

fn previous_boundary(text: &str, at: usize) -> usize {
    at - text[..at].chars().next_back().map_or(0, char::len_utf8)
}

fn next_boundary(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(0, char::len_utf8)
}

/// The start of the word before `at`, with the spaces between.
fn word_start_before(text: &str, mut at: usize) -> usize {
    while at > 0 && preceded_by_space(text, at) {
        at = previous_boundary(text, at);
    }
    while at > 0 && !preceded_by_space(text, at) {
        at = previous_boundary(text, at);
    }
    at
}

/// The end of the word after `at`, with the spaces between.
fn word_end_after(text: &str, mut at: usize) -> usize {
    while at < text.len() && followed_by_space(text, at) {
        at = next_boundary(text, at);
    }
    while at < text.len() && !followed_by_space(text, at) {
        at = next_boundary(text, at);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::amendment::Base;
    use chrono::DateTime;
    use proptest::prelude::*;

    fn amendment(span: Option<&str>, text: &str) -> Amendment {
        Amendment::propose(
            "TUR-1".parse().unwrap(),
            Change::Replace {
                clause: "op-x".parse().unwrap(),
                span: span.map(str::to_owned),
                text: text.to_owned(),
            },
            vec![],
            None,
            Base {
                commit: "0".into(),
                text_hash: None,
            },
            DateTime::parse_from_rfc3339("2022-09-12T10:00:00+05:00").unwrap(),
        )
    }

    fn check(current: &str, paragraph: &str, span: Option<&str>, text: &str) {
        let tur = amendment(Some("shall"), "should");
        let modification = modification_from_paragraph(&tur, current, paragraph)
            .unwrap()
            .unwrap();
        assert_eq!(modification.span.as_deref(), span, "{modification:?}");
        assert_eq!(modification.text, text, "{modification:?}");
    }

    #[test]
    fn an_edit_inside_the_proposals_span_keeps_it() {
        check("States shall act", "States could act", None, "could");
    }

    #[test]
    fn an_edit_beyond_the_span_takes_the_words_around_it() {
        check(
            "States shall act",
            "All States should act",
            Some("States shall"),
            "All States should",
        );
        check(
            "the States shall act; the States may rest",
            "the States shall act now; the States may rest",
            Some("act;"),
            "act now;",
        );
    }

    #[test]
    fn a_repeated_word_is_widened_until_unique() {
        check(
            "the States shall act; the States may rest",
            "the States shall act; all States may rest",
            Some("act; the"),
            "act; all",
        );
    }

    #[test]
    fn the_proposal_itself_is_no_modification_and_the_current_text_is_refused() {
        let tur = amendment(Some("shall"), "should");
        assert_eq!(
            modification_from_paragraph(&tur, "States shall act", "States should act"),
            Ok(None)
        );
        assert!(matches!(
            modification_from_paragraph(&tur, "States shall act", "States shall act"),
            Err(ModifyError::Unchanged(_))
        ));
        let whole = amendment(None, "New.");
        assert_eq!(
            modification_from_paragraph(&whole, "Old.", "Newer."),
            Ok(Some(Modification::of_proposal("Newer.")))
        );
    }

    proptest! {
        /// Whatever the chair writes, applying the recorded modification to the current text
        /// gives exactly the chair's paragraph.
        #[test]
        fn the_recorded_modification_gives_the_chairs_paragraph(
            before in "[a-c ]{0,12}",
            after in "[a-c ]{0,12}",
            edited in "[a-d é]{0,10}",
        ) {
            let current = normalise_wording(&format!("x{before} shall {after}y"));
            let paragraph = normalise_wording(&format!("x{before}{edited}{after}y"));
            prop_assume!(paragraph != current && current.matches("shall").count() == 1);
            let tur = amendment(Some("shall"), "should");
            let mut accepted = tur.clone();
            if let Some(modification) =
                modification_from_paragraph(&tur, &current, &paragraph).unwrap()
            {
                let chair = crate::model::Delegation {
                    code: "TJK".parse().unwrap(),
                    name: "TJK".into(),
                    role: crate::model::Role::Chair,
                    email: None,
                    keys: Vec::new(),
                };
                let accept = crate::model::Act::Accept { modified: Some(modification) };
                accepted.act(&chair, accept, DateTime::parse_from_rfc3339("2022-09-13T10:00:00+05:00").unwrap()).unwrap();
            }
            prop_assert_eq!(accepted.result_wording(&current), Some(paragraph));
        }
    }
}
