//! Three-way merge of wordings, word by word, for carrying an amendment onto a newer text.
//!
//! An amendment was drafted against a base wording; since then a revision changed the clause.
//! If the amendment's edits and the revision's edits are apart, with at least one word that
//! neither changed between them, both can stand:
//!
//! ```text
//! base:      States shall cooperate closely
//! amendment: States should cooperate closely        (edits "shall")
//! current:   All States shall cooperate closely     (inserts "All " at the start)
//! merged:    All States should cooperate closely    ("States" stands between the edits)
//! ```
//!
//! Where the edits overlap or touch (two insertions at the same place, an insertion next to a
//! changed word, changes to neighbouring words with only spaces or punctuation between them),
//! any merged text would be a guess at what the proposer meant, and [`merge3`] returns `None`:
//!
//! ```text
//! base:      to protect all life
//! amendment: to protect every human life            (edits "all")
//! current:   to protect all living beings           (edits "life", the next word)
//! merged:    none; "every human living beings" is what neither side wrote
//! ```

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::blame::tokens;

/// One side's change, in base token positions: replace `base[start..end]` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit<'a> {
    start: usize,
    end: usize,
    replacement: Vec<&'a str>,
}

/// Merges the changes base→ours and base→theirs, or `None` when they overlap or touch.
///
/// A change made identically on both sides is taken once. Returns `ours` when `theirs` is the
/// base, and `theirs` when `ours` is.
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Option<String> {
    let base_tokens = tokens(base);
    let our_tokens = tokens(ours);
    let their_tokens = tokens(theirs);
    let our_edits = edits(&base_tokens, &our_tokens);
    let their_edits = edits(&base_tokens, &their_tokens);

    let mut all: Vec<Edit<'_>> = our_edits.clone();
    for theirs in their_edits {
        if our_edits.contains(&theirs) {
            continue; // Both sides made the very same change.
        }
        if our_edits
            .iter()
            .any(|ours| collide(&base_tokens, ours, &theirs))
        {
            return None;
        }
        all.push(theirs);
    }
    all.sort_by_key(|edit| std::cmp::Reverse((edit.start, edit.end)));
    let mut merged: Vec<&str> = base_tokens;
    for edit in all {
        merged.splice(edit.start..edit.end, edit.replacement);
    }
    Some(merged.concat())
}

fn edits<'a>(base: &[&str], side: &[&'a str]) -> Vec<Edit<'a>> {
    capture_diff_slices(Algorithm::Patience, base, side)
        .into_iter()
        .filter_map(|op| {
            let (start, end, new_start, new_end) = match op {
                DiffOp::Equal { .. } => return None,
                DiffOp::Delete {
                    old_index,
                    old_len,
                    new_index,
                } => (old_index, old_index + old_len, new_index, new_index),
                DiffOp::Insert {
                    old_index,
                    new_index,
                    new_len,
                } => (old_index, old_index, new_index, new_index + new_len),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => (
                    old_index,
                    old_index + old_len,
                    new_index,
                    new_index + new_len,
                ),
            };
            Some(Edit {
                start,
                end,
                replacement: side[new_start..new_end].to_vec(),
            })
        })
        .collect()
}

/// Two edits collide when their base ranges overlap or touch: no unchanged word stands between
/// them. White space and punctuation do not keep edits apart, because the words on either side
/// of them are read together ("all life"); so two insertions at one place collide (their order
/// would be a guess), and so do an insertion inside or next to a change, and changes of two
/// neighbouring words.
fn collide(base: &[&str], a: &Edit<'_>, b: &Edit<'_>) -> bool {
    let (first, second) = if (a.start, a.end) <= (b.start, b.end) {
        (a, b)
    } else {
        (b, a)
    };
    if first.end > second.start {
        return true; // Overlap, or an insertion strictly inside the other's range.
    }
    !base[first.end..second.start]
        .iter()
        .any(|token| is_word(token))
}

