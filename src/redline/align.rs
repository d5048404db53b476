//! Alignment: matches unchanged blocks (paragraphs, sentences) first, then word-diffs only the
//! changed regions between them, each within a time budget; produces the edit script.
//!
//! Steps:
//!
//! 1. The common prefix and suffix of the two token sequences are equal and set aside. This is
//!    exact and cheap, and it means a whitespace-only edit (which leaves the token sequences
//!    identical when whitespace is hidden) never reaches the heuristic steps below, even when
//!    it moves line breaks and so changes the blocks.
//! 2. The blocks of the middle are diffed, each block compared by its token ids. Large, mostly
//!    unchanged documents are settled here in one cheap pass over block keys.
//! 3. Unmatched blocks form *changed regions*. A short matched run between two regions (fewer
//!    than `MIN_ANCHOR_TOKENS` tokens, such as a line holding only "(a)") is a weak anchor that
//!    may have matched the wrong copy, so the regions around it are joined, as long as the
//!    result stays small (`MAX_JOINED_REGION_TOKENS`), and the word diff sees it in context.
//! 4. A large region with as many old blocks as new blocks (a change applied throughout, such
//!    as "shall" -> "should" in every sentence) is taken as edited in place: its blocks are
//!    paired in order and diffed pair by pair, each pair within its own deadline.
//! 5. Each region's tokens are word-diffed with `similar` under a deadline of
//!    `RedlineOptions::deadline_per_block`. When the deadline fires, `similar` gives up on the
//!    rest of the region and reports it as one replacement.
//! 6. A region whose two sides share almost no words once cleaned up (see `cleanup`) is shown
//!    as one deletion and one insertion, keeping only its unchanged edges and any unchanged
//!    whole lines (headings): two unrelated texts come out as a handful of segments, not as
//!    thousands of fragments matched on "the" and ",". With the clean-up turned off this
//!    applies only to large regions (`MAX_RAW_REGION_TOKENS`).
//! 7. The whole script is cleaned up once more, so that short unchanged sentences between two
//!    rewritten ones fold too.
//!
//! The deadline bounds each region, and an overall budget (`OVERALL_BUDGET_IN_DEADLINES`
//! deadlines) bounds the sum: once it is spent, the remaining regions are not word-diffed but
//! shown whole. With the default 200 ms that keeps any input to about a second of diffing.
//! Both limits make the output depend on machine speed, but only for inputs that would
//! otherwise take far longer than any reviewer would wait.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::RedlineOptions;
use super::cleanup::{EditWeight, fold_confetti};
use super::edit::{Edit, EditKind, push_edit};
use super::tokenized_text::TokenizedText;

/// Patience anchors on blocks that occur once in each text, so repeated blocks ("(a)", blank
/// headings) do not pull the alignment out of place. (Histogram aligns as well but checks the
/// clock once per block compared, which doubled the time of large documents.)
const BLOCK_DIFF_ALGORITHM: Algorithm = Algorithm::Patience;

/// Myers finds a shortest edit script; within one region that keeps word edits small, and its
/// heuristics in similar 3.x keep it bounded on hard inputs.
const WORD_DIFF_ALGORITHM: Algorithm = Algorithm::Myers;

/// A run of matched blocks between two changed regions anchors the alignment only when it has
/// at least this many tokens; a shorter one is word-diffed along with its neighbours.
const MIN_ANCHOR_TOKENS: usize = 8;

/// Regions are joined across a weak anchor only while the result has at most this many tokens
/// (both sides together), so joining cannot build one huge, slow region.
const MAX_JOINED_REGION_TOKENS: usize = 4_000;

/// A region with more tokens than this (both sides together) and as many old as new blocks is
/// diffed block pair by block pair.
const LARGE_REGION_TOKENS: usize = 10_000;

/// All regions together may spend this many per-block deadlines before the rest are shown
/// whole.
const OVERALL_BUDGET_IN_DEADLINES: u32 = 5;

/// A changed region whose cleaned-up diff keeps fewer shared words than this percentage of its
/// smaller side is shown as one deletion and one insertion.
const MIN_SHARED_WORDS_PERCENT: usize = 10;

/// With the clean-up off, a region sharing too few words is still coarsened when it has more
/// tokens than this (both sides together), so raw output stays bounded too.
const MAX_RAW_REGION_TOKENS: usize = 2_000;

