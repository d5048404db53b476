//! One side of a comparison, prepared for diffing: its significant tokens, their comparison
//! keys, running word counts and its blocks (paragraphs and sentences).
//!
//! "Significant" tokens are the ones the diff compares. Unless whitespace is shown, whitespace
//! runs are left out: the diff then sees only words and punctuation, so a whitespace-only edit
//! (two spaces for one, a space added after a comma, a re-wrapped line) cannot be a change. The
//! whitespace left out stays in the text as *gaps* between significant tokens, and the segment
//! builder puts every gap back, which is how the original text is rendered exactly.
//!
//! Tokens are compared through interned ids: the same token text gets the same id in both
//! texts, so comparing ids is exact (no hash collisions) and cheap for `similar`.
//!
//! Blocks are the units that alignment matches before any word diff: each paragraph (line) is a
//! block, and a long paragraph is cut further after each sentence-ending mark. Sentence ends are
//! found with a simple rule (a terminal mark followed by whitespace, or a full-width mark). It
//! can be wrong ("e.g. the"), but a block boundary only anchors the alignment, so a wrong cut
//! costs a little speed, never correctness.

use rustc_hash::FxHashMap;
use std::ops::Range;

use super::tokenize::{Token, TokenKind, tokenize};

/// A paragraph with more significant tokens than this is cut into sentence blocks.
const LONG_PARAGRAPH_TOKENS: usize = 64;

/// Gives each distinct token text a small id, shared by both sides of a comparison.
#[derive(Debug, Default)]
pub(super) struct Interner<'text> {
    // Fx hashing: token texts are short and not attacker-chosen keys worth SipHash's cost
    // (a crafted collision only slows one comparison, which the deadlines bound anyway).
    ids: FxHashMap<&'text str, usize>,
}

impl<'text> Interner<'text> {
    fn intern(&mut self, token_text: &'text str) -> usize {
        let next_id = self.ids.len();
        *self.ids.entry(token_text).or_insert(next_id)
    }
}

/// Which whitespace runs are tokens the diff compares (the others are gaps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WhitespaceTokens {
    /// Every whitespace run: whitespace-only edits are changes.
    All,
    /// Runs that break the line: a line break added or removed is a change (a clause's lines
    /// are its sub-paragraphs), other spacing is not.
    LineBreaks,
    /// None: only words and punctuation count.
    Hidden,
}

/// One text, tokenized and split into blocks.
///
/// Invariants: `tokens` are in text order and do not overlap; `ids`, and `words_before` but for
/// its extra leading zero, run parallel to them; `blocks` tile `0..tokens.len()` in order.
#[derive(Debug)]
pub(super) struct TokenizedText<'text> {
    pub(super) text: &'text str,
    pub(super) tokens: Vec<Token>,
    /// The comparison key of each token: equal ids mean equal token texts.
    pub(super) ids: Vec<usize>,
    /// `words_before[index]` is the number of word tokens among `tokens[..index]`.
    words_before: Vec<usize>,
    /// Ranges of token indices: paragraphs, and sentences of long paragraphs.
    pub(super) blocks: Vec<Range<usize>>,
}

impl<'text> TokenizedText<'text> {
    /// Tokenizes `text`; whitespace runs are significant tokens only when `show_whitespace`.
    #[cfg(test)]
    pub(super) fn new(
        text: &'text str,
        show_whitespace: bool,
        interner: &mut Interner<'text>,
    ) -> Self {
        let whitespace = if show_whitespace {
            WhitespaceTokens::All
        } else {
            WhitespaceTokens::Hidden
        };
        Self::with(text, whitespace, interner)
    }

    /// Tokenizes `text`, keeping the whitespace runs `whitespace` says are significant.
    pub(super) fn with(
        text: &'text str,
        whitespace: WhitespaceTokens,
        interner: &mut Interner<'text>,
    ) -> Self {
        let mut tokens = tokenize(text);
        let is_line_break = |token: &Token| text[token.start..token.end].contains('\n');
        match whitespace {
            WhitespaceTokens::All => {}
            WhitespaceTokens::LineBreaks => {
                tokens.retain(|token| token.kind != TokenKind::Whitespace || is_line_break(token))
            }
            WhitespaceTokens::Hidden => tokens.retain(|token| token.kind != TokenKind::Whitespace),
        }
        let ids = tokens
            .iter()
            .map(|token| {
                // Any run of whitespace that breaks the line is the same line break.
                if whitespace == WhitespaceTokens::LineBreaks && token.kind == TokenKind::Whitespace
                {
                    interner.intern("\n")
                } else {
                    interner.intern(&text[token.start..token.end])
                }
            })
            .collect();
        let mut words_before = Vec::with_capacity(tokens.len() + 1);
        let mut n_words = 0;
        words_before.push(n_words);
        for token in &tokens {
            if token.kind == TokenKind::Word {
                n_words += 1;
            }
            words_before.push(n_words);
        }
        let blocks = split_into_blocks(text, &tokens);
        TokenizedText {
            text,
            tokens,
            ids,
            words_before,
            blocks,
        }
    }

