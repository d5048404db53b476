//! The line pass: sets aside the lines the two texts share, byte for byte, before anything is
//! tokenized, so that only the changed stretches of a long document reach the word engine.
//!
//! A long document changed in a fifth of its paragraphs is mostly unchanged lines, and
//! tokenizing, interning and block-matching them costs more than the word diff itself. Lines
//! are compared as they are, which is exact and cheap; a line that differs only in whitespace
//! is simply passed on, and the engine then finds it unchanged.
//!
//! Only runs of equal lines that hold some text anchor the alignment: blank lines occur
//! everywhere, and matching them would cut a rewritten passage at its paragraph breaks (the
//! engine, too, never anchors on blank lines: they hold no token).

use std::ops::Range;
use std::time::Instant;

use rustc_hash::FxHashMap;
use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

/// A stretch of both texts: byte ranges of the old and the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LinePiece {
    /// The same lines in both texts.
    Equal {
        old: Range<usize>,
        new: Range<usize>,
    },
    /// Lines that differ (either side may be empty).
    Changed {
        old: Range<usize>,
        new: Range<usize>,
    },
}

/// Cuts `old` and `new` into equal and changed stretches of whole lines, in text order.
///
/// The pieces tile both texts; no two neighbouring pieces have the same kind. With fewer than
/// two lines on either side there is nothing to set aside and the whole is one piece.
pub(super) fn split_by_lines(old: &str, new: &str, deadline: Option<Instant>) -> Vec<LinePiece> {
    if old == new {
        return vec![LinePiece::Equal {
            old: 0..old.len(),
            new: 0..new.len(),
        }];
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    if old_lines.len() < 2 || new_lines.len() < 2 {
        return vec![LinePiece::Changed {
            old: 0..old.len(),
            new: 0..new.len(),
        }];
    }
    let old_starts = line_starts(&old_lines);
    let new_starts = line_starts(&new_lines);

    // Lines are compared as small ids: hashing each line once here is far cheaper than the
    // diff hashing and comparing whole lines again and again.
    let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
    let old_ids = intern_lines(&old_lines, &mut ids);
    let new_ids = intern_lines(&new_lines, &mut ids);

    let mut pieces = Vec::new();
    let ops = capture_diff_slices_deadline(Algorithm::Patience, &old_ids, &new_ids, deadline);
    for op in ops {
        let (old_lines_range, new_lines_range) = (op.old_range(), op.new_range());
        let old_bytes = old_starts[old_lines_range.start]..old_starts[old_lines_range.end];
        let new_bytes = new_starts[new_lines_range.start]..new_starts[new_lines_range.end];
        let anchors = op.tag() == DiffTag::Equal
            && old_lines[old_lines_range]
                .iter()
                .any(|line| !line.trim().is_empty());
        push_piece(&mut pieces, anchors, old_bytes, new_bytes);
    }
    pieces
}

/// Whether the texts hold the same characters once whitespace is left out. Then the changes
/// are whitespace only, possibly moving line breaks across lines that happen to be equal, and
/// the engine must see the texts whole to find them unchanged.
pub(super) fn same_but_for_whitespace(old: &str, new: &str) -> bool {
    // Stops at the first difference, which in most compared texts comes early.
    let significant = |text| str::chars(text).filter(|character| !character.is_whitespace());
    significant(old).eq(significant(new))
}

/// Gives each distinct line a small id, shared by both texts.
fn intern_lines<'text>(lines: &[&'text str], ids: &mut FxHashMap<&'text str, usize>) -> Vec<usize> {
    lines
        .iter()
        .map(|line| {
            let next = ids.len();
            *ids.entry(line).or_insert(next)
        })
        .collect()
}

/// The byte offset of each line's start, and the text's length after the last.
fn line_starts(lines: &[&str]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(lines.len() + 1);
    let mut offset = 0;
    starts.push(offset);
    for line in lines {
        offset += line.len();
        starts.push(offset);
    }
    starts
}

/// Appends a stretch, joining it to the previous piece when both are of the same kind.
fn push_piece(pieces: &mut Vec<LinePiece>, equal: bool, old: Range<usize>, new: Range<usize>) {
    if old.is_empty() && new.is_empty() {
        return;
    }
    match (pieces.last_mut(), equal) {
        (Some(LinePiece::Equal { old: o, new: n }), true)
        | (Some(LinePiece::Changed { old: o, new: n }), false) => {
            o.end = old.end;
            n.end = new.end;
        }
        (_, true) => pieces.push(LinePiece::Equal { old, new }),
        (_, false) => pieces.push(LinePiece::Changed { old, new }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(
        old: &'a str,
        new: &'a str,
        pieces: &[LinePiece],
    ) -> Vec<(bool, &'a str, &'a str)> {
        pieces
            .iter()
            .map(|piece| match piece {
                LinePiece::Equal { old: o, new: n } => (true, &old[o.clone()], &new[n.clone()]),
                LinePiece::Changed { old: o, new: n } => (false, &old[o.clone()], &new[n.clone()]),
            })
            .collect()
    }

    #[test]
    fn unchanged_lines_are_set_aside() {
        let old = "Title\n\nThe parties shall act.\n\nClosing words.\n";
        let new = "Title\n\nThe parties should act.\n\nClosing words.\n";
        let pieces = split_by_lines(old, new, None);
        assert_eq!(
            texts(old, new, &pieces),
            vec![
                (true, "Title\n\n", "Title\n\n"),
                (
                    false,
                    "The parties shall act.\n",
                    "The parties should act.\n"
                ),
                (true, "\nClosing words.\n", "\nClosing words.\n"),
            ]
        );
    }

    #[test]
    fn blank_lines_alone_do_not_anchor() {
        let old = "First old paragraph.\n\nSecond old paragraph.\n";
        let new = "A new beginning.\n\nAnd a new end.\n";
        let pieces = split_by_lines(old, new, None);
        assert_eq!(texts(old, new, &pieces), vec![(false, old, new)]);
    }

    #[test]
    fn whitespace_alone_is_told_apart() {
        assert!(same_but_for_whitespace("a, b\nc", "a ,b c\n"));
        assert!(!same_but_for_whitespace("a b", "a c"));
    }

    #[test]
    fn single_lines_are_one_piece() {
        let pieces = split_by_lines("one line", "one changed line", None);
        assert_eq!(
            pieces,
            vec![LinePiece::Changed {
                old: 0..8,
                new: 0..16
            }]
        );
        assert_eq!(
            split_by_lines("same\ntext", "same\ntext", None),
            vec![LinePiece::Equal {
                old: 0..9,
                new: 0..9
            }]
        );
    }

    #[test]
    fn inserted_and_deleted_lines_become_changes() {
        let old = "a\nb\nc\n";
        let new = "a\nc\nd\n";
        let pieces = split_by_lines(old, new, None);
        assert_eq!(
            texts(old, new, &pieces),
            vec![
                (true, "a\n", "a\n"),
                (false, "b\n", ""),
                (true, "c\n", "c\n"),
                (false, "", "d\n"),
            ]
        );
    }
}