/// Computes the edit script from `old` to `new`.
pub(super) fn diff_texts(
    old: &TokenizedText,
    new: &TokenizedText,
    options: &RedlineOptions,
) -> Vec<Edit> {
    let overall_deadline = Instant::now()
        .checked_add(options.deadline_per_block.saturating_mul(OVERALL_BUDGET_IN_DEADLINES));

    let n_prefix =
        old.ids.iter().zip(&new.ids).take_while(|(old_id, new_id)| old_id == new_id).count();
    let n_suffix = old.ids[n_prefix..]
        .iter()
        .rev()
        .zip(new.ids[n_prefix..].iter().rev())
        .take_while(|(old_id, new_id)| old_id == new_id)
        .count();
    let old_middle = n_prefix..old.len() - n_suffix;
    let new_middle = n_prefix..new.len() - n_suffix;

    let mut edits = Vec::new();
    push_edit(&mut edits, EditKind::Equal, 0..n_prefix, 0..n_prefix);
    for piece in align_blocks(old, new, old_middle.clone(), new_middle.clone(), options) {
        match piece {
            AlignedPiece::Equal { old: old_tokens, new: new_tokens } => {
                push_edit(&mut edits, EditKind::Equal, old_tokens, new_tokens);
            }
            AlignedPiece::Changed { old: old_tokens, new: new_tokens } => {
                let region_edits =
                    diff_region(old, new, old_tokens, new_tokens, options, overall_deadline);
                for edit in region_edits {
                    push_edit(&mut edits, edit.kind, edit.old, edit.new);
                }
            }
        }
    }
    push_edit(&mut edits, EditKind::Equal, old_middle.end..old.len(), new_middle.end..new.len());

    if options.semantic_cleanup { fold_confetti(edits, weigher(old, new)) } else { edits }
}

/// A stretch of the block alignment, as token ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AlignedPiece {
    /// Matched blocks: the tokens are equal.
    Equal { old: Range<usize>, new: Range<usize> },
    /// A changed region, still to be word-diffed; either side may be empty.
    Changed { old: Range<usize>, new: Range<usize> },
}

/// Diffs the blocks that overlap the given token ranges (clipped to them) and returns the
/// alignment in order: weak anchors joined into the regions around them, large regions edited
/// in place cut into block pairs.
fn align_blocks(
    old: &TokenizedText,
    new: &TokenizedText,
    old_tokens: Range<usize>,
    new_tokens: Range<usize>,
    options: &RedlineOptions,
) -> Vec<AlignedPiece> {
    let old_blocks = clipped_blocks(old, old_tokens.clone());
    let new_blocks = clipped_blocks(new, new_tokens.clone());
    let old_keys: Vec<&[usize]> = old_blocks.iter().map(|block| &old.ids[block.clone()]).collect();
    let new_keys: Vec<&[usize]> = new_blocks.iter().map(|block| &new.ids[block.clone()]).collect();
    let block_ops = capture_diff_slices_deadline(
        BLOCK_DIFF_ALGORITHM,
        &old_keys,
        &new_keys,
        deadline_after(options.deadline_per_block),
    );

    let mut pieces: Vec<AlignedPiece> = Vec::new();
    for op in block_ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_piece = tokens_of_blocks(&old_blocks, old_range, old_tokens.start);
        let new_piece = tokens_of_blocks(&new_blocks, new_range, new_tokens.start);
        if tag == DiffTag::Equal {
            pieces.push(AlignedPiece::Equal { old: old_piece, new: new_piece });
        } else {
            pieces.push(AlignedPiece::Changed { old: old_piece, new: new_piece });
        }
        join_regions_on_top(&mut pieces);
    }
    // similar reports every block, so the pieces cover the middle; this only guards that.
    if pieces.is_empty() && !(old_tokens.is_empty() && new_tokens.is_empty()) {
        pieces.push(AlignedPiece::Changed { old: old_tokens, new: new_tokens });
    }

    let mut paired_pieces = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match piece {
            AlignedPiece::Changed { old: old_region, new: new_region }
                if old_region.len() + new_region.len() > LARGE_REGION_TOKENS =>
            {
                let old_region_blocks = blocks_within(&old_blocks, &old_region);
                let new_region_blocks = blocks_within(&new_blocks, &new_region);
                if old_region_blocks.len() == new_region_blocks.len() {
                    for (old_block, new_block) in old_region_blocks.iter().zip(new_region_blocks) {
                        paired_pieces.push(AlignedPiece::Changed {
                            old: old_block.clone(),
                            new: new_block.clone(),
                        });
                    }
                } else {
                    paired_pieces.push(AlignedPiece::Changed { old: old_region, new: new_region });
                }
            }
            other => paired_pieces.push(other),
        }
    }
    paired_pieces
}