    /// Number of significant tokens.
    pub(super) fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Number of words among the tokens in `range`.
    pub(super) fn words_in(&self, range: Range<usize>) -> usize {
        self.words_before[range.end] - self.words_before[range.start]
    }

    /// The texts of the word tokens in `range`.
    pub(super) fn words(&self, range: Range<usize>) -> impl Iterator<Item = &'text str> + '_ {
        self.tokens[range]
            .iter()
            .filter(|token| token.kind == TokenKind::Word)
            .map(|token| &self.text[token.start..token.end])
    }

    /// The whitespace gap in front of token `index` (`index == len()` gives the trailing gap).
    ///
    /// Gaps are empty when whitespace is shown, since whitespace is then made of tokens.
    pub(super) fn gap_before(&self, index: usize) -> &'text str {
        &self.text[self.end_of_token_before(index)..self.start_of_token(index)]
    }

    /// The text of the tokens in `range`, with the gaps between them but not around them.
    pub(super) fn span(&self, range: Range<usize>) -> &'text str {
        if range.is_empty() {
            return "";
        }
        &self.text[self.start_of_token(range.start)..self.end_of_token_before(range.end)]
    }

    /// Like [`span`](Self::span), with the gap in front of the first token included.
    pub(super) fn span_with_gap_before(&self, range: Range<usize>) -> &'text str {
        &self.text[self.end_of_token_before(range.start)..self.end_of_token_before(range.end)]
    }

    /// Like [`span`](Self::span), with the gap after the last token included.
    pub(super) fn span_with_gap_after(&self, range: Range<usize>) -> &'text str {
        &self.text[self.start_of_token(range.start)..self.start_of_token(range.end)]
    }

    /// Like [`span`](Self::span), with the gaps on both sides included.
    pub(super) fn span_with_gaps(&self, range: Range<usize>) -> &'text str {
        &self.text[self.end_of_token_before(range.start)..self.start_of_token(range.end)]
    }

    /// Whether token `index` is the first thing on its line: only whitespace, with a line
    /// break in it or nothing at all, separates it from the previous non-whitespace text.
    /// Whitespace tokens never start a line.
    pub(super) fn starts_line(&self, index: usize) -> bool {
        let Some(token) = self.tokens.get(index) else {
            return false;
        };
        let before = &self.text[..token.start];
        let content_before = before.trim_end();
        token.kind != TokenKind::Whitespace
            && (content_before.is_empty() || before[content_before.len()..].contains('\n'))
    }

    /// Whether token `index` is the last thing on its line (the mirror of
    /// [`starts_line`](Self::starts_line)).
    pub(super) fn ends_line(&self, index: usize) -> bool {
        let Some(token) = self.tokens.get(index) else {
            return false;
        };
        let after = &self.text[token.end..];
        let content_after = after.trim_start();
        let whitespace_after = &after[..after.len() - content_after.len()];
        token.kind != TokenKind::Whitespace
            && (content_after.is_empty() || whitespace_after.contains('\n'))
    }

    /// Byte offset where token `index` starts, or the end of the text past the last token.
    fn start_of_token(&self, index: usize) -> usize {
        self.tokens
            .get(index)
            .map_or(self.text.len(), |token| token.start)
    }

    /// Byte offset where token `index - 1` ends, or 0 before the first token.
    fn end_of_token_before(&self, index: usize) -> usize {
        index
            .checked_sub(1)
            .and_then(|previous| self.tokens.get(previous))
            .map_or(0, |token| token.end)
    }
}

/// Cuts the tokens into paragraphs at line breaks, and long paragraphs into sentences.
fn split_into_blocks(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut paragraph_start = 0;
    for (index, token) in tokens.iter().enumerate() {
        // The line break sits in the gap after the token, or (when whitespace is significant)
        // in the whitespace token itself; words and punctuation never contain one.
        let next_start = tokens.get(index + 1).map_or(text.len(), |next| next.start);
        let is_last = index + 1 == tokens.len();
        if is_last || text[token.start..next_start].contains('\n') {
            split_paragraph(text, tokens, paragraph_start..index + 1, &mut blocks);
            paragraph_start = index + 1;
        }
    }
    blocks
}

