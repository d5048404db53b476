//! Who made each change of a clause: which amendment's proposal, or which chair's
//! modification of it, put a word in or took it out.
//!
//! A revision may apply several amendments to one clause, and the chair may accept one "as
//! modified", rewriting part of what the delegation proposed. To credit each word, the clause's
//! wording is carried through every step in the order the cuts applied them: the proposal of
//! an amendment, then (when modified) the chair's wording in its place. Blame over those
//! versions says which step inserted each word of the newer text; blame over the same versions
//! taken backwards says which step deleted each word of the older one.
//!
//! ```text
//! old:      States shall cooperate
//! EU-6:     States shall cooperate closely and fully      (proposed)
//! chair:    States shall cooperate closely                (EU-6 accepted as modified)
//! credits:  "closely" inserted by EU-6; nothing of "and fully" remains to credit
//! ```
//!
//! When a step cannot be replayed (its span no longer occurs once) or the steps do not end at
//! the newer wording (an edit made by hand), what they do not explain is credited to no one,
//! and formats fall back on the clause's amendments as a whole.

use std::ops::Range;

use super::Amendment;
use super::blame::blame;

/// The step behind a change, by index into the amendments given to [`credit_changes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Maker {
    /// The amendment as its delegation proposed it.
    Proposal(usize),
    /// The chair's wording, accepting the amendment as modified.
    ChairModifying(usize),
}

/// Byte ranges of the older text (deleted) and of the newer text (inserted), each with the
/// step that deleted or inserted it; text no step explains, and text that did not change, is
/// in no range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeCredits<M = Maker> {
    pub deleted: Vec<(Range<usize>, M)>,
    pub inserted: Vec<(Range<usize>, M)>,
}

impl<M> Default for ChangeCredits<M> {
    fn default() -> Self {
        ChangeCredits {
            deleted: Vec::new(),
            inserted: Vec::new(),
        }
    }
}

impl<M: Copy> ChangeCredits<M> {
    /// Who deleted the old text at `offset`.
    pub fn deleted_at(&self, offset: usize) -> Option<M> {
        find(&self.deleted, offset)
    }

    /// Who inserted the new text at `offset`.
    pub fn inserted_at(&self, offset: usize) -> Option<M> {
        find(&self.inserted, offset)
    }

    /// The same ranges with each maker replaced by `f(maker)`.
    pub fn map<N>(&self, f: impl Fn(M) -> N) -> ChangeCredits<N> {
        let map = |ranges: &[(Range<usize>, M)]| {
            ranges
                .iter()
                .map(|(range, maker)| (range.clone(), f(*maker)))
                .collect()
        };
        ChangeCredits {
            deleted: map(&self.deleted),
            inserted: map(&self.inserted),
        }
    }
}

fn find<M: Copy>(ranges: &[(Range<usize>, M)], offset: usize) -> Option<M> {
    let at = ranges.partition_point(|(range, _)| range.end <= offset);
    ranges
        .get(at)
        .filter(|(range, _)| range.contains(&offset))
        .map(|(_, maker)| *maker)
}

/// The wordings a clause goes through when `amendments` are applied to `start` in this
/// order, each with the step that made it: an amendment's proposal, then the chair's wording
/// when it was accepted as modified. Stops early at a step that cannot be replayed.
pub fn applied_steps(start: &str, amendments: &[&Amendment]) -> Vec<(String, Maker)> {
    let mut steps: Vec<(String, Maker)> = Vec::new();
    for (index, amendment) in amendments.iter().enumerate() {
        let current = steps.last().map_or(start, |(text, _)| text.as_str());
        let next = match &amendment.change {
            super::Change::Move { .. } => continue,
            super::Change::Delete { .. } => vec![(Some(String::new()), Maker::Proposal(index))],
            _ if amendment.modified_by_chair() => vec![
                (amendment.proposed_wording(current), Maker::Proposal(index)),
                (
                    amendment.result_wording(current),
                    Maker::ChairModifying(index),
                ),
            ],
            _ => vec![(amendment.result_wording(current), Maker::Proposal(index))],
        };
        for (wording, maker) in next {
            match wording {
                Some(wording) => steps.push((wording, maker)),
                None => return steps,
            }
        }
    }
    steps
}