/// Joins the last pieces while they form two neighbouring regions, or two regions around a
/// weak anchor (see the module doc).
fn join_regions_on_top(pieces: &mut Vec<AlignedPiece>) {
    loop {
        match pieces.as_mut_slice() {
            [
                ..,
                AlignedPiece::Changed { old: first_old, new: first_new },
                AlignedPiece::Changed { old: second_old, new: second_new },
            ] => {
                first_old.end = second_old.end;
                first_new.end = second_new.end;
                pieces.pop();
            }
            [
                ..,
                AlignedPiece::Changed { old: first_old, new: first_new },
                AlignedPiece::Equal { old: anchor_old, .. },
                AlignedPiece::Changed { old: second_old, new: second_new },
            ] if anchor_old.len() < MIN_ANCHOR_TOKENS
                && (second_old.end - first_old.start) + (second_new.end - first_new.start)
                    <= MAX_JOINED_REGION_TOKENS =>
            {
                first_old.end = second_old.end;
                first_new.end = second_new.end;
                pieces.truncate(pieces.len() - 2);
            }
            _ => break,
        }
    }
}

/// The blocks of `text` that overlap `tokens`, clipped to it.
fn clipped_blocks(text: &TokenizedText, tokens: Range<usize>) -> Vec<Range<usize>> {
    let first = text.blocks.partition_point(|block| block.end <= tokens.start);
    text.blocks[first..]
        .iter()
        .take_while(|block| block.start < tokens.end)
        .map(|block| block.start.max(tokens.start)..block.end.min(tokens.end))
        .filter(|block| !block.is_empty())
        .collect()
}

/// The blocks lying inside `tokens`, a range made of whole blocks.
fn blocks_within<'blocks>(
    blocks: &'blocks [Range<usize>],
    tokens: &Range<usize>,
) -> &'blocks [Range<usize>] {
    let first = blocks.partition_point(|block| block.start < tokens.start);
    let end = blocks.partition_point(|block| block.end <= tokens.end);
    blocks.get(first..end).unwrap_or_default()
}

/// The token range covered by a range of (clipped) blocks; an empty range of blocks gives the
/// empty token range where those blocks would start (`start_of_all` when there are no blocks).
fn tokens_of_blocks(
    blocks: &[Range<usize>],
    range: Range<usize>,
    start_of_all: usize,
) -> Range<usize> {
    let end_of_all = blocks.last().map_or(start_of_all, |block| block.end);
    let start = blocks.get(range.start).map_or(end_of_all, |block| block.start);
    let end = match range.end.checked_sub(1).and_then(|last| blocks.get(last)) {
        Some(last_block) if !range.is_empty() => last_block.end,
        _ => start,
    };
    start..end
}

/// Word-diffs one changed region, given as token ranges, and returns its edits.
fn diff_region(
    old: &TokenizedText,
    new: &TokenizedText,
    old_tokens: Range<usize>,
    new_tokens: Range<usize>,
    options: &RedlineOptions,
    overall_deadline: Option<Instant>,
) -> Vec<Edit> {
    let budget_spent = overall_deadline.is_some_and(|deadline| Instant::now() > deadline);
    if old_tokens.is_empty() || new_tokens.is_empty() || budget_spent {
        return vec![Edit { kind: EditKind::Change, old: old_tokens, new: new_tokens }];
    }

    let ops = capture_diff_slices_deadline(
        WORD_DIFF_ALGORITHM,
        &old.ids[old_tokens.clone()],
        &new.ids[new_tokens.clone()],
        deadline_after(options.deadline_per_block),
    );
    let mut raw_edits = Vec::with_capacity(ops.len());
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let kind = if tag == DiffTag::Equal { EditKind::Equal } else { EditKind::Change };
        push_edit(
            &mut raw_edits,
            kind,
            shift(old_range, old_tokens.start),
            shift(new_range, new_tokens.start),
        );
    }

    // The shared-word test always looks at the cleaned-up diff, even when the caller wants raw
    // matches: raw matches on "the" and "," would make any two texts look related.
    let cleaned_edits = fold_confetti(raw_edits.clone(), weigher(old, new));
    let shared_words: usize = cleaned_edits
        .iter()
        .filter(|edit| edit.kind == EditKind::Equal)
        .map(|edit| old.words_in(edit.old.clone()))
        .sum();
    let n_region_tokens = old_tokens.len() + new_tokens.len();
    let smaller_side_words = old.words_in(old_tokens).min(new.words_in(new_tokens));
    let shares_too_few = shared_words * 100 < smaller_side_words * MIN_SHARED_WORDS_PERCENT;
    // Without the clean-up the caller asked for raw matches, and gets them, but not by the
    // thousand: a large hopeless region is still coarsened.
    if shares_too_few && (options.semantic_cleanup || n_region_tokens > MAX_RAW_REGION_TOKENS) {
        return coarsen(cleaned_edits, |edit| {
            old.is_whole_lines(edit.old.clone()) && new.is_whole_lines(edit.new.clone())
        });
    }
    if options.semantic_cleanup { cleaned_edits } else { raw_edits }
}

