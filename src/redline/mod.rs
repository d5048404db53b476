//! Word-level redlines: what changed between two versions of a text, as a list of equal,
//! deleted and inserted segments that a legal reviewer can read.
//!
//! This module owns the comparison only: text in, [`Redline`] out. It does no I/O and knows
//! nothing of git, clauses, HTML or colours; `render` paints the segments (apart from
//! [`render_plain`], the CriticMarkup `{--deleted--}{++inserted++}` form of pipes and tests) and `store`
//! finds the texts. [`RedlineOptions`] says what counts as a change, never how it looks.
//!
//! # How a redline is made
//!
//! 0. `lines`: lines the two texts share byte for byte are set aside first, so only the changed
//!    stretches of a long document are tokenized at all. Each stretch goes through the steps
//!    below on its own, all under one overall time budget.
//! 1. `tokenize`: words, punctuation marks and whitespace runs are tokens; Chinese and Japanese
//!    characters are one token each. A changed word is shown whole, and "development" ->
//!    "development," shows only the comma inserted.
//! 2. `tokenized_text`: unless whitespace is shown, the diff compares only words and
//!    punctuation, so whitespace-only edits (line breaks included: re-wrapping a paragraph is
//!    not a change) are not changes; the original whitespace is kept as gaps and rendered back.
//!    Texts are cut into blocks: paragraphs, and sentences of long ones.
//! 3. `align`: unchanged blocks are matched first; only the changed regions between them are
//!    word-diffed with `similar`, each under a deadline. Hopelessly different regions become one
//!    deletion and one insertion.
//! 4. `cleanup`: the lossy semantic clean-up (below).
//! 5. `build`: the edit script becomes segments holding the original text, so
//!    [`Redline::old_text`] and [`Redline::new_text`] give back the inputs byte for byte.
//!
//! The stages pass on a token-level edit script, defined in `edit`.
//!
//! # The clean-up pass
//!
//! A word diff of a rewritten sentence matches the small words that happen to survive and shows
//! confetti. The clean-up folds an equal run lying between two changes into them when it holds
//! no word, or fewer words than the change on each side, and repeats until stable (the idea of
//! diff-match-patch's `cleanupSemantic`, counted in words; see `cleanup` for the details):
//!
//! ```text
//! old:       The parties agree to promote the use of renewable energy.
//! new:       Member states commit to a rapid expansion of solar power.
//! word diff: [-The parties agree-]{+Member states commit+} to [-promote the use-]{+a rapid
//!            expansion+} of [-renewable energy-]{+solar power+}.
//! "to":      1 word, changes of 3 and 3 words around it: folded (the change now has 7 words)
//! "of":      1 word, changes of 7 and 2 words around it: folded
//! ".":       at the end, next to one change only: kept
//! redline:   [-The parties agree to promote the use of renewable energy-]{+Member states commit
//!            to a rapid expansion of solar power+}.
//! ```
//!
//! while `The parties [-shall-]{+should+} promote` keeps its context: no equal run there sits
//! between two changes. An equal run that touches a line break is never folded, so a change
//! never spans two paragraphs just to save a heading or a full stop between them.

use std::time::Duration;

mod align;
mod build;
mod cleanup;
pub mod critic;
pub mod document;
mod edit;
mod lines;
mod tokenize;
mod tokenized_text;

#[cfg(test)]
mod tests;

use lines::LinePiece;
use tokenized_text::{Interner, TokenizedText, WhitespaceTokens};

/// What counts as a change, and how much work a redline may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedlineOptions {
    /// Show whitespace-only differences as changes (default false).
    pub show_whitespace: bool,
    /// Time budget per changed block; when it fires the block degrades to a coarser redline.
    pub deadline_per_block: Duration,
    /// Run the lossy semantic clean-up (default true).
    pub semantic_cleanup: bool,
    /// With whitespace hidden, still count a line break added or removed as a change (default
    /// false, so that re-wrapping a file is not a change). A clause's lines are its
    /// sub-paragraphs, so clause comparisons set it.
    pub line_breaks_significant: bool,
}

impl Default for RedlineOptions {
    fn default() -> Self {
        RedlineOptions {
            show_whitespace: false,
            deadline_per_block: Duration::from_millis(200),
            semantic_cleanup: true,
            line_breaks_significant: false,
        }
    }
}

/// A stretch of text in a redline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text present in both. `old` and `new` differ only in whitespace (equal when identical).
    Equal { old: String, new: String },
    /// Text only in the old version.
    Deleted(String),
    /// Text only in the new version.
    Inserted(String),
}

/// The differences between two texts, as segments in reading order.
///
/// Invariants: no segment is empty (an equal segment may be empty on one side, where only
/// whitespace differs); no two neighbouring segments have the same kind; a deletion comes
/// before the insertion that replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Redline {
    pub segments: Vec<Segment>,
}

/// Counts that summarise a redline, e.g. for a change log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedlineStats {
    /// Words in inserted segments (each Chinese or Japanese character counts as a word).
    pub words_inserted: usize,
    /// Words in deleted segments.
    pub words_deleted: usize,
    /// Number of changes: runs of deleted and inserted segments between equal text.
    pub changes: usize,
}

