//! The semantic clean-up: folds short equal runs between two changes into the changes, so a
//! rewritten sentence reads as one deletion and one insertion instead of confetti.
//!
//! A word diff finds the longest common subsequence of tokens, and in a rewritten sentence
//! that subsequence is mostly small words ("to", "the", "of") and punctuation that happen to
//! survive. Showing them as unchanged is exact but unreadable: the reviewer must reassemble the
//! old and the new sentence from fragments. This pass trades exactness for readability (it is
//! lossy: some tokens that are equal get shown as deleted and inserted again), following the
//! idea of diff-match-patch's `diff_cleanupSemantic`, with sizes counted in words.
//!
//! # The rule
//!
//! An equal run that sits between two changes is folded into them (its text becomes part of
//! both the deletion and the insertion, and the three edits become one change) when
//!
//! - it holds no word at all (only punctuation), or
//! - it holds fewer words than the change on each of its sides, where a change's size is the
//!   larger of its deleted and inserted word counts, or
//! - it holds one or two words, all small ones (articles, prepositions, conjunctions,
//!   possessives: "the", "of", "to", "their"), and the changes on both sides replace words
//!   (each deletes and inserts): `{--promote--}{++enhance++} the {--use--}{++application++}`
//!   is one rewritten phrase, read as `{--promote the use--}{++enhance the application++}`.
//!   A small word next to a pure insertion or deletion, or any larger word, keeps its place.
//!
//! Folding makes a change bigger, which can make the equal run before it foldable in turn, so
//! the rule is applied until nothing changes. Equal runs at the very start or end are never
//! folded (they sit next to only one change), and neither is an equal run that contains or
//! touches a line break: folding it would make one change span two paragraphs, which renders
//! as both old paragraphs followed by both new ones.
//!
//! # Worked example
//!
//! ```text
//! old:  The parties agree to promote the use of renewable energy.
//! new:  Member states commit to a rapid expansion of solar power.
//!
//! word diff:  [-The parties agree-]{+Member states commit+} to [-promote the use-]{+a rapid
//!             expansion+} of [-renewable energy-]{+solar power+}.
//! ```
//!
//! 1. "to" (1 word) sits between changes of 3 and 3 words: 1 < 3 and 1 < 3, so it is folded.
//!    The first change is now "The parties agree to promote the use" / "Member states commit
//!    to a rapid expansion", 7 words on each side.
//! 2. "of" (1 word) sits between changes of 7 and 2 words: folded as well.
//! 3. "." is the last edit, next to one change only: kept.
//!
//! ```text
//! clean:  [-The parties agree to promote the use of renewable energy-]{+Member states commit
//!         to a rapid expansion of solar power+}.
//! ```
//!
//! A real edit keeps its context: in `the parties [-shall-]{+should+} promote` there is no equal
//! run between two changes, and in `[-The-]{+Both+} parties [-shall-]{+should+}` the run
//! "parties" (1 word) is not fewer than the 1-word change on either side, so both stay.
//!
//! # Cost
//!
//! One pass over the edits with a stack: each edit is pushed once and folded at most once, so
//! the pass is linear in the number of edits.

use super::edit::{Edit, EditKind};

/// What the clean-up needs to know about an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct EditWeight {
    /// Words among the edit's old tokens.
    pub(super) old_words: usize,
    /// Words among the edit's new tokens.
    pub(super) new_words: usize,
    /// Whether the edit's text, including the whitespace on both sides of it, holds a line
    /// break in either text. Only consulted for equal runs.
    pub(super) touches_line_break: bool,
    /// Whether every word of the edit is a small word ([`is_small_word`]). Only consulted for
    /// equal runs of one or two words.
    pub(super) small_words_only: bool,
}

/// Function words that hold a rewritten phrase together without carrying its meaning, in the
/// languages whose words are spaced (English, French, Spanish, Russian).
pub(super) fn is_small_word(word: &str) -> bool {
    const SMALL_WORDS: &[&str] = &[
        "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "and",
        "or", "as", "its", "their", "his", "her", "our", "this", "that", "these", "those", "le",
        "la", "les", "l", "de", "des", "du", "d", "et", "ou", "à", "au", "aux", "en", "el", "los",
        "las", "del", "y", "o", "и", "в", "на", "с", "по", "к", "о",
    ];
    let lower = word.to_lowercase();
    SMALL_WORDS.contains(&lower.as_str())
}

/// Applies the clean-up rule (see the module doc) to `edits` until it is stable.
///
/// `weigh` is called once per input edit. The input must satisfy the edit script invariants
/// (see `edit`); so does the output.
pub(super) fn fold_confetti(edits: Vec<Edit>, weigh: impl Fn(&Edit) -> EditWeight) -> Vec<Edit> {
    let mut stack: Vec<(Edit, EditWeight)> = Vec::with_capacity(edits.len());
    for edit in edits {
        let weight = weigh(&edit);
        stack.push((edit, weight));
        // Only a change on top can complete the pattern change, equal, change. After a fold
        // the merged change is on top and the equal run below it may have become foldable,
        // hence the loop.
        while let [.., before, equal, after] = stack.as_mut_slice()
            && should_fold(before, equal, after)
        {
            let ((before_edit, before_weight), (_, equal_weight), (after_edit, after_weight)) =
                (before, equal, after);
            before_edit.old.end = after_edit.old.end;
            before_edit.new.end = after_edit.new.end;
            before_weight.old_words += equal_weight.old_words + after_weight.old_words;
            before_weight.new_words += equal_weight.new_words + after_weight.new_words;
            // Drop the equal run and the second change, now part of the first change.
            stack.truncate(stack.len() - 2);
        }
    }
    stack.into_iter().map(|(edit, _)| edit).collect()
}

