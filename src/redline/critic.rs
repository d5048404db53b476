//! The plain-text form of a redline: CriticMarkup's `{--deleted--}` and `{++inserted++}`.
//!
//! Plain markers must survive a pipe, a log file and an e-mail, and must never be confused with
//! the text. Negotiated text is full of square brackets (text not yet agreed), so bracket-like
//! markers (`[-...-]`) would read as part of it; CriticMarkup uses braces, which declarations
//! hardly ever contain, and Markdown editors that know the convention render it.
//!
//! So that the form can always be read back, the three characters `\`, `{` and `}` of the text
//! itself are written `\\`, `\{` and `\}` (the same backslash escapes CommonMark reads), and
//! nothing else is changed: [`sides`] gives back both texts exactly.

/// Escapes `text` so that no marker can be formed from it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as a deletion.
pub fn deleted(text: &str) -> String {
    format!("{{--{}--}}", escape(text))
}

/// `text` as an insertion.
pub fn inserted(text: &str) -> String {
    format!("{{++{}++}}", escape(text))
}

/// A note on the change before it (CriticMarkup's comment): who made it.
pub fn comment(text: &str) -> String {
    format!("{{>>{}<<}}", escape(text))
}

/// A marked text read back: the old side (equal text and deletions) and the new side (equal
/// text and insertions). `None` when the markers do not pair up.
pub fn sides(marked: &str) -> Option<(String, String)> {
    #[derive(PartialEq)]
    enum In {
        Equal,
        Deleted,
        Inserted,
    }
    let (mut old, mut new) = (String::new(), String::new());
    let mut state = In::Equal;
    let mut rest = marked;
    while let Some(c) = rest.chars().next() {
        let opening = |marker: &str| state == In::Equal && rest.starts_with(marker);
        if c == '\\' {
            let escaped = rest[1..].chars().next()?;
            if state != In::Inserted {
                old.push(escaped);
            }
            if state != In::Deleted {
                new.push(escaped);
            }
            rest = &rest[1 + escaped.len_utf8()..];
            continue;
        }
        if opening("{>>") {
            // A comment is about the text, not part of it.
            let end = rest.find("<<}")?;
            rest = &rest[end + 3..];
            continue;
        }
        let (next_state, marker_len) = if opening("{--") {
            (In::Deleted, 3)
        } else if opening("{++") {
            (In::Inserted, 3)
        } else if (state == In::Deleted && rest.starts_with("--}"))
            || (state == In::Inserted && rest.starts_with("++}"))
        {
            (In::Equal, 3)
        } else if matches!(c, '{' | '}') {
            // An unescaped brace is never text in this form.
            return None;
        } else {
            if state != In::Inserted {
                old.push(c);
            }
            if state != In::Deleted {
                new.push(c);
            }
            rest = &rest[c.len_utf8()..];
            continue;
        };
        state = next_state;
        rest = &rest[marker_len..];
    }
    (state == In::Equal).then_some((old, new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn square_brackets_stay_text() {
        let marked = format!("parties {}{} act", deleted("[shall]"), inserted("should"));
        assert_eq!(marked, "parties {--[shall]--}{++should++} act");
        assert_eq!(
            sides(&marked),
            Some(("parties [shall] act".into(), "parties should act".into()))
        );
    }

    #[test]
    fn marker_lookalikes_in_the_text_are_escaped() {
        let text = r"a {--b--} {++c++} \ d}";
        let marked = format!("{}{}", deleted(text), inserted("x"));
        assert_eq!(sides(&marked), Some((text.to_owned(), "x".to_owned())));
        assert_eq!(
            sides(&escape(text)),
            Some((text.to_owned(), text.to_owned()))
        );
    }

    #[test]
    fn unpaired_markers_are_refused() {
        assert_eq!(sides("{--a"), None);
        assert_eq!(sides("a}"), None);
        assert_eq!(sides("a\\"), None);
    }

    proptest! {
        #[test]
        fn any_pieces_read_back_exactly(
            pieces in prop::collection::vec((0u8..3, "[\\PC{}\\\\-]{0,12}"), 0..12)
        ) {
            let (mut marked, mut old, mut new) = (String::new(), String::new(), String::new());
            for (kind, text) in &pieces {
                match kind {
                    0 => {
                        marked.push_str(&escape(text));
                        old.push_str(text);
                        new.push_str(text);
                    }
                    1 => {
                        marked.push_str(&deleted(text));
                        old.push_str(text);
                    }
                    _ => {
                        marked.push_str(&inserted(text));
                        new.push_str(text);
                    }
                }
            }
            prop_assert_eq!(sides(&marked), Some((old, new)));
        }
    }
}
