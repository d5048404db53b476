//! A redline for the terminal: insertions green and underlined, deletions red and struck
//! through when colour is on; CriticMarkup `{--old--}{++new++}` otherwise, which survive a pipe, a log
//! file and a screen reader.

use crate::redline::{Redline, Segment};

pub fn redline_text(redline: &Redline, ansi: bool) -> String {
    if !ansi {
        return crate::redline::render_plain(redline);
    }
    let mut out = String::new();
    for segment in &redline.segments {
        match segment {
            Segment::Equal { new, .. } => out.push_str(new),
            Segment::Deleted(text) => out.push_str(&paint(text, "9;31")),
            Segment::Inserted(text) => out.push_str(&paint(text, "4;32")),
        }
    }
    out
}

/// Escapes per line, so that a pager showing part of a change still resets the style.
fn paint(text: &str, codes: &str) -> String {
    text.split('\n')
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("\x1b[{codes}m{line}\x1b[0m")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