/// A token of letters or digits ([`tokens`] keeps each word whole).
fn is_word(token: &str) -> bool {
    token.chars().next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::{merge3, tokens};
    use proptest::prelude::*;

    /// `merge3(base, ours, theirs)` gives `expected`; so does the same merge with the sides
    /// swapped, since neither side wins.
    fn check(base: &str, ours: &str, theirs: &str, expected: Option<&str>) {
        assert_eq!(
            merge3(base, ours, theirs).as_deref(),
            expected,
            "ours: {ours:?}"
        );
        assert_eq!(
            merge3(base, theirs, ours).as_deref(),
            expected,
            "swapped: {ours:?}"
        );
    }

    #[test]
    fn separate_edits_both_stand() {
        check(
            "States shall cooperate closely",
            "States should cooperate closely",
            "All States shall cooperate closely",
            Some("All States should cooperate closely"),
        );
        check(
            "a b c d e f",
            "a X c d e f",
            "a b c d Y f",
            Some("a X c d Y f"),
        );
        // One unchanged word between the edits is enough.
        check("a b c d", "a X c d", "a b c Y", Some("a X c Y"));
        check("a b c d", "a c d", "a b c", Some("a c"));
    }

    #[test]
    fn edits_of_the_same_words_conflict() {
        check(
            "States shall cooperate",
            "States should cooperate",
            "States must cooperate",
            None,
        );
        check("a b c d", "a X Y d", "a b Z d", None);
    }

    #[test]
    fn edits_of_neighbouring_words_conflict() {
        // Issue 18: the revision and the amendment each rewrote one of the two words of
        // "all life"; "every human living beings" is what neither side wrote.
        check(
            "to protect all life",
            "to protect every human life",
            "to protect all living beings",
            None,
        );
        check("a b c d", "a X c d", "a b Y d", None);
        // Punctuation between two words does not keep their edits apart either.
        check("a b, c d", "a X, c d", "a b, Y d", None);
    }

    #[test]
    fn insertions_at_one_place_or_next_to_a_change_conflict() {
        check("a b c", "a X b c", "a Y b c", None);
        check("a b", "a b X", "a b Y", None);
        check("X a", "Y X a", "Z X a", None);
        // An insertion just before or after a changed word.
        check("a b c", "a X b c", "a Y c", None);
        check("a b c", "a b X c", "a Y c", None);
        // An insertion next to a deletion.
        check("a b c d", "a c d", "a b X c d", None);
    }

    #[test]
    fn the_same_change_on_both_sides_is_taken_once() {
        check("a b c", "a X c", "a X c", Some("a X c"));
        check("a b c d e", "a X c d e", "a X c d Y", Some("a X c d Y"));
    }

    #[test]
    fn no_change_on_one_side_gives_the_other() {
        check("a b", "a b", "a c", Some("a c"));
        check("a b c", "a b c", "Z b Y", Some("Z b Y"));
        check("", "", "new", Some("new"));
    }

    /// One side's plan over a base of distinct words: per base word, keep (most likely),
    /// delete or replace, and whether to insert a word before it; one more entry for an
    /// insertion at the end.
    fn plan(n_words: usize) -> impl Strategy<Value = Vec<(u8, bool)>> {
        let action = prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)];
        prop::collection::vec((action, prop::bool::weighted(0.2)), n_words + 1)
    }

    /// Applies `plan` to `base`, changing only the words in `words` and inserting only in the
    /// gaps in `gaps` (gap `i` is before word `i`). New words are `{tag}0`, `{tag}1`, ...,
    /// never base words, so the words of a side tell exactly what it changed.
    fn apply(
        base: &[String],
        plan: &[(u8, bool)],
        tag: &str,
        words: std::ops::Range<usize>,
        gaps: std::ops::Range<usize>,
    ) -> Vec<String> {
        let mut side = Vec::new();
        let mut n_new = 0;
        let mut new_word = |side: &mut Vec<String>| {
            side.push(format!("{tag}{n_new}"));
            n_new += 1;
        };
        for (idx, &(action, insert)) in plan.iter().enumerate().take(base.len() + 1) {
            if insert && gaps.contains(&idx) {
                new_word(&mut side);
            }
            let Some(word) = base.get(idx) else {
                break;
            };
            match if words.contains(&idx) { action } else { 0 } {
                0 => side.push(word.clone()),
                1 => {}
                _ => new_word(&mut side),
            }
        }
        side
    }

    fn words(text: &str) -> Vec<String> {
        tokens(text)
            .into_iter()
            .filter(|token| super::is_word(token))
            .map(str::to_owned)
            .collect()
    }

    /// Checks that `merged` holds both sides' edits: every word either side inserted is there,
    /// every base word either side deleted is gone, and read with only the words of one side
    /// (base words and its own new ones), it is that side less the other's deletions.
    fn check_preserved(
        base: &[String],
        sides: [(&[String], &str); 2],
        merged: &str,
    ) -> Result<(), TestCaseError> {
        let merged = words(merged);
        for (idx, (side, tag)) in sides.into_iter().enumerate() {
            let (other, other_tag) = sides[1 - idx];
            let seen: Vec<&String> = merged
                .iter()
                .filter(|word| !word.starts_with(other_tag))
                .collect();
            let expected: Vec<&String> = side
                .iter()
                .filter(|word| !base.contains(word) || other.contains(word))
                .collect();
            prop_assert_eq!(seen, expected, "as side {} reads it", tag);
        }
        Ok(())
    }

    proptest! {
        /// Whatever the two sides did, a merge that succeeds holds both sides' edits, the sides
        /// can be swapped, and a side that changed nothing yields the other.
        #[test]
        fn a_merge_holds_both_sides_edits(
            n_words in 0usize..8,
            our_plan in plan(8),
            their_plan in plan(8),
        ) {
            let base: Vec<String> = (0..n_words).map(|idx| format!("w{idx}")).collect();
            let ours = apply(&base, &our_plan, "o", 0..n_words, 0..n_words + 1);
            let theirs = apply(&base, &their_plan, "t", 0..n_words, 0..n_words + 1);
            let (base_text, our_text, their_text) =
                (base.join(" "), ours.join(" "), theirs.join(" "));
            let merged = merge3(&base_text, &our_text, &their_text);
            prop_assert_eq!(&merged, &merge3(&base_text, &their_text, &our_text));
            prop_assert_eq!(merge3(&base_text, &our_text, &base_text), Some(our_text.clone()));
            prop_assert_eq!(merge3(&base_text, &base_text, &their_text), Some(their_text.clone()));
            prop_assert_eq!(merge3(&base_text, &our_text, &our_text), Some(our_text.clone()));
            if let Some(merged) = merged {
                check_preserved(&base, [(&ours, "o"), (&theirs, "t")], &merged)?;
            }
        }

        /// Edits with an unchanged word between them always merge: one side works before base
        /// word `keep` (up to an insertion just before it), the other after it.
        #[test]
        fn edits_apart_always_merge(
            n_words in 1usize..8,
            keep in 0usize..8,
            our_plan in plan(8),
            their_plan in plan(8),
        ) {
            let keep = keep % n_words;
            let base: Vec<String> = (0..n_words).map(|idx| format!("w{idx}")).collect();
            let ours = apply(&base, &our_plan, "o", 0..keep, 0..keep + 1);
            let theirs = apply(&base, &their_plan, "t", keep + 1..n_words, keep + 1..n_words + 1);
            let merged = merge3(&base.join(" "), &ours.join(" "), &theirs.join(" "));
            prop_assert!(merged.is_some(), "{:?} / {:?}", ours, theirs);
            check_preserved(&base, [(&ours, "o"), (&theirs, "t")], &merged.unwrap())?;
        }

        /// Edits of neighbouring words never merge, whatever else either side did: one side
        /// deletes or replaces base word `at`, the other changes the next word or inserts
        /// right after word `at`.
        #[test]
        fn edits_that_touch_never_merge(
            n_words in 1usize..8,
            at in 0usize..8,
            our_change in 1u8..3,
            their_change in 0u8..3,
            our_plan in plan(8),
            their_plan in plan(8),
        ) {
            let at = at % n_words;
            let base: Vec<String> = (0..n_words).map(|idx| format!("w{idx}")).collect();
            let (mut our_plan, mut their_plan) = (our_plan, their_plan);
            our_plan[at].0 = our_change;
            // Each side leaves alone what the other changes there, or the two would have made
            // the same edit, which is taken once.
            their_plan[at].0 = 0;
            our_plan[at + 1] = (0, false);
            if their_change == 0 || at + 1 == n_words {
                their_plan[at + 1].1 = true;
            } else {
                their_plan[at + 1].0 = their_change;
            }
            let ours = apply(&base, &our_plan, "o", 0..n_words, 0..n_words + 1);
            let theirs = apply(&base, &their_plan, "t", 0..n_words, 0..n_words + 1);
            let merged = merge3(&base.join(" "), &ours.join(" "), &theirs.join(" "));
            prop_assert_eq!(merged, None, "{:?} / {:?}", ours, theirs);
        }
    }
}