fn should_fold(
    (before, before_weight): &(Edit, EditWeight),
    (equal, equal_weight): &(Edit, EditWeight),
    (after, after_weight): &(Edit, EditWeight),
) -> bool {
    if before.kind != EditKind::Change
        || equal.kind != EditKind::Equal
        || after.kind != EditKind::Change
        || equal_weight.touches_line_break
    {
        return false;
    }
    // Equal tokens have equal texts, so the old and new word counts of an equal run agree.
    let equal_words = equal_weight.old_words;
    let before_size = before_weight.old_words.max(before_weight.new_words);
    let after_size = after_weight.old_words.max(after_weight.new_words);
    let replaces = |weight: &EditWeight| weight.old_words > 0 && weight.new_words > 0;
    equal_words == 0
        || (equal_words < before_size && equal_words < after_size)
        || (equal_words <= 2
            && equal_weight.small_words_only
            && replaces(before_weight)
            && replaces(after_weight))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a script from `(kind, old words, new words)` triples, one token per word (an
    /// equal run of 0 words gets one punctuation token), cleans it and renders the result the
    /// same way, so the rule can be checked on word counts alone.
    fn check(script: &[(EditKind, usize, usize)], expected: &[(EditKind, usize, usize)]) {
        let mut edits = Vec::new();
        let (mut old_is_word, mut new_is_word) = (Vec::new(), Vec::new());
        for &(kind, old_words, new_words) in script {
            let punctuation_only = kind == EditKind::Equal && old_words == 0;
            let old_start = old_is_word.len();
            let new_start = new_is_word.len();
            if punctuation_only {
                old_is_word.push(false);
                new_is_word.push(false);
            }
            old_is_word.extend(std::iter::repeat_n(true, old_words));
            new_is_word.extend(std::iter::repeat_n(true, new_words));
            edits.push(Edit {
                kind,
                old: old_start..old_is_word.len(),
                new: new_start..new_is_word.len(),
            });
        }
        let count = |is_word: &[bool]| is_word.iter().filter(|&&word| word).count();
        let weigh = |edit: &Edit| EditWeight {
            old_words: count(&old_is_word[edit.old.clone()]),
            new_words: count(&new_is_word[edit.new.clone()]),
            touches_line_break: false,
            small_words_only: false,
        };
        let rendered: Vec<(EditKind, usize, usize)> = fold_confetti(edits, weigh)
            .iter()
            .map(|edit| (edit.kind, weigh(edit).old_words, weigh(edit).new_words))
            .collect();
        assert_eq!(rendered, expected);
    }

    use EditKind::{Change, Equal};

    #[test]
    fn short_equal_run_between_bigger_changes_is_folded() {
        check(
            &[(Change, 3, 3), (Equal, 1, 1), (Change, 3, 2)],
            &[(Change, 7, 6)],
        );
    }

    #[test]
    fn equal_run_as_big_as_a_neighbouring_change_is_kept() {
        let script = [(Change, 1, 1), (Equal, 1, 1), (Change, 1, 1)];
        check(&script, &script);
    }

    #[test]
    fn equal_runs_at_the_edges_are_kept() {
        let script = [(Equal, 1, 1), (Change, 5, 5), (Equal, 1, 1)];
        check(&script, &script);
    }

    #[test]
    fn equal_run_without_words_is_folded_even_between_small_changes() {
        check(
            &[(Change, 1, 1), (Equal, 0, 0), (Change, 1, 1)],
            &[(Change, 2, 2)],
        );
    }

    #[test]
    fn folding_cascades_backwards_until_stable() {
        // The 2-word run is not foldable at first (the change after it has 1 word); once the
        // punctuation run after that change is folded, the change has 4 words and the 2-word
        // run folds too.
        check(
            &[
                (Change, 3, 3),
                (Equal, 2, 2),
                (Change, 1, 1),
                (Equal, 0, 0),
                (Change, 3, 3),
            ],
            &[(Change, 9, 9)],
        );
    }

    #[test]
    fn equal_run_touching_a_line_break_is_kept() {
        let edits = vec![
            Edit {
                kind: Change,
                old: 0..3,
                new: 0..3,
            },
            Edit {
                kind: Equal,
                old: 3..3,
                new: 3..3,
            },
            Edit {
                kind: Change,
                old: 3..6,
                new: 3..6,
            },
        ];
        let cleaned = fold_confetti(edits.clone(), |edit| EditWeight {
            old_words: edit.old.len(),
            new_words: edit.new.len(),
            touches_line_break: edit.kind == Equal,
            small_words_only: true,
        });
        assert_eq!(cleaned, edits);
    }

    #[test]
    fn small_words_between_two_replacements_are_folded_but_not_next_to_an_insertion() {
        let edits = |first: (usize, usize), second: (usize, usize)| {
            vec![
                Edit {
                    kind: Change,
                    old: 0..first.0,
                    new: 0..first.1,
                },
                Edit {
                    kind: Equal,
                    old: first.0..first.0 + 1,
                    new: first.1..first.1 + 1,
                },
                Edit {
                    kind: Change,
                    old: first.0 + 1..first.0 + 1 + second.0,
                    new: first.1 + 1..first.1 + 1 + second.1,
                },
            ]
        };
        let clean = |script: Vec<Edit>, small: bool| {
            fold_confetti(script, |edit| EditWeight {
                old_words: edit.old.len(),
                new_words: edit.new.len(),
                touches_line_break: false,
                small_words_only: small,
            })
            .len()
        };
        assert_eq!(clean(edits((1, 1), (1, 1)), true), 1, "the: folded");
        assert_eq!(clean(edits((1, 1), (1, 1)), false), 3, "parties: kept");
        assert_eq!(
            clean(edits((0, 1), (1, 1)), true),
            3,
            "next to an insertion: kept"
        );
    }
}
