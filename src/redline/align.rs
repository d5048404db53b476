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
//! 3. Unmatched blocks form *changed regions*. Every matched block anchors the alignment,
//!    however short: Patience matches only blocks that occur once in each text, and a short
//!    unique line is usually a heading ("Article 8") that should stay in place. (Joining the
//!    regions around short anchors was tried: on heavily rewritten text the word diff then
//!    traded the headings for chance matches of small words.)
//! 4. A large region with as many old blocks as new blocks (a change applied throughout, such
//!    as "shall" -> "should" in every sentence) is taken as edited in place: its blocks are
//!    paired in order and diffed pair by pair, which is much faster than one huge word diff
//!    and keeps each pair's changes next to each other. If most pairs turn out to share
//!    almost nothing (step 6), the region is coarsened as a whole instead.
//! 5. Each region's tokens are word-diffed with `similar` (Myers) under a deadline of
//!    `RedlineOptions::deadline_per_block`. When the deadline fires, `similar` gives up on the
//!    rest of the region and reports it as one replacement. Small regions, which cannot take
//!    long, skip the deadline: similar reads the clock very often, and that costs.
//! 6. A region whose two sides share almost no words once cleaned up (see `cleanup`) is shown
//!    as one deletion and one insertion, keeping only its unchanged edges and any unchanged
//!    whole lines (headings): two unrelated texts come out as a handful of segments, not as
//!    thousands of fragments matched on "the" and ",". With the clean-up turned off this
//!    applies only to large regions (`MAX_RAW_REGION_TOKENS`).
//! 7. The whole script is cleaned up once more, so that short unchanged sentences between two
//!    rewritten ones fold too.
//!
//! The block diff and each large region get a deadline, and an overall budget (`OVERALL_BUDGET_IN_DEADLINES`
//! deadlines) bounds the sum: once it is spent, the remaining regions are not word-diffed but
//! shown whole. With the default 200 ms that keeps any input to about a second of diffing.
//! Both limits make the output depend on machine speed, but only for inputs that would
//! otherwise take far longer than any reviewer would wait.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::RedlineOptions;
use super::cleanup::{EditWeight, fold_confetti, is_small_word};
use super::edit::{Edit, EditKind, push_edit};
use super::tokenized_text::TokenizedText;

/// Patience anchors on blocks that occur once in each text, so repeated blocks ("(a)", "and")
/// do not pull the alignment out of place. (Histogram aligns as well but reads the clock once
/// per block compared, which doubled the time of large documents.)
const BLOCK_DIFF_ALGORITHM: Algorithm = Algorithm::Patience;

/// Myers finds a shortest edit script, which keeps word edits small. It is slow on unrelated
/// texts (quadratic), where Histogram is far faster; but Histogram was 3-4 times slower on a
/// document edited throughout, the common case, and unrelated texts are bounded anyway by the
/// deadlines and settled by the shared-words rule.
const WORD_DIFF_ALGORITHM: Algorithm = Algorithm::Myers;

/// A region with more tokens than this (both sides together) and as many old as new blocks is
/// diffed block pair by block pair.
const LARGE_REGION_TOKENS: usize = 10_000;

/// Regions with at most this many tokens (both sides together) are diffed without a deadline:
/// even a worst case takes a few milliseconds, and the overall budget still applies between
/// regions.
const MIN_DEADLINE_REGION_TOKENS: usize = 1_000;

/// All regions together may spend this many per-block deadlines before the rest are shown
/// whole.
const OVERALL_BUDGET_IN_DEADLINES: u32 = 5;

/// A changed region whose cleaned-up diff keeps fewer shared words than this percentage of its
/// smaller side is shown as one deletion and one insertion.
const MIN_SHARED_WORDS_PERCENT: usize = 10;

/// With the clean-up off, a region sharing too few words is still coarsened when it has more
/// tokens than this (both sides together), so raw output stays bounded too.
const MAX_RAW_REGION_TOKENS: usize = 2_000;

/// The time by which a comparison starting now must have settled every changed region.
pub(super) fn overall_deadline(options: &RedlineOptions) -> Option<Instant> {
    Instant::now().checked_add(
        options
            .deadline_per_block
            .saturating_mul(OVERALL_BUDGET_IN_DEADLINES),
    )
}

