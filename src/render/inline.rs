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

/// Clause text allows the emphasis decl renders (`*italic*`, `**bold**`, `\*` for an asterisk)
/// and nothing else: every other mark is text, shown the same in every format. So each line is
/// escaped before comrak parses it: every ASCII punctuation mark but the asterisk gets a
/// backslash (CommonMark then reads it as itself), which keeps links (`[a](<b>)`, whose words
/// would vanish), code spans, HTML, entities and list or heading markers from being read as
/// Markdown; a line opening like a `*` bullet or rule, or indented like code, is escaped too.
fn escape_block_marker(line: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let mut escaped = String::with_capacity(trimmed.len() + 8);
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'*') {
            escaped.push_str("\\*");
            chars.next();
        } else if c.is_ascii_punctuation() && c != '*' {
            escaped.push('\\');
            escaped.push(c);
        } else {
            escaped.push(c);
        }
    }
    let bullet_or_rule = escaped.starts_with('*')
        && (escaped[1..].starts_with(char::is_whitespace)
            || escaped.len() == 1
            || escaped.chars().all(|c| " \t*".contains(c)));
    if bullet_or_rule {
        return format!("\\{escaped}");
    }
    if indent.len() >= 4 || indent.contains('\t') {
        return escaped;
    }
    format!("{indent}{escaped}")
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
    fn only_emphasis_is_markdown_everything_else_is_text() {
        // A link would keep "a" and lose the words in its destination.
        assert_eq!(
            plain_text("Support [a](<the fight against terrorism>) now"),
            "Support [a](<the fight against terrorism>) now"
        );
        for text in [
            "R&amp;D and &lt;b&gt;",
            "`code` and ![image](x.png) and <b>bold</b>",
            "snake_case_words and ~~strike~~ and \\[escaped\\]",
            "http://example.org and a \\ backslash",
        ] {
            assert_eq!(plain_text(text), text, "{text}");
        }
        let runs = inline_runs("*Urge* States, 5 \\* 3, **all**");
        assert!(runs[0].italic && runs[0].text == "Urge");
        assert_eq!(
            plain_text("*Urge* States, 5 \\* 3, **all**"),
            "Urge States, 5 * 3, all"
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