fn split_paragraph(
    text: &str,
    tokens: &[Token],
    paragraph: Range<usize>,
    blocks: &mut Vec<Range<usize>>,
) {
    if paragraph.len() <= LONG_PARAGRAPH_TOKENS {
        blocks.push(paragraph);
        return;
    }
    let mut sentence_start = paragraph.start;
    for index in paragraph.clone() {
        if ends_sentence(text, tokens, index, sentence_start) {
            blocks.push(sentence_start..index + 1);
            sentence_start = index + 1;
        }
    }
    if sentence_start < paragraph.end {
        blocks.push(sentence_start..paragraph.end);
    }
}

/// Whether a sentence block may end after token `index`.
fn ends_sentence(text: &str, tokens: &[Token], index: usize, sentence_start: usize) -> bool {
    let token = tokens[index];
    let token_text = &text[token.start..token.end];
    match token.kind {
        TokenKind::Word => false,
        TokenKind::Punctuation if is_full_width_terminal(token_text) => true,
        TokenKind::Punctuation => {
            // Whitespace hidden: the terminal must be followed by a gap ("3.14" is one word
            // anyway, but "etc.)" should not end a sentence before the parenthesis).
            let next_start = tokens.get(index + 1).map_or(text.len(), |next| next.start);
            is_terminal(token_text) && next_start > token.end
        }
        TokenKind::Whitespace => {
            // Whitespace shown: the sentence ends with the whitespace after its terminal.
            index > sentence_start && {
                let previous = tokens[index - 1];
                previous.kind == TokenKind::Punctuation
                    && is_terminal(&text[previous.start..previous.end])
            }
        }
    }
}

fn is_terminal(mark: &str) -> bool {
    matches!(mark, "." | "!" | "?" | ";" | "…" | "؟" | "।")
}

fn is_full_width_terminal(mark: &str) -> bool {
    matches!(mark, "。" | "！" | "？" | "；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks_of(text: &str, show_whitespace: bool) -> Vec<&str> {
        let mut interner = Interner::default();
        let tokenized = TokenizedText::new(text, show_whitespace, &mut interner);
        tokenized
            .blocks
            .iter()
            .map(|block| tokenized.span(block.clone()))
            .collect()
    }

    #[test]
    fn paragraphs_are_blocks_and_blank_lines_vanish_when_whitespace_is_hidden() {
        assert_eq!(
            blocks_of("First line.\n\nSecond line\n", false),
            ["First line.", "Second line"]
        );
        assert_eq!(blocks_of("a\n\nb", true), ["a\n\n", "b"]);
    }

    #[test]
    fn long_paragraphs_are_cut_into_sentences() {
        let sentence = "The parties agree to cooperate on matters of common interest. ";
        let paragraph = sentence.repeat(8);
        let blocks = blocks_of(&paragraph, false);
        assert_eq!(blocks.len(), 8);
        assert_eq!(blocks[0], sentence.trim_end());
        let chinese = "各国同意加强合作。".repeat(10);
        assert_eq!(blocks_of(&chinese, false).len(), 10);
    }

    #[test]
    fn gaps_and_spans_slice_the_original_text() {
        let mut interner = Interner::default();
        let tokenized = TokenizedText::new("  a,  b \n", false, &mut interner);
        assert_eq!(tokenized.len(), 3);
        assert_eq!(tokenized.gap_before(0), "  ");
        assert_eq!(tokenized.gap_before(1), "");
        assert_eq!(tokenized.gap_before(3), " \n");
        assert_eq!(tokenized.span(0..3), "a,  b");
        assert_eq!(tokenized.span_with_gap_before(1..3), ",  b");
        assert_eq!(tokenized.span_with_gap_after(1..2), ",  ");
        assert_eq!(tokenized.span_with_gaps(2..3), "  b \n");
        assert_eq!(tokenized.words_in(0..3), 2);
    }

    #[test]
    fn line_starts_and_ends_skip_whitespace_to_the_nearest_line_break() {
        let text = "Article 1\n  The parties agree.\nArticle 2";
        for show_whitespace in [false, true] {
            let mut interner = Interner::default();
            let tokenized = TokenizedText::new(text, show_whitespace, &mut interner);
            let token_texts: Vec<&str> = (0..tokenized.len())
                .map(|index| tokenized.span(index..index + 1))
                .collect();
            let starting: Vec<&str> = (0..tokenized.len())
                .filter(|&index| tokenized.starts_line(index))
                .map(|index| token_texts[index])
                .collect();
            let ending: Vec<&str> = (0..tokenized.len())
                .filter(|&index| tokenized.ends_line(index))
                .map(|index| token_texts[index])
                .collect();
            assert_eq!(starting, ["Article", "The", "Article"]);
            assert_eq!(ending, ["1", ".", "2"]);
        }
    }
}