/// Computes the edit script from `old` to `new`.
///
/// `overall_deadline` bounds the whole comparison (see [`overall_deadline`]): once it has
/// passed, the remaining changed regions are shown whole.
pub(super) fn diff_texts(
    old: &TokenizedText,
    new: &TokenizedText,
    overall_deadline: Option<Instant>,
    options: &RedlineOptions,
) -> Vec<Edit> {
    let n_prefix = old
        .ids
        .iter()
        .zip(&new.ids)
        .take_while(|(old_id, new_id)| old_id == new_id)
        .count();
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
            AlignedPiece::Equal {
                old: old_tokens,
                new: new_tokens,
            } => {
                push_edit(&mut edits, EditKind::Equal, old_tokens, new_tokens);
            }
            AlignedPiece::Changed {
                old: old_tokens,
                new: new_tokens,
            } => {
                let region =
                    diff_region(old, new, old_tokens, new_tokens, overall_deadline, options);
                for edit in region.into_edits(old, new, options) {
                    push_edit(&mut edits, edit.kind, edit.old, edit.new);
                }
            }
            AlignedPiece::ChangedInPlace { pairs } => {
                for edit in diff_in_place(old, new, &pairs, overall_deadline, options) {
                    push_edit(&mut edits, edit.kind, edit.old, edit.new);
                }
            }
        }
    }
    push_edit(
        &mut edits,
        EditKind::Equal,
        old_middle.end..old.len(),
        new_middle.end..new.len(),
    );

    if options.semantic_cleanup {
        fold_confetti(edits, weigher(old, new))
    } else {
        edits
    }
}

/// A stretch of the block alignment, as token ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AlignedPiece {
    /// Matched blocks: the tokens are equal.
    Equal {
        old: Range<usize>,
        new: Range<usize>,
    },
    /// A changed region, still to be word-diffed; either side may be empty.
    Changed {
        old: Range<usize>,
        new: Range<usize>,
    },
    /// A large changed region taken as edited in place: its old and new blocks, paired in
    /// order.
    ChangedInPlace {
        pairs: Vec<(Range<usize>, Range<usize>)>,
    },
}

/// Diffs the blocks that overlap the given token ranges (clipped to them) and returns the
/// alignment in order, with large regions edited in place cut into block pairs.
fn align_blocks(
    old: &TokenizedText,
    new: &TokenizedText,
    old_tokens: Range<usize>,
    new_tokens: Range<usize>,
    options: &RedlineOptions,
) -> Vec<AlignedPiece> {
    let old_blocks = clipped_blocks(old, old_tokens.clone());
    let new_blocks = clipped_blocks(new, new_tokens.clone());
    let old_keys: Vec<&[usize]> = old_blocks
        .iter()
        .map(|block| &old.ids[block.clone()])
        .collect();
    let new_keys: Vec<&[usize]> = new_blocks
        .iter()
        .map(|block| &new.ids[block.clone()])
        .collect();
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
            pieces.push(AlignedPiece::Equal {
                old: old_piece,
                new: new_piece,
            });
        } else {
            pieces.push(AlignedPiece::Changed {
                old: old_piece,
                new: new_piece,
            });
        }
        join_regions_on_top(&mut pieces);
    }
    // similar reports every block, so the pieces cover the middle; this only guards that.
    if pieces.is_empty() && !(old_tokens.is_empty() && new_tokens.is_empty()) {
        pieces.push(AlignedPiece::Changed {
            old: old_tokens,
            new: new_tokens,
        });
    }

    let mut paired_pieces = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match piece {
            AlignedPiece::Changed {
                old: old_region,
                new: new_region,
            } if old_region.len() + new_region.len() > LARGE_REGION_TOKENS => {
                let old_region_blocks = blocks_within(&old_blocks, &old_region);
                let new_region_blocks = blocks_within(&new_blocks, &new_region);
                if old_region_blocks.len() == new_region_blocks.len() {
                    let pairs = old_region_blocks
                        .iter()
                        .cloned()
                        .zip(new_region_blocks.iter().cloned());
                    paired_pieces.push(AlignedPiece::ChangedInPlace {
                        pairs: pairs.collect(),
                    });
                } else {
                    paired_pieces.push(AlignedPiece::Changed {
                        old: old_region,
                        new: new_region,
                    });
                }
            }
            other => paired_pieces.push(other),
        }
    }
    paired_pieces
}

/// Joins the last two pieces when both are changed regions: similar may report one region as a
/// deletion next to an insertion.
fn join_regions_on_top(pieces: &mut Vec<AlignedPiece>) {
    if let [
        ..,
        AlignedPiece::Changed {
            old: first_old,
            new: first_new,
        },
        AlignedPiece::Changed {
            old: second_old,
            new: second_new,
        },
    ] = pieces.as_mut_slice()
    {
        first_old.end = second_old.end;
        first_new.end = second_new.end;
        pieces.pop();
    }
}

/// The blocks of `text` that overlap `tokens`, clipped to it.
fn clipped_blocks(text: &TokenizedText, tokens: Range<usize>) -> Vec<Range<usize>> {
    let first = text
        .blocks
        .partition_point(|block| block.end <= tokens.start);
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
    let start = blocks
        .get(range.start)
        .map_or(end_of_all, |block| block.start);
    let end = match range.end.checked_sub(1).and_then(|last| blocks.get(last)) {
        Some(last_block) if !range.is_empty() => last_block.end,
        _ => start,
    };
    start..end
}