/// Folds every equal run into the changes around it, except the first and last edit and the
/// equal runs that `keep` accepts.
fn coarsen(edits: Vec<Edit>, keep: impl Fn(&Edit) -> bool) -> Vec<Edit> {
    let last_index = edits.len().saturating_sub(1);
    let mut coarse = Vec::new();
    for (index, edit) in edits.into_iter().enumerate() {
        let is_edge = index == 0 || index == last_index;
        let kind = match edit.kind {
            EditKind::Equal if !is_edge && !keep(&edit) => EditKind::Change,
            kind => kind,
        };
        push_edit(&mut coarse, kind, edit.old, edit.new);
    }
    coarse
}

/// The clean-up's view of an edit: its word counts and whether it touches a line break.
fn weigher<'a>(
    old: &'a TokenizedText,
    new: &'a TokenizedText,
) -> impl Fn(&Edit) -> EditWeight + 'a {
    move |edit: &Edit| EditWeight {
        old_words: old.words_in(edit.old.clone()),
        new_words: new.words_in(edit.new.clone()),
        // Only equal runs are asked; scanning the text of every change would be wasted work.
        touches_line_break: edit.kind == EditKind::Equal
            && (old.span_with_gaps(edit.old.clone()).contains('\n')
                || new.span_with_gaps(edit.new.clone()).contains('\n')),
    }
}

fn shift(range: Range<usize>, offset: usize) -> Range<usize> {
    range.start + offset..range.end + offset
}

/// A deadline `budget` from now, or none when the budget is too large to represent.
fn deadline_after(budget: Duration) -> Option<Instant> {
    Instant::now().checked_add(budget)
}

#[cfg(test)]
mod tests {
    use super::*;

    use EditKind::{Change, Equal};

    fn edit(kind: EditKind, old: Range<usize>, new: Range<usize>) -> Edit {
        Edit { kind, old, new }
    }

    #[test]
    fn coarsen_folds_inner_equal_runs_but_keeps_edges_and_kept_runs() {
        let edits = vec![
            edit(Equal, 0..2, 0..2),
            edit(Change, 2..5, 2..3),
            edit(Equal, 5..6, 3..4),
            edit(Change, 6..8, 4..9),
            edit(Equal, 8..9, 9..10),
            edit(Change, 9..10, 10..10),
            edit(Equal, 10..11, 10..11),
        ];
        assert_eq!(
            coarsen(edits, |edit| edit.old == (8..9)),
            vec![
                edit(Equal, 0..2, 0..2),
                edit(Change, 2..8, 2..9),
                edit(Equal, 8..9, 9..10),
                edit(Change, 9..10, 10..10),
                edit(Equal, 10..11, 10..11),
            ]
        );
        let edits = vec![edit(Change, 0..1, 0..0), edit(Equal, 1..2, 0..1), edit(Change, 2..3, 1..3)];
        assert_eq!(coarsen(edits, |_| false), vec![edit(Change, 0..3, 0..3)]);
    }

    #[test]
    fn tokens_of_blocks_handles_empty_ranges_at_both_ends() {
        let blocks = [3..5, 5..9];
        assert_eq!(tokens_of_blocks(&blocks, 0..2, 3), 3..9);
        assert_eq!(tokens_of_blocks(&blocks, 1..2, 3), 5..9);
        assert_eq!(tokens_of_blocks(&blocks, 0..0, 3), 3..3);
        assert_eq!(tokens_of_blocks(&blocks, 2..2, 3), 9..9);
        assert_eq!(tokens_of_blocks(&[], 0..0, 3), 3..3);
    }

    #[test]
    fn blocks_within_finds_the_blocks_of_a_region() {
        let blocks = [0..3, 3..5, 5..9, 9..10];
        assert_eq!(blocks_within(&blocks, &(3..9)), [3..5, 5..9]);
        assert!(blocks_within(&blocks, &(5..5)).is_empty());
    }
}
