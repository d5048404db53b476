//! Inline Markdown in clause text (`*Recalling*`, `**bold**`) as styled runs, through comrak.
//!
//! Clause text is one paragraph of inline Markdown; every back-end (terminal, Word, XML) wants
//! it as runs of text with styles rather than as HTML, so this is the one place it is parsed.

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InlineRun {
    pub text: String,
    pub italic: bool,
    pub bold: bool,
}

/// The runs of a clause's inline Markdown. Block structure (a line that happens to look like a
/// list item) is flattened: clause text is always one paragraph.
pub fn inline_runs(markdown: &str) -> Vec<InlineRun> {
    let arena = Arena::new();
    let escaped: Vec<String> = markdown.lines().map(escape_block_marker).collect();
    let root = parse_document(&arena, &escaped.join("\n"), &Options::default());
    let mut runs = Vec::new();
    collect(root, false, false, &mut runs);
    merge_adjacent(runs)
}

/// The text without Markdown markers.
pub fn plain_text(markdown: &str) -> String {
    inline_runs(markdown)
        .into_iter()
        .map(|run| run.text)
        .collect()
}

fn collect<'a>(node: &'a AstNode<'a>, italic: bool, bold: bool, runs: &mut Vec<InlineRun>) {
    let push = |runs: &mut Vec<InlineRun>, text: &str| {
        runs.push(InlineRun {
            text: text.to_owned(),
            italic,
            bold,
        })
    };
    match &node.data().value {
        NodeValue::Text(text) => return push(runs, text),
        NodeValue::Code(code) => return push(runs, &code.literal),
        NodeValue::SoftBreak | NodeValue::LineBreak => return push(runs, " "),
        NodeValue::HtmlInline(html) => return push(runs, html),
        // Blocks that hold their text as a literal. Clause text is never meant as HTML or
        // code, but a line that looks like one must keep its words, not vanish.
        NodeValue::HtmlBlock(html) => return push(runs, html.literal.trim_end_matches('\n')),
        NodeValue::CodeBlock(code) => return push(runs, code.literal.trim_end_matches('\n')),
        _ => {}
    }
    let (italic, bold) = match &node.data().value {
        NodeValue::Emph => (true, bold),
        NodeValue::Strong => (italic, true),
        _ => (italic, bold),
    };
    let mut first_block = true;
    for child in node.children() {
        // Separate flattened blocks by a space so words never run together.
        if child.data().value.block() {
            if !first_block {
                push(runs, " ");
            }
            first_block = false;
        }
        collect(child, italic, bold, runs);
    }
}

/// Clause text is inline only: a line opening like a list item, heading or quote ("1. ...",
/// "- ...", "# ...") keeps its characters, so the marker is escaped before parsing.
fn escape_block_marker(line: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let after_digits = &trimmed[digits..];
    if digits > 0
        && (after_digits.starts_with(". ")
            || after_digits.starts_with(") ")
            || after_digits == "."
            || after_digits == ")")
    {
        return format!("{indent}{}\\{}", &trimmed[..digits], after_digits);
    }
    // `<` opens an HTML block, `*` and `_` a list item or a thematic break, three backticks
    // or tildes a code fence, four spaces an indented code block.
    let bullet_or_rule = trimmed.starts_with(['*', '_'])
        && (trimmed[1..].starts_with(char::is_whitespace)
            || trimmed.len() == 1
            || trimmed.chars().all(|c| " \t*_".contains(c)));
    if trimmed.starts_with(['-', '+', '#', '>', '=', '<', '`', '~', '|']) || bullet_or_rule {
        return format!("{indent}\\{trimmed}");
    }
    if indent.len() >= 4 || indent.contains('\t') {
        return trimmed.to_owned();
    }
    line.to_owned()
}

fn merge_adjacent(runs: Vec<InlineRun>) -> Vec<InlineRun> {
    let mut merged: Vec<InlineRun> = Vec::new();
    for run in runs {
        match merged.last_mut() {
            Some(last) if last.italic == run.italic && last.bold == run.bold => {
                last.text.push_str(&run.text)
            }
            _ => merged.push(run),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_becomes_styled_runs() {
        let runs = inline_runs("*Recalling* the **Charter** of the <United> Nations,");
        assert_eq!(
            runs[0],
            InlineRun {
                text: "Recalling".into(),
                italic: true,
                bold: false
            }
        );
        assert_eq!(runs[2].text, "Charter");
        assert!(runs[2].bold);
        assert_eq!(
            plain_text("*Recalling* the **Charter** of the <United> Nations,"),
            "Recalling the Charter of the <United> Nations,"
        );
    }

    #[test]
    fn text_that_looks_like_a_list_stays_text() {
        assert_eq!(
            plain_text("1. Decide to meet again"),
            "1. Decide to meet again"
        );
        assert_eq!(plain_text("- a dash"), "- a dash");
        assert_eq!(plain_text("# not a heading"), "# not a heading");
        assert_eq!(plain_text("[and PNR data] shall"), "[and PNR data] shall");
    }

    /// Text that opens like an HTML block, a code block, a fence, a bullet or a rule used to
    /// vanish from every rendering (found by the hostile-text export test).
    #[test]
    fn text_that_looks_like_html_or_code_stays_text() {
        for text in [
            "<script>alert(1)</script> and more",
            "<div>Decide</div>",
            "<!-- a comment --> kept",
            "    indented four spaces",
            "```rust",
            "~~~",
            "* a bullet",
            "***",
            "_ _ _",
            "| a | table |",
        ] {
            let plain = plain_text(text);
            assert_eq!(
                plain.split_whitespace().collect::<Vec<_>>(),
                text.split_whitespace().collect::<Vec<_>>(),
                "{text:?} became {plain:?}"
            );
        }
        // Emphasis in the middle of such a line still counts.
        assert!(inline_runs("<b> is *bold*").iter().any(|run| run.italic));
    }
}
