//! The tera templates: built-in ones embedded in the binary, overridable by name.
//!
//! A repository may hold `templates/<name>` (e.g. `templates/redline.html`) to restyle its
//! output; the command reads that file and passes it here, so this module stays free of I/O.

use serde::Serialize;
use tera::{Context, Tera};

/// The built-in templates, by name.
pub const BUILT_IN: &[(&str, &str)] = &[("redline.html", include_str!("templates/redline.html"))];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("unknown template {0}")]
    UnknownTemplate(String),
}

/// Renders `name` with `context`, from `override_source` when given, else the built-in.
pub fn render(name: &str, override_source: Option<&str>, context: &impl Serialize) -> Result<String, RenderError> {
    let source = match override_source {
        Some(source) => source,
        None => BUILT_IN
            .iter()
            .find(|(built_in, _)| *built_in == name)
            .map(|(_, source)| *source)
            .ok_or_else(|| RenderError::UnknownTemplate(name.to_owned()))?,
    };
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
    tera.add_raw_template(name, source).map_err(error)?;
    let context = Context::from_serialize(context).map_err(error)?;
    tera.render(name, &context).map_err(error)
}
