//! Three-way merge of wordings, word by word, for carrying an amendment onto a newer text.
//!
//! An amendment was drafted against a base wording; since then a revision changed the clause.
//! If the amendment's edits and the revision's edits touch different words, both can stand:
//!
//! ```text
//! base:      States shall cooperate closely
//! amendment: States should cooperate closely        (edits "shall")
//! current:   All States shall cooperate closely     (inserts "All " at the start)
//! merged:    All States should cooperate closely
//! ```
//!
//! Where both touch the same words (or insert at the same place), there is no safe answer and
//! the proposer must redraft: [`merge3`] returns `None`.

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::blame::tokens;

/// One side's change, in base token positions: replace `base[start..end]` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit<'a> {
    start: usize,
    end: usize,
    replacement: Vec<&'a str>,
}

/// Merges the changes base→ours and base→theirs, or `None` when they overlap.
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
        if our_edits.iter().any(|ours| collide(ours, &theirs)) {
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

/// Two edits collide when they change a common base token, start at the same place (their
/// order would be a guess), or one inserts inside the other's range.
fn collide(a: &Edit<'_>, b: &Edit<'_>) -> bool {
    let overlap = a.start < b.end && b.start < a.end;
    let inside = |insert: &Edit<'_>, range: &Edit<'_>| {
        insert.start == insert.end && range.start < insert.start && insert.start < range.end
    };
    overlap || a.start == b.start || inside(a, b) || inside(b, a)
}

#[cfg(test)]
mod tests {
    use super::merge3;

    #[test]
    fn separate_edits_both_stand() {
        assert_eq!(
            merge3(
                "States shall cooperate closely",
                "States should cooperate closely",
                "All States shall cooperate closely"
            )
            .as_deref(),
            Some("All States should cooperate closely")
        );
        assert_eq!(
            merge3("a b c d e f", "a X c d e f", "a b c d Y f").as_deref(),
            Some("a X c d Y f")
        );
    }

    #[test]
    fn edits_of_the_same_words_conflict() {
        assert_eq!(
            merge3(
                "States shall cooperate",
                "States should cooperate",
                "States must cooperate"
            ),
            None
        );
        assert_eq!(merge3("a b c", "a X b c", "a Y b c"), None);
    }

    #[test]
    fn the_same_change_on_both_sides_is_taken_once() {
        assert_eq!(merge3("a b c", "a X c", "a X c").as_deref(), Some("a X c"));
    }

    #[test]
    fn no_change_on_one_side_gives_the_other() {
        assert_eq!(merge3("a b", "a b", "a c").as_deref(), Some("a c"));
        assert_eq!(merge3("a b", "a c", "a b").as_deref(), Some("a c"));
    }
}
