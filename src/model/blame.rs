//! Blame: which change put each word of a clause there.
//!
//! Given the successive wordings of one clause, each with an attribution (the zero draft, an
//! amendment and its delegation), words that survive from one version to the next keep their
//! attribution and words that appear take the new one. A plain token diff is enough here: blame
//! asks "where did this word come from", not "how should a reviewer read the change".
//!
//! ```text
//! v1 (zero draft):  States shall cooperate        -> [zero draft: "States shall cooperate"]
//! v2 (TUR-1):       States should cooperate       -> [zero: "States "] [TUR-1: "should"] [zero: " cooperate"]
//! ```

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// A run of the current wording and who put it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlameSpan<A> {
    pub text: String,
    pub origin: A,
}

/// Carries attributions through `versions` (oldest first) and returns the last version's text
/// cut into spans of equal origin.
pub fn blame<A: Clone + PartialEq>(versions: &[(String, A)]) -> Vec<BlameSpan<A>> {
    let mut attributed: Vec<(&str, A)> = Vec::new();
    for (text, origin) in versions {
        let old_tokens: Vec<&str> = attributed.iter().map(|(token, _)| *token).collect();
        let new_tokens = tokens(text);
        let mut next = Vec::with_capacity(new_tokens.len());
        for op in capture_diff_slices(Algorithm::Patience, &old_tokens, &new_tokens) {
            match op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    for offset in 0..len {
                        let origin = attributed[old_index + offset].1.clone();
                        next.push((new_tokens[new_index + offset], origin));
                    }
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                }
                | DiffOp::Replace {
                    new_index, new_len, ..
                } => {
                    for token in &new_tokens[new_index..new_index + new_len] {
                        next.push((*token, origin.clone()));
                    }
                }
                DiffOp::Delete { .. } => {}
            }
        }
        attributed = next;
    }

    let mut spans: Vec<BlameSpan<A>> = Vec::new();
    for (token, origin) in attributed {
        match spans.last_mut() {
            // White space between two words of one origin belongs with them.
            Some(last) if last.origin == origin || token.trim().is_empty() => {
                last.text.push_str(token);
            }
            _ => spans.push(BlameSpan {
                text: token.to_owned(),
                origin,
            }),
        }
    }
    spans
}

/// Words, runs of white space, and single other characters (punctuation).
pub(crate) fn tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((idx, c)) = chars.next() {
        let class = char_class(c);
        let mut end = idx + c.len_utf8();
        if class != CharClass::Other {
            while let Some(&(next_idx, next)) = chars.peek() {
                if char_class(next) != class {
                    break;
                }
                end = next_idx + next.len_utf8();
                chars.next();
            }
        }
        tokens.push(&text[start..end]);
        start = end;
    }
    tokens
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum CharClass {
    Word,
    Space,
    Other,
}

fn char_class(c: char) -> CharClass {
    if c.is_alphanumeric() {
        CharClass::Word
    } else if c.is_whitespace() {
        CharClass::Space
    } else {
        CharClass::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(versions: &[(&str, &str)], expected: &str) {
        let versions: Vec<(String, String)> = versions
            .iter()
            .map(|(text, origin)| (text.to_string(), origin.to_string()))
            .collect();
        let rendered: Vec<String> = blame(&versions)
            .into_iter()
            .map(|span| format!("{}:{:?}", span.origin, span.text))
            .collect();
        assert_eq!(rendered.join(" "), expected);
    }

    #[test]
    fn surviving_words_keep_their_origin() {
        check(
            &[
                ("States shall cooperate", "zero"),
                ("States should cooperate", "TUR-1"),
            ],
            r#"zero:"States " TUR-1:"should " zero:"cooperate""#,
        );
    }

    #[test]
    fn three_versions_and_punctuation() {
        check(
            &[
                ("States shall cooperate", "zero"),
                ("States shall cooperate closely", "QAT-1"),
                ("All States shall cooperate closely.", "TUR-2"),
            ],
            r#"TUR-2:"All " zero:"States shall cooperate " QAT-1:"closely" TUR-2:".""#,
        );
    }

    #[test]
    fn cyrillic_words_are_whole() {
        check(
            &[
                ("Государства сотрудничают", "zero"),
                ("Все государства сотрудничают", "RUS-1"),
            ],
            r#"RUS-1:"Все государства " zero:"сотрудничают""#,
        );
    }
}
