//! The segment builder: turns the token-level edit script back into text segments that
//! reproduce both inputs exactly, whitespace included.
//!
//! The script only speaks of significant tokens; the whitespace gaps between them (see
//! `tokenized_text`) must be put back. Gaps inside an equal run or a change go with it. A gap
//! on the border between an equal run and a change is placed by the change, so that equal
//! segments stay identical on both sides where possible:
//!
//! - a replacement keeps the gaps on both of its borders as (whitespace-only) equal text:
//!   `the [-cat-]{+dog+} sat`;
//! - a pure deletion has two old gaps but one new gap; the new gap is paired with the old gap
//!   that matches it, preferring the one in front: `the [-big -]cat`, `parties[-, jointly,-]
//!   shall` (the gap in front is empty there, the one after is a space). Insertions mirror this.
//!
//! A border gap stays equal text only when both sides separate alike (both empty, or both
//! whitespace with or without a line break): readers see one side of an equal segment, so a space on one side only goes into
//! the change, `develop[- the-]{+, in time, the+} capability`. Otherwise undoing the change
//! would read "developthe" or "nationals, ]".
//!
//! Segments of the same kind that end up next to each other are merged, and empty ones dropped.

use super::Segment;
use super::edit::{Edit, EditKind};
use super::tokenized_text::TokenizedText;

/// Builds the segments for `edits`, which must satisfy the edit script invariants (see `edit`).
pub(super) fn build_segments(
    old: &TokenizedText,
    new: &TokenizedText,
    edits: &[Edit],
) -> Vec<Segment> {
    let mut sink = SegmentSink::default();
    // The gaps at the very start and end belong to the first and last edit when they are
    // changes; next to an equal run (or with no tokens at all) they are equal whitespace.
    let starts_with_change = edits
        .first()
        .is_some_and(|edit| edit.kind == EditKind::Change);
    if !starts_with_change {
        sink.equal(old.gap_before(0), new.gap_before(0));
    }
    for edit in edits {
        match edit.kind {
            EditKind::Equal => {
                sink.equal(old.span(edit.old.clone()), new.span(edit.new.clone()));
            }
            EditKind::Change => push_change(&mut sink, old, new, edit),
        }
    }
    let ends_with_change = edits
        .last()
        .is_some_and(|edit| edit.kind == EditKind::Change);
    if !edits.is_empty() && !ends_with_change {
        sink.equal(old.gap_before(old.len()), new.gap_before(new.len()));
    }
    sink.segments
}

/// Emits one change with the gaps on its borders (see the module doc for where they go).
fn push_change(sink: &mut SegmentSink, old: &TokenizedText, new: &TokenizedText, edit: &Edit) {
    let (old_range, new_range) = (edit.old.clone(), edit.new.clone());
    let old_gap_before = old.gap_before(old_range.start);
    let old_gap_after = old.gap_before(old_range.end);
    let new_gap_before = new.gap_before(new_range.start);
    let new_gap_after = new.gap_before(new_range.end);
    match (old_range.is_empty(), new_range.is_empty()) {
        (false, false) => {
            let (old_span, new_span) = (old.span(old_range), new.span(new_range));
            let keep_before = same_boundary(old_gap_before, new_gap_before);
            let keep_after = same_boundary(old_gap_after, new_gap_after);
            if keep_before {
                sink.equal(old_gap_before, new_gap_before);
                sink.deleted(old_span);
            } else {
                sink.deleted(&[old_gap_before, old_span].concat());
            }
            if !keep_after {
                sink.deleted(old_gap_after);
            }
            if !keep_before {
                sink.inserted(new_gap_before);
            }
            sink.inserted(new_span);
            if keep_after {
                sink.equal(old_gap_after, new_gap_after);
            } else {
                sink.inserted(new_gap_after);
            }
        }
        (false, true) => {
            // Both new gaps are the same gap here.
            let new_gap = new_gap_before;
            match keep_one_gap(old_gap_before, old_gap_after, new_gap) {
                Some(Side::Before) => {
                    sink.equal(old_gap_before, new_gap);
                    sink.deleted(old.span_with_gap_after(old_range));
                }
                Some(Side::After) => {
                    sink.deleted(old.span_with_gap_before(old_range));
                    sink.equal(old_gap_after, new_gap);
                }
                None => {
                    sink.deleted(&[old.span_with_gap_before(old_range), old_gap_after].concat());
                    sink.inserted(new_gap);
                }
            }
        }
        (true, false) => {
            let old_gap = old_gap_before;
            match keep_one_gap(new_gap_before, new_gap_after, old_gap) {
                Some(Side::Before) => {
                    sink.equal(old_gap, new_gap_before);
                    sink.inserted(new.span_with_gap_after(new_range));
                }
                Some(Side::After) => {
                    sink.inserted(new.span_with_gap_before(new_range));
                    sink.equal(old_gap, new_gap_after);
                }
                None => {
                    sink.deleted(old_gap);
                    sink.inserted(&[new.span_with_gap_before(new_range), new_gap_after].concat());
                }
            }
        }
        // The edit script never holds an empty edit; nothing to emit if it did.
        (true, true) => {}
    }
}

/// Whether two gaps separate their neighbours alike: both empty (the tokens touch), or both
/// whitespace and both with or both without a line break. Only such a pair may be shown as
/// equal text: a reader sees one side of an equal segment, and a space shown where the other
/// side has none would join two words ("developthe") or split a word from its comma when the
/// change is undone, as a line break shown where the other side has a space would split a
/// paragraph.
fn same_boundary(a: &str, b: &str) -> bool {
    a.is_empty() == b.is_empty() && a.contains('\n') == b.contains('\n')
}

enum Side {
    Before,
    After,
}