/// Credits the changes from `old` to `new` wording to `amendments`, applied in this order.
pub fn credit_changes(old: &str, new: &str, amendments: &[&Amendment]) -> ChangeCredits {
    #[derive(Clone, PartialEq)]
    enum Origin {
        Unchanged,
        Step(Maker),
        Unexplained,
    }
    let mut versions: Vec<(String, Origin)> = vec![(old.to_owned(), Origin::Unchanged)];
    versions.extend(
        applied_steps(old, amendments)
            .into_iter()
            .map(|(text, maker)| (text, Origin::Step(maker))),
    );
    if versions.last().is_some_and(|(text, _)| text != new) {
        versions.push((new.to_owned(), Origin::Unexplained));
    }

    let ranges = |spans: Vec<super::blame::BlameSpan<Origin>>| {
        let mut ranges = Vec::new();
        let mut offset = 0;
        for span in spans {
            let end = offset + span.text.len();
            if let Origin::Step(maker) = span.origin {
                ranges.push((offset..end, maker));
            }
            offset = end;
        }
        ranges
    };
    let inserted = ranges(blame(&versions));
    // Backwards, each version's words that the next one lacks are credited to the step that
    // made the next one: the step that deleted them.
    let mut backwards: Vec<(String, Origin)> = Vec::with_capacity(versions.len());
    for (idx, (text, _)) in versions.iter().enumerate().rev() {
        let origin = match versions.get(idx + 1) {
            Some((_, origin)) => origin.clone(),
            None => Origin::Unchanged,
        };
        backwards.push((text.clone(), origin));
    }
    let deleted = ranges(blame(&backwards));
    ChangeCredits { deleted, inserted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Act, Base, Change, Delegation, Modification, Role};

    fn at(day: u32) -> chrono::DateTime<chrono::FixedOffset> {
        chrono::DateTime::parse_from_rfc3339(&format!("2022-09-{day:02}T10:00:00+05:00")).unwrap()
    }

    fn amendment(id: &str, span: &str, text: &str) -> Amendment {
        Amendment::propose(
            id.parse().unwrap(),
            Change::Replace {
                clause: "op-1".parse().unwrap(),
                span: Some(span.to_owned()),
                text: text.to_owned(),
            },
            Vec::new(),
            None,
            Base {
                commit: "0".into(),
                text_hash: None,
            },
            at(1),
        )
    }

    fn credited(text: &str, ranges: &[(Range<usize>, Maker)]) -> Vec<(String, Maker)> {
        ranges
            .iter()
            .map(|(range, maker)| (text[range.clone()].to_owned(), *maker))
            .collect()
    }

    #[test]
    fn two_amendments_in_one_clause_are_each_credited_with_their_own_words() {
        let old = "States shall cooperate in good faith";
        let new = "States should cooperate in full good faith";
        let first = amendment("TUR-1", "shall", "should");
        let second = amendment("EU-2", "in good", "in full good");
        let credits = credit_changes(old, new, &[&first, &second]);
        assert_eq!(
            credited(old, &credits.deleted),
            [("shall ".to_owned(), Maker::Proposal(0))]
        );
        assert_eq!(
            credited(new, &credits.inserted),
            [
                ("should ".to_owned(), Maker::Proposal(0)),
                ("full ".to_owned(), Maker::Proposal(1))
            ]
        );
        assert_eq!(
            credits.inserted_at(new.find("full").unwrap()),
            Some(Maker::Proposal(1))
        );
        assert_eq!(credits.inserted_at(0), None);
    }

    #[test]
    fn the_chairs_modified_wording_is_credited_to_the_chair() {
        let old = "States shall cooperate";
        let new = "States shall cooperate closely with the Organization";
        let chair = Delegation {
            code: "TJK".parse().unwrap(),
            name: "Tajikistan".into(),
            role: Role::Chair,
            email: None,
            keys: Vec::new(),
        };
        let mut modified = amendment("EU-6", "cooperate", "cooperate closely with the Union");
        modified
            .act(
                &chair,
                Act::Accept {
                    modified: Some(Modification::of_proposal(
                        "cooperate closely with the Organization",
                    )),
                },
                at(2),
            )
            .unwrap();
        let credits = credit_changes(old, new, &[&modified]);
        let words = credited(new, &credits.inserted);
        assert!(
            words.contains(&("closely with the ".to_owned(), Maker::Proposal(0))),
            "{words:?}"
        );
        assert!(
            words.contains(&("Organization".to_owned(), Maker::ChairModifying(0))),
            "{words:?}"
        );
    }

    #[test]
    fn a_hand_edit_is_credited_to_no_one() {
        let old = "States shall cooperate";
        let new = "States shall cooperate closely";
        let credits = credit_changes(old, new, &[]);
        assert!(credits.inserted.is_empty() && credits.deleted.is_empty());
    }
}
