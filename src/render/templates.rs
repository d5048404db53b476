//! The tera templates: built-in ones embedded in the binary, overridable by name.
//!
//! A repository may hold `templates/<name>` (e.g. `templates/redline.html`) to restyle its
//! output; the command reads that file and passes it here, so this module stays free of I/O.
//! An override may extend `base.html` and import `macros.html` as the built-ins do.

use serde::Serialize;
use tera::{Context, Tera};

/// The built-in templates, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("redline.html", include_str!("templates/redline.html")),
    ("compile.html", include_str!("templates/compile.html")),
    ("export.html", include_str!("templates/export.html")),
    // The pages of `decl serve`.
    (
        "serve/layout.html",
        include_str!("templates/serve/layout.html"),
    ),
    (
        "serve/error.html",
        include_str!("templates/serve/error.html"),
    ),
    ("serve/text.html", include_str!("templates/serve/text.html")),
    (
        "serve/compilation.html",
        include_str!("templates/serve/compilation.html"),
    ),
    (
        "serve/clause.html",
        include_str!("templates/serve/clause.html"),
    ),
    (
        "serve/compare.html",
        include_str!("templates/serve/compare.html"),
    ),
    (
        "serve/amendments.html",
        include_str!("templates/serve/amendments.html"),
    ),
    (
        "serve/amendment.html",
        include_str!("templates/serve/amendment.html"),
    ),
    (
        "serve/propose.html",
        include_str!("templates/serve/propose.html"),
    ),
    (
        "serve/revisions.html",
        include_str!("templates/serve/revisions.html"),
    ),
    (
        "serve/exports.html",
        include_str!("templates/serve/exports.html"),
    ),
    (
        "serve/signin.html",
        include_str!("templates/serve/signin.html"),
    ),
];

/// What any template may extend or import: the page frame and the redline macros.
const SHARED: &[&str] = &["base.html", "macros.html"];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("unknown template {0}")]
    UnknownTemplate(String),
}

/// Renders `name` with `context`, from `override_source` when given, else the built-in.
pub fn render(
    name: &str,
    override_source: Option<&str>,
    context: &impl Serialize,
) -> Result<String, RenderError> {
    if !BUILT_IN.iter().any(|(built_in, _)| *built_in == name) {
        return Err(RenderError::UnknownTemplate(name.to_owned()));
    }
    // Only what `name` can build on is parsed: parsing all twenty templates was a fifth of a
    // large redline's time, and is paid again on every page `decl serve` shows.
    let needed = |built_in: &str| {
        built_in == name
            || SHARED.contains(&built_in)
            || (name.starts_with("serve/") && built_in == "serve/layout.html")
    };
    let templates = BUILT_IN
        .iter()
        .filter(|(built_in, _)| needed(built_in))
        .map(|&(built_in, source)| match override_source {
            Some(replacement) if built_in == name => (built_in, replacement),
            _ => (built_in, source),
        });
    let error = |error: tera::Error| {
        // tera's own message is terse; its source chain says where and why.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        RenderError::Template {
            name: name.to_owned(),
            message,
        }
    };
    let mut tera = Tera::default();
    // Every value is escaped: amendment wording and names are untrusted text.
    tera.autoescape_on(vec![".html", ".xml", ".htm"]);
    tera.register_filter("css_string", css_string_filter);
    tera.add_raw_templates(templates).map_err(error)?;
    let context = Context::from_serialize(context).map_err(error)?;
    tera.render(name, &context).map_err(error)
}

/// `{{ value | css_string }}`: the value as the inside of a double-quoted CSS string, for
/// `content: "..."` in a style sheet. HTML escaping is wrong there (a running head would read
/// `DHLC&#x2F;2022`), so every character but letters, digits, spaces and a few safe marks is
/// a CSS escape, which also keeps `</style>` and quotes out of the sheet.
fn css_string_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = tera::try_get_value!("css_string", "value", String, value);
    Ok(tera::Value::String(css_string(&text)))
}

fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, ' ' | '.' | ',' | '-' | '_' | '/' | '(' | ')') {
            out.push(c);
        } else {
            // A space ends the escape, so a hex digit after it is not read as part of it.
            out.push_str(&format!("\\{:x} ", u32::from(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_css_string_keeps_a_symbol_readable_and_its_quotes_and_tags_out() {
        assert_eq!(css_string("DHLC/2022/1"), "DHLC/2022/1");
        assert_eq!(css_string("a\"b</style>"), "a\\22 b\\3c /style\\3e ");
    }

    #[derive(Serialize)]
    struct Page {
        lang: &'static str,
        dir: &'static str,
        symbol: &'static str,
        short_title: &'static str,
    }

    #[test]
    fn an_override_can_extend_the_base_and_values_are_escaped() {
        let page = Page {
            lang: "en",
            dir: "ltr",
            symbol: "S/1",
            short_title: "<script>alert(1)</script>",
        };
        let html = render(
            "redline.html",
            Some("{% extends \"base.html\" %}{% block body %}<p>{{ short_title }}</p>{% endblock body %}"),
            &page,
        )
        .unwrap();
        assert!(
            html.contains("<p>&lt;script&gt;alert(1)&lt;&#x2F;script&gt;</p>"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn a_broken_override_names_the_template() {
        let error = render("redline.html", Some("{% if %}"), &()).unwrap_err();
        assert!(
            error.to_string().starts_with("template redline.html: "),
            "{error}"
        );
    }
}
