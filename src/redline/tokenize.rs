//! The tokenizer: splits text into the words, punctuation marks and whitespace runs that the
//! redline compares.
//!
//! The rules, in order:
//!
//! - A run of whitespace (spaces, tabs, no-break spaces, line breaks) is one token, so that
//!   "a  b" and "a\tb" differ only in that token.
//! - Han, Hiragana and Katakana are written without spaces between words, so each of their
//!   characters (grapheme clusters, to keep combining marks attached) is a token of its own.
//!   Otherwise a one-character edit in a Chinese sentence would show the whole run replaced.
//! - Everything else follows Unicode word boundaries (UAX #29, from unicode-segmentation): a
//!   segment holding a letter or digit is a word ("don't", "3.14", "декларация", "الأطراف"),
//!   and between words each punctuation mark or symbol (a grapheme cluster, so "🇺🇳" stays
//!   whole) is a token, so "development," is the word "development" followed by ",".
//!
//! The tokens tile the input exactly: nothing is dropped, merged across kinds or reordered.
//! Which tokens the diff compares, and how, is decided in `tokenized_text`.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// What a token is; decides whether it is compared at all and whether it counts as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// Holds at least one letter or digit; counted in word counts.
    Word,
    /// Punctuation marks, symbols and emoji: compared, but not counted as words.
    Punctuation,
    /// A maximal run of whitespace.
    Whitespace,
}

/// A token: a byte range of the text it came from.
///
/// Invariant: `start` and `end` lie on char boundaries of that text, because every cut the
/// tokenizer makes is one (a line break, a UAX #29 segment or grapheme cluster boundary, or
/// after a byte of ASCII text); slicing the text with them cannot panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: TokenKind,
}

/// Splits `text` into tokens that tile it from the first byte to the last.
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    // Roughly one token per five bytes of running text (a word and its space).
    let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 5 + 1);
    // UAX #29 never joins across a line break, so lines can be segmented one by one; that lets
    // unicode-segmentation take its much faster ASCII path on every line that is plain ASCII,
    // even when some other line has a curly quote.
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut cursor = 0;
        for (word_start, word) in line.unicode_word_indices() {
            push_between_words(&mut tokens, line, line_start, cursor..word_start);
            push_word(&mut tokens, line_start + word_start, word);
            cursor = word_start + word.len();
        }
        push_between_words(&mut tokens, line, line_start, cursor..line.len());
        line_start += line.len();
    }
    tokens
}

/// Counts the words in `text` the way the redline counts them (each CJK character is a word).
pub(super) fn count_words(text: &str) -> usize {
    tokenize(text)
        .iter()
        .filter(|token| token.kind == TokenKind::Word)
        .count()
}

/// Pushes a UAX #29 word (a segment holding a letter or digit), cut per character when it is
/// Chinese or Japanese.
fn push_word(tokens: &mut Vec<Token>, start: usize, word: &str) {
    if word.is_ascii() || !word.chars().any(is_cjk_character) {
        tokens.push(Token {
            start,
            end: start + word.len(),
            kind: TokenKind::Word,
        });
        return;
    }
    for (offset, grapheme) in word.grapheme_indices(true) {
        let kind = if grapheme.chars().any(char::is_alphanumeric) {
            TokenKind::Word
        } else {
            TokenKind::Punctuation
        };
        tokens.push(Token {
            start: start + offset,
            end: start + offset + grapheme.len(),
            kind,
        });
    }
}

/// Pushes the text between two words of a line: whitespace runs, and punctuation marks one
/// grapheme cluster each (so a flag emoji or a mark with an accent stays whole), which is how
/// UAX #29 segments them too.
fn push_between_words(tokens: &mut Vec<Token>, line: &str, line_start: usize, range: Range<usize>) {
    let between = &line[range.clone()];
    if between.is_ascii() {
        for (offset, byte) in between.bytes().enumerate() {
            let start = line_start + range.start + offset;
            push_mark(tokens, start, start + 1, char::from(byte).is_whitespace());
        }
    } else {
        for (offset, grapheme) in between.grapheme_indices(true) {
            let start = line_start + range.start + offset;
            let is_whitespace = grapheme.chars().all(char::is_whitespace);
            push_mark(tokens, start, start + grapheme.len(), is_whitespace);
        }
    }
}