/// For a pure deletion (or insertion): which of the two gaps around the removed tokens stays
/// as equal text, paired with the one gap of the other side. The identical one first, the one
/// in front on a tie; `None` when neither separates alike, so both go into the change.
fn keep_one_gap(before: &str, after: &str, other: &str) -> Option<Side> {
    if before != other && after == other {
        Some(Side::After)
    } else if same_boundary(before, other) {
        Some(Side::Before)
    } else if same_boundary(after, other) {
        Some(Side::After)
    } else {
        None
    }
}

/// Moves a change of whole lines so that it starts at a line break.
///
/// A diff may match a line's last mark with the same mark at the end of the lines inserted
/// after it: `ammunition{+;\n(d) ... personnel+};`. Read line by line, the old side then has
/// the ";" on a line of its own. The same change, slid right past that mark,
/// `ammunition;{+\n(d) ... personnel;+}`, inserts whole lines. A change (all insertion or
/// all deletion) between two equal runs is slid when it holds a line break and the equal
/// text after it starts with what stands before its first break.
pub(super) fn slide_changes_to_line_starts(segments: &mut Vec<Segment>) {
    for at in 1..segments.len().saturating_sub(1) {
        let change = match &segments[at] {
            Segment::Inserted(text) | Segment::Deleted(text) => text,
            Segment::Equal { .. } => continue,
        };
        let Some(first_break) = change.find('\n').filter(|at| *at > 0) else {
            continue;
        };
        let head = change[..first_break].to_owned();
        let (
            Segment::Equal {
                old: next_old,
                new: next_new,
            },
            Segment::Equal { .. },
        ) = (&segments[at + 1], &segments[at - 1])
        else {
            continue;
        };
        let fits = |text: &str| {
            text.strip_prefix(head.as_str()).is_some_and(|rest| {
                !(rest.starts_with(char::is_alphanumeric) && head.ends_with(char::is_alphanumeric))
            })
        };
        // The equal run after may be used up only at the very end, where no segment follows
        // that would then touch the change.
        let used_up = next_old.len() == head.len() || next_new.len() == head.len();
        if !(fits(next_old) && fits(next_new)) || (used_up && at + 2 < segments.len()) {
            continue;
        }
        if let Segment::Equal { old, new } = &mut segments[at + 1] {
            old.drain(..head.len());
            new.drain(..head.len());
        }
        if let Segment::Inserted(text) | Segment::Deleted(text) = &mut segments[at] {
            text.drain(..head.len());
            text.push_str(&head);
        }
        if let Segment::Equal { old, new } = &mut segments[at - 1] {
            old.push_str(&head);
            new.push_str(&head);
        }
    }
    if let Some(Segment::Equal { old, new }) = segments.last()
        && old.is_empty()
        && new.is_empty()
    {
        segments.pop();
    }
}

/// Splits a replacement whose deletion and insertion both span line breaks at those breaks,
/// pairing them in order: `{--a\nb--}{++c\nd++}` becomes `{--a--}{++c++}\n{--b--}{++d++}`.
///
/// Both read back the same texts, but the second keeps each line's change on its line: a
/// sub-paragraph rewritten is shown against the sub-paragraph it replaces, and a format that
/// tracks paragraph marks (Word) does not join two paragraphs in one text only to split them
/// in the other.
/// Beyond this many lines, a replacement is two unrelated texts (a whole document rewritten),
/// best read as one deletion and one insertion.
const MAX_PAIRED_LINE_BREAKS: usize = 50;

pub(super) fn pair_line_breaks_in_replacements(segments: Vec<Segment>) -> Vec<Segment> {
    let mut sink = SegmentSink::default();
    let mut at = 0;
    while at < segments.len() {
        if let (Segment::Deleted(deleted), Some(Segment::Inserted(inserted))) =
            (&segments[at], segments.get(at + 1))
            && deleted.contains('\n')
            && inserted.contains('\n')
            && let n_pairs = deleted
                .matches('\n')
                .count()
                .min(inserted.matches('\n').count())
            && n_pairs <= MAX_PAIRED_LINE_BREAKS
        {
            let mut old_lines = deleted.splitn(n_pairs + 1, '\n');
            let mut new_lines = inserted.splitn(n_pairs + 1, '\n');
            for pair in 0..=n_pairs {
                if pair > 0 {
                    sink.equal("\n", "\n");
                }
                sink.deleted(old_lines.next().unwrap_or_default());
                sink.inserted(new_lines.next().unwrap_or_default());
            }
            at += 2;
            continue;
        }
        match &segments[at] {
            Segment::Equal { old, new } => sink.equal(old, new),
            Segment::Deleted(text) => sink.deleted(text),
            Segment::Inserted(text) => sink.inserted(text),
        }
        at += 1;
    }
    sink.segments
}

/// Collects segments, merging neighbours of the same kind and dropping empty ones.
#[derive(Debug, Default)]
struct SegmentSink {
    segments: Vec<Segment>,
}

impl SegmentSink {
    fn equal(&mut self, old: &str, new: &str) {
        if old.is_empty() && new.is_empty() {
            return;
        }
        if let Some(Segment::Equal {
            old: last_old,
            new: last_new,
        }) = self.segments.last_mut()
        {
            last_old.push_str(old);
            last_new.push_str(new);
            return;
        }
        self.segments.push(Segment::Equal {
            old: old.to_owned(),
            new: new.to_owned(),
        });
    }

    fn deleted(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Segment::Deleted(last)) = self.segments.last_mut() {
            last.push_str(text);
            return;
        }
        self.segments.push(Segment::Deleted(text.to_owned()));
    }

    fn inserted(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Segment::Inserted(last)) = self.segments.last_mut() {
            last.push_str(text);
            return;
        }
        self.segments.push(Segment::Inserted(text.to_owned()));
    }
}
