//! The token-level edit script that alignment produces, the clean-up pass simplifies and the
//! segment builder turns into text.
//!
//! An edit script is a list of [`Edit`]s over the significant tokens of both texts (see
//! `tokenized_text`). It keeps three invariants, which [`push_edit`] maintains and every stage
//! relies on:
//!
//! - the edits tile both token sequences in order, with no gaps and no overlaps;
//! - no edit is empty, and an `Equal` edit covers as many old tokens as new tokens;
//! - no two neighbours have the same kind, so equal runs and changes alternate.

use std::ops::Range;

/// Whether a stretch of tokens is the same in both texts or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EditKind {
    /// The old and new tokens compare equal (their texts may differ only in whitespace).
    Equal,
    /// The old tokens (possibly none) were replaced by the new tokens (possibly none).
    Change,
}

/// One step of an edit script: a range of old token indices and a range of new token indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edit {
    pub(super) kind: EditKind,
    pub(super) old: Range<usize>,
    pub(super) new: Range<usize>,
}

/// Appends an edit to a script, merging it into the last edit when both have the same kind.
///
/// Empty edits are dropped. The caller must append edits in order (each edit starts where the
/// previous one ended); merging then just extends the ranges.
pub(super) fn push_edit(
    edits: &mut Vec<Edit>,
    kind: EditKind,
    old: Range<usize>,
    new: Range<usize>,
) {
    if old.is_empty() && new.is_empty() {
        return;
    }
    if let Some(last) = edits.last_mut()
        && last.kind == kind
    {
        last.old.end = old.end;
        last.new.end = new.end;
        return;
    }
    edits.push(Edit { kind, old, new });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_edit_merges_neighbours_of_the_same_kind_and_drops_empty_edits() {
        let mut edits = Vec::new();
        push_edit(&mut edits, EditKind::Equal, 0..2, 0..2);
        push_edit(&mut edits, EditKind::Change, 2..3, 2..2);
        push_edit(&mut edits, EditKind::Change, 3..3, 2..4);
        push_edit(&mut edits, EditKind::Equal, 3..3, 4..4);
        push_edit(&mut edits, EditKind::Equal, 3..4, 4..5);
        assert_eq!(
            edits,
            vec![
                Edit {
                    kind: EditKind::Equal,
                    old: 0..2,
                    new: 0..2
                },
                Edit {
                    kind: EditKind::Change,
                    old: 2..3,
                    new: 2..4
                },
                Edit {
                    kind: EditKind::Equal,
                    old: 3..4,
                    new: 4..5
                },
            ]
        );
    }
}
