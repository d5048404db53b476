//! The declaration as plain or terminal text: numbered, wrapped, with italics where the
//! terminal can show them.

use textwrap::Options as WrapOptions;

use super::inline::{InlineRun, inline_runs};
use crate::model::declaration::subparagraph_label;
use crate::model::{ClauseId, Declaration, Part};

/// How text output looks (what is shown is decided by the caller).
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    /// Wrap at this many columns.
    pub width: usize,
    /// Use terminal escape sequences for italics and colours.
    pub ansi: bool,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            width: 80,
            ansi: false,
        }
    }
}

const MARGIN: usize = 7;

/// The whole declaration, or only `only`, as a reader sees it: header, chapeau, and numbered
/// paragraphs with a margin label (`PP 3`, `OP 12`) that negotiators cite.
pub fn declaration_text(
    declaration: &Declaration,
    only: Option<&ClauseId>,
    style: TextStyle,
) -> String {
    let mut out = String::new();
    let meta = &declaration.meta;
    if only.is_none() {
        out.push_str(&meta.symbol);
        out.push('\n');
        let venue = format!(
            "{} · {}, {}",
            meta.conference,
            meta.place,
            meta.dates.long_form()
        );
        out.push_str(&wrap(&venue, "", "", style.width));
        out.push_str("\n\n");
        out.push_str(&wrap(
            &styled(&inline_runs(&meta.title), style, true),
            "",
            "",
            style.width,
        ));
        out.push_str("\n\n");
        out.push_str(&wrap(
            &styled(&inline_runs(&meta.chapeau), style, false),
            "",
            "",
            style.width,
        ));
        out.push('\n');
    }
    let mut last_part = None;
    for (number, id, clause) in declaration.numbered() {
        if only.is_some_and(|wanted| wanted != id) {
            continue;
        }
        if only.is_none() && last_part != Some(number.part) && number.part == Part::Operative {
            out.push('\n');
        }
        last_part = Some(number.part);
        out.push('\n');
        let label = format!("{:<width$}", number.to_string(), width = MARGIN);
        let indent = " ".repeat(MARGIN);
        out.push_str(&wrap(
            &styled(&inline_runs(&clause.text), style, false),
            &label,
            &indent,
            style.width,
        ));
        for (idx, sub) in clause.subparagraphs.iter().enumerate() {
            let sub_label = format!("{indent}({}) ", subparagraph_label(idx));
            let sub_indent = " ".repeat(sub_label.chars().count());
            out.push('\n');
            out.push_str(&wrap(
                &styled(&inline_runs(sub), style, false),
                &sub_label,
                &sub_indent,
                style.width,
            ));
        }
        out.push('\n');
    }
    out
}

/// Inline runs as text, italics and bold shown with escape sequences when `style.ansi`.
pub fn styled(runs: &[InlineRun], style: TextStyle, heading: bool) -> String {
    runs.iter()
        .map(|run| {
            if !style.ansi || !(run.italic || run.bold || heading) {
                return run.text.clone();
            }
            let mut codes = Vec::new();
            if run.italic {
                codes.push("3");
            }
            if run.bold || heading {
                codes.push("1");
            }
            format!("\x1b[{}m{}\x1b[0m", codes.join(";"), run.text)
        })
        .collect()
}

/// Wraps `text` with a first-line prefix and a hanging indent.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    let options = WrapOptions::new(width.max(20))
        .initial_indent(first)
        .subsequent_indent(rest);
    textwrap::fill(text, options)
}