/// The word diff of one changed region, before deciding how coarsely to show it.
#[derive(Debug)]
struct RegionDiff {
    /// The diff as `similar` found it.
    raw_edits: Vec<Edit>,
    /// The same after the clean-up.
    cleaned_edits: Vec<Edit>,
    /// Whether the cleaned-up diff keeps too few shared words to be worth showing in detail.
    shares_too_few: bool,
    /// Tokens in the region, both sides together.
    n_tokens: usize,
    /// Whether the words were diffed at all (not when a side is empty or the budget is spent).
    was_diffed: bool,
}

impl RegionDiff {
    /// The region's edits: cleaned or raw as the options ask, or coarsened when the two sides
    /// share too few words (with the clean-up off, only when the region is large, so raw
    /// output stays bounded but small diffs stay raw).
    fn into_edits(
        self,
        old: &TokenizedText,
        new: &TokenizedText,
        options: &RedlineOptions,
    ) -> Vec<Edit> {
        if self.shares_too_few
            && (options.semantic_cleanup || self.n_tokens > MAX_RAW_REGION_TOKENS)
        {
            return coarsen(self.cleaned_edits, old, new);
        }
        if options.semantic_cleanup {
            self.cleaned_edits
        } else {
            self.raw_edits
        }
    }
}

/// Word-diffs one changed region, given as token ranges.
fn diff_region(
    old: &TokenizedText,
    new: &TokenizedText,
    old_tokens: Range<usize>,
    new_tokens: Range<usize>,
    overall_deadline: Option<Instant>,
    options: &RedlineOptions,
) -> RegionDiff {
    let n_tokens = old_tokens.len() + new_tokens.len();
    let budget_spent = overall_deadline.is_some_and(|deadline| Instant::now() > deadline);
    if old_tokens.is_empty() || new_tokens.is_empty() || budget_spent {
        let whole = vec![Edit {
            kind: EditKind::Change,
            old: old_tokens,
            new: new_tokens,
        }];
        return RegionDiff {
            raw_edits: whole.clone(),
            cleaned_edits: whole,
            shares_too_few: false,
            n_tokens,
            was_diffed: false,
        };
    }

    // Reading the clock is not free, and similar reads it very often; a small region cannot
    // take long whatever its content, so only larger ones get a deadline.
    let deadline = if n_tokens > MIN_DEADLINE_REGION_TOKENS {
        deadline_after(options.deadline_per_block)
    } else {
        None
    };
    let ops = capture_diff_slices_deadline(
        WORD_DIFF_ALGORITHM,
        &old.ids[old_tokens.clone()],
        &new.ids[new_tokens.clone()],
        deadline,
    );
    let mut raw_edits = Vec::with_capacity(ops.len());
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let kind = if tag == DiffTag::Equal {
            EditKind::Equal
        } else {
            EditKind::Change
        };
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
    let smaller_side_words = old.words_in(old_tokens).min(new.words_in(new_tokens));
    let shares_too_few = shared_words * 100 < smaller_side_words * MIN_SHARED_WORDS_PERCENT;
    RegionDiff {
        raw_edits,
        cleaned_edits,
        shares_too_few,
        n_tokens,
        was_diffed: true,
    }
}

/// Word-diffs a region edited in place, block pair by block pair.
///
/// If most pairs share too few words, the region was not edited in place after all (two
/// unrelated texts with as many paragraphs): it is then coarsened as a whole rather than pair
/// by pair, which would interleave old and new paragraphs. Once more than half of all pairs
/// are known to be hopeless that outcome is settled, and the rest are not diffed at all.
fn diff_in_place(
    old: &TokenizedText,
    new: &TokenizedText,
    pairs: &[(Range<usize>, Range<usize>)],
    overall_deadline: Option<Instant>,
    options: &RedlineOptions,
) -> Vec<Edit> {
    let mut pair_diffs = Vec::with_capacity(pairs.len());
    let (mut n_diffed, mut n_hopeless) = (0, 0);
    for (old_block, new_block) in pairs {
        if n_hopeless * 2 > pairs.len() {
            break;
        }
        let pair_diff = diff_region(
            old,
            new,
            old_block.clone(),
            new_block.clone(),
            overall_deadline,
            options,
        );
        n_diffed += usize::from(pair_diff.was_diffed);
        n_hopeless += usize::from(pair_diff.shares_too_few);
        pair_diffs.push(pair_diff);
    }

    let mut edits = Vec::new();
    // With no pair diffed (the budget is spent) there is no evidence of edits in place either,
    // and one deletion with one insertion is the coarsest, shortest answer.
    if n_diffed == 0 || n_hopeless * 2 > n_diffed {
        let n_done = pair_diffs.len();
        for edit in pair_diffs
            .into_iter()
            .flat_map(|pair_diff| pair_diff.cleaned_edits)
        {
            push_edit(&mut edits, edit.kind, edit.old, edit.new);
        }
        if let (Some((first_old, first_new)), Some((last_old, last_new))) =
            (pairs.get(n_done), pairs.last())
        {
            let (old_rest, new_rest) =
                (first_old.start..last_old.end, first_new.start..last_new.end);
            push_edit(&mut edits, EditKind::Change, old_rest, new_rest);
        }
        return coarsen(edits, old, new);
    }
    for edit in pair_diffs
        .into_iter()
        .flat_map(|pair_diff| pair_diff.into_edits(old, new, options))
    {
        push_edit(&mut edits, edit.kind, edit.old, edit.new);
    }
    edits
}