impl Redline {
    /// The old text: equal segments' old side and deletions, which is the old input exactly.
    pub fn old_text(&self) -> String {
        let mut text = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Equal { old, .. } => text.push_str(old),
                Segment::Deleted(deleted) => text.push_str(deleted),
                Segment::Inserted(_) => {}
            }
        }
        text
    }

    /// The new text: equal segments' new side and insertions, which is the new input exactly.
    pub fn new_text(&self) -> String {
        let mut text = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Equal { new, .. } => text.push_str(new),
                Segment::Inserted(inserted) => text.push_str(inserted),
                Segment::Deleted(_) => {}
            }
        }
        text
    }

    /// Whether nothing was deleted or inserted (whitespace may still differ when hidden).
    pub fn is_unchanged(&self) -> bool {
        self.segments
            .iter()
            .all(|segment| matches!(segment, Segment::Equal { .. }))
    }

    /// Counts the words inserted and deleted, and the number of changes.
    pub fn stats(&self) -> RedlineStats {
        let mut stats = RedlineStats::default();
        let mut inside_change = false;
        for segment in &self.segments {
            match segment {
                Segment::Equal { .. } => inside_change = false,
                Segment::Deleted(text) | Segment::Inserted(text) => {
                    if !inside_change {
                        stats.changes += 1;
                        inside_change = true;
                    }
                    let n_words = tokenize::count_words(text);
                    if matches!(segment, Segment::Deleted(_)) {
                        stats.words_deleted += n_words;
                    } else {
                        stats.words_inserted += n_words;
                    }
                }
            }
        }
        stats
    }
}

/// Compares `old` with `new` word by word.
///
/// Returns segments that reproduce both texts exactly. Never fails and never runs long: a
/// region that cannot be diffed within `options.deadline_per_block` is shown more coarsely.
pub fn redline(old: &str, new: &str, options: &RedlineOptions) -> Redline {
    let deadline = align::overall_deadline(options);
    let mut segments = Vec::new();
    let pieces =
        if old != new && !options.show_whitespace && lines::same_but_for_whitespace(old, new) {
            vec![LinePiece::Changed {
                old: 0..old.len(),
                new: 0..new.len(),
            }]
        } else {
            lines::split_by_lines(old, new, deadline)
        };
    for piece in pieces {
        match piece {
            LinePiece::Equal {
                old: old_range,
                new: new_range,
            } if !old_range.is_empty() => push_segment(
                &mut segments,
                Segment::Equal {
                    old: old[old_range].to_owned(),
                    new: new[new_range].to_owned(),
                },
            ),
            LinePiece::Equal { .. } => {}
            LinePiece::Changed {
                old: old_range,
                new: new_range,
            } => {
                let changed = redline_words(&old[old_range], &new[new_range], deadline, options);
                for segment in changed {
                    push_segment(&mut segments, segment);
                }
            }
        }
    }
    build::slide_changes_to_line_starts(&mut segments);
    let segments = build::pair_line_breaks_in_replacements(segments);
    Redline { segments }
}

/// The word engine proper, on a stretch of changed lines.
fn redline_words(
    old: &str,
    new: &str,
    deadline: Option<std::time::Instant>,
    options: &RedlineOptions,
) -> Vec<Segment> {
    // One interner for both texts, so equal token texts get equal ids across them.
    let mut interner = Interner::default();
    let whitespace = match (options.show_whitespace, options.line_breaks_significant) {
        (true, _) => WhitespaceTokens::All,
        (false, true) => WhitespaceTokens::LineBreaks,
        (false, false) => WhitespaceTokens::Hidden,
    };
    let old_tokens = TokenizedText::with(old, whitespace, &mut interner);
    let new_tokens = TokenizedText::with(new, whitespace, &mut interner);
    let edits = align::diff_texts(&old_tokens, &new_tokens, deadline, options);
    build::build_segments(&old_tokens, &new_tokens, &edits)
}

/// Appends a segment, joining it to the previous one when both are of the same kind, so that
/// stretches redlined apart read as one.
fn push_segment(segments: &mut Vec<Segment>, segment: Segment) {
    match (segments.last_mut(), segment) {
        (
            Some(Segment::Equal { old, new }),
            Segment::Equal {
                old: more_old,
                new: more_new,
            },
        ) => {
            old.push_str(&more_old);
            new.push_str(&more_new);
        }
        (Some(Segment::Deleted(text)), Segment::Deleted(more))
        | (Some(Segment::Inserted(text)), Segment::Inserted(more)) => text.push_str(&more),
        (_, segment) => segments.push(segment),
    }
}

/// Renders a redline as plain text in CriticMarkup: `{--deleted--}` and `{++inserted++}`.
///
/// Equal text is shown as it reads in the new version (its new whitespace). Braces and
/// backslashes of the text are escaped, so [`critic::sides`] reads both texts back.
pub fn render_plain(redline: &Redline) -> String {
    let mut rendered = String::new();
    for segment in &redline.segments {
        match segment {
            Segment::Equal { new, .. } => rendered.push_str(&critic::escape(new)),
            Segment::Deleted(deleted) => rendered.push_str(&critic::deleted(deleted)),
            Segment::Inserted(inserted) => rendered.push_str(&critic::inserted(inserted)),
        }
    }
    rendered
}
