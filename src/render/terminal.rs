//! Text that is safe to print on a terminal.
//!
//! Wording, names and reasons are untrusted: an amendment could carry escape sequences that
//! move the cursor, rewrite the screen or retitle the window, or bidi overrides that make a
//! line read differently from what it holds. Before anything reaches the terminal, control
//! characters and bidi overrides are shown as visible `<U+XXXX>` codes. decl's own colours
//! (SGR sequences, `ESC [ digits ; ... m`) are kept only when colour is on.

use std::borrow::Cow;

/// Neutralises control characters and bidi overrides in `text`; `keep_colours` lets decl's own
/// SGR colour sequences through.
pub fn terminal_safe(text: &str, keep_colours: bool) -> Cow<'_, str> {
    // Most output is plain printable ASCII: pass it through without a copy.
    let plainly_safe = |byte: &u8| matches!(byte, b' '..=b'~' | b'\n' | b'\t');
    if text.as_bytes().iter().all(plainly_safe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((idx, c)) = chars.next() {
        if c == '\x1b'
            && keep_colours
            && let Some(length) = sgr_length(&text[idx..])
        {
            out.push_str(&text[idx..idx + length]);
            while chars.peek().is_some_and(|&(next, _)| next < idx + length) {
                chars.next();
            }
            continue;
        }
        if is_dangerous(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The length of an SGR sequence (`ESC [ 1 ; 32 m`) at the start of `text`.
fn sgr_length(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("\x1b[")?;
    let params = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ';')
        .count();
    (rest[params..].starts_with('m')).then_some(2 + params + 1)
}

fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidi embeddings, overrides and isolates (the "Trojan Source" characters).
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escapes_and_overrides_become_visible() {
        assert_eq!(
            terminal_safe("a\x1b]0;pwned\x07b", true),
            "a<U+001B>]0;pwned<U+0007>b"
        );
        assert_eq!(terminal_safe("x\u{202E}cba", false), "x<U+202E>cba");
        assert_eq!(
            terminal_safe("\x1b[1;32mok\x1b[0m", true),
            "\x1b[1;32mok\x1b[0m"
        );
        assert_eq!(terminal_safe("\x1b[1;32mok", false), "<U+001B>[1;32mok");
        assert_eq!(terminal_safe("Ширин\tالدول\n", false), "Ширин\tالدول\n");
    }
}