/// Folds every equal run into the changes around it, except the first and last edit and the
/// whole lines inside equal runs (headings, unchanged paragraphs).
fn coarsen(edits: Vec<Edit>, old: &TokenizedText, new: &TokenizedText) -> Vec<Edit> {
    let last_index = edits.len().saturating_sub(1);
    let mut coarse = Vec::new();
    for (index, edit) in edits.into_iter().enumerate() {
        let is_edge = index == 0 || index == last_index;
        if edit.kind == EditKind::Change || is_edge {
            push_edit(&mut coarse, edit.kind, edit.old, edit.new);
            continue;
        }
        match whole_lines_within(&edit, old, new) {
            Some((old_lines, new_lines)) => {
                let (old_before, new_before) = (
                    edit.old.start..old_lines.start,
                    edit.new.start..new_lines.start,
                );
                let (old_after, new_after) =
                    (old_lines.end..edit.old.end, new_lines.end..edit.new.end);
                push_edit(&mut coarse, EditKind::Change, old_before, new_before);
                push_edit(&mut coarse, EditKind::Equal, old_lines, new_lines);
                push_edit(&mut coarse, EditKind::Change, old_after, new_after);
            }
            None => push_edit(&mut coarse, EditKind::Change, edit.old, edit.new),
        }
    }
    coarse
}

/// The longest stretch of an equal run that is whole lines in both texts, if any.
fn whole_lines_within(
    equal: &Edit,
    old: &TokenizedText,
    new: &TokenizedText,
) -> Option<(Range<usize>, Range<usize>)> {
    // The two sides of an equal run hold the same tokens, so one offset indexes both.
    let starts_line = |offset: usize| {
        old.starts_line(equal.old.start + offset) && new.starts_line(equal.new.start + offset)
    };
    let ends_line = |offset: usize| {
        old.ends_line(equal.old.start + offset) && new.ends_line(equal.new.start + offset)
    };
    let n_tokens = equal.old.len();
    let first = (0..n_tokens).find(|&offset| starts_line(offset))?;
    let last = (first..n_tokens).rev().find(|&offset| ends_line(offset))?;
    Some((
        equal.old.start + first..equal.old.start + last + 1,
        equal.new.start + first..equal.new.start + last + 1,
    ))
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
        small_words_only: edit.kind == EditKind::Equal
            && (1..=2).contains(&old.words_in(edit.old.clone()))
            && old.words(edit.old.clone()).all(is_small_word),
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
    fn coarsen_folds_inner_equal_runs_but_keeps_edges_and_whole_lines() {
        use super::super::tokenized_text::Interner;
        // Tokens: old  We a b the c . Article 2 d e     new  We x the y z . Article 2 w e
        let old_text = "We a b the c.\nArticle 2\nd e";
        let new_text = "We x the y z.\nArticle 2\nw e";
        let mut interner = Interner::default();
        let old = TokenizedText::new(old_text, false, &mut interner);
        let new = TokenizedText::new(new_text, false, &mut interner);
        let edits = vec![
            edit(Equal, 0..1, 0..1),   // We
            edit(Change, 1..3, 1..2),  // a b -> x
            edit(Equal, 3..4, 2..3),   // the
            edit(Change, 4..5, 3..5),  // c -> y z
            edit(Equal, 5..8, 5..8),   // . Article 2
            edit(Change, 8..9, 8..9),  // d -> w
            edit(Equal, 9..10, 9..10), // e
        ];
        assert_eq!(
            coarsen(edits, &old, &new),
            vec![
                edit(Equal, 0..1, 0..1),
                edit(Change, 1..6, 1..6),
                edit(Equal, 6..8, 6..8),
                edit(Change, 8..9, 8..9),
                edit(Equal, 9..10, 9..10),
            ]
        );
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