/// Pushes one punctuation mark, or whitespace, joined to the whitespace run before it.
fn push_mark(tokens: &mut Vec<Token>, start: usize, end: usize, is_whitespace: bool) {
    if !is_whitespace {
        tokens.push(Token {
            start,
            end,
            kind: TokenKind::Punctuation,
        });
        return;
    }
    if let Some(last) = tokens.last_mut()
        && last.kind == TokenKind::Whitespace
        && last.end == start
    {
        last.end = end;
        return;
    }
    tokens.push(Token {
        start,
        end,
        kind: TokenKind::Whitespace,
    });
}

/// Whether `character` belongs to a script written without spaces that we split per character:
/// Han (with the iteration marks), Hiragana or Katakana.
fn is_cjk_character(character: char) -> bool {
    matches!(
        character,
        '\u{3005}'..='\u{3007}'         // 々 〆 〇
        | '\u{3021}'..='\u{3029}'       // Hangzhou numerals
        | '\u{3031}'..='\u{3035}'       // kana repeat marks
        | '\u{3038}'..='\u{303C}'       // more numerals and iteration marks
        | '\u{3041}'..='\u{309F}'       // Hiragana
        | '\u{30A0}'..='\u{30FF}'       // Katakana, including the long vowel mark ー
        | '\u{31F0}'..='\u{31FF}'       // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'       // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'       // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'       // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'       // half-width Katakana
        | '\u{1B000}'..='\u{1B16F}'     // kana supplement and extensions
        | '\u{20000}'..='\u{2FA1F}'     // CJK extensions B to F, compatibility supplement
        | '\u{30000}'..='\u{323AF}'     // CJK extensions G and H
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders tokens as `word|,|␣|…` so a whole tokenization fits on one line.
    fn check(text: &str, expected: &str) {
        let tokens = tokenize(text);
        let mut cursor = 0;
        for token in &tokens {
            assert_eq!(token.start, cursor, "tokens must tile the text: {tokens:?}");
            cursor = token.end;
        }
        assert_eq!(cursor, text.len(), "tokens must reach the end of the text");
        let rendered: Vec<String> = tokens
            .iter()
            .map(|token| match token.kind {
                TokenKind::Whitespace => "␣".to_owned(),
                TokenKind::Word | TokenKind::Punctuation => text[token.start..token.end].to_owned(),
            })
            .collect();
        assert_eq!(rendered.join("|"), expected);
    }

    #[test]
    fn words_and_punctuation_are_separate_tokens() {
        check(
            "development, of (the) parties.",
            "development|,|␣|of|␣|(|the|)|␣|parties|.",
        );
        check("don't 3.14 e.g. U.N.", "don't|␣|3.14|␣|e.g|.|␣|U.N|.");
        check("well-known", "well|-|known");
    }

    #[test]
    fn whitespace_runs_are_one_token_across_line_breaks() {
        check("a \t b", "a|␣|b");
        check("a.\r\n\n  b", "a|.|␣|b");
        check("a\u{a0}b", "a|␣|b");
    }

    #[test]
    fn cyrillic_and_arabic_split_into_words() {
        check("Стороны заявляют:", "Стороны|␣|заявляют|:");
        check("تؤكد الأطراف، على", "تؤكد|␣|الأطراف|،|␣|على");
    }

    #[test]
    fn cjk_characters_are_one_token_each() {
        check("各国同意。", "各|国|同|意|。");
        check("コーヒーを飲む", "コ|ー|ヒ|ー|を|飲|む");
        check("UN宣言", "UN|宣|言");
    }

    proptest::proptest! {
        #[test]
        fn tokens_tile_any_text_and_whitespace_runs_are_maximal(text in "\\PC{0,120}") {
            let tokens = tokenize(&text);
            let mut cursor = 0;
            for pair in tokens.windows(2) {
                let both_whitespace = pair.iter().all(|token| token.kind == TokenKind::Whitespace);
                proptest::prop_assert!(!both_whitespace, "{tokens:?}");
            }
            for token in &tokens {
                proptest::prop_assert_eq!(token.start, cursor);
                proptest::prop_assert!(token.end > token.start);
                let token_text = &text[token.start..token.end];
                let is_whitespace = token_text.chars().all(char::is_whitespace);
                proptest::prop_assert_eq!(token.kind == TokenKind::Whitespace, is_whitespace);
                cursor = token.end;
            }
            proptest::prop_assert_eq!(cursor, text.len());
        }
    }

    #[test]
    fn count_words_skips_punctuation_and_counts_cjk_per_character() {
        assert_eq!(count_words("The parties, jointly."), 3);
        assert_eq!(count_words("各国同意。"), 4);
        assert_eq!(count_words(" \n"), 0);
    }
}
