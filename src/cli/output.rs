//! Where a rendered document goes: standard output, or a file written atomically.

use std::io::Write;
use std::path::Path;

use super::{CommandError, Context, Ui};

/// A rendered document.
pub enum Document {
    /// Text for a terminal: always made safe (escape sequences and bidi overrides shown as
    /// `<U+XXXX>`), even when standard output is a pipe.
    Text(String),
    /// Text in a file format (Markdown, HTML, JSON, XML, plain text): made safe on a
    /// terminal, but written exactly to a pipe or a redirect, as to `-o FILE`, since there
    /// `<U+202E>` would corrupt the data (and in HTML read as a tag).
    Data(String),
    /// Bytes (a Word file).
    Binary(Vec<u8>),
}

/// Refuses, before any work, to send a binary document (`kind`: "Word", "PDF") to a
/// terminal, suggesting `-o file_name`.
pub fn refuse_binary_on_terminal(
    kind: &str,
    file_name: &str,
    output: Option<&Path>,
    ui: &Ui,
) -> Result<(), CommandError> {
    if output.is_none() && ui.is_terminal() {
        return Err(
            CommandError::user(format!("a {kind} document is binary: write it to a file"))
                .hint(format!("add -o {file_name}")),
        );
    }
    Ok(())
}

/// Writes `document` to `output` (relative to the working directory), or to stdout.
pub fn deliver(
    document: Document,
    output: Option<&Path>,
    context: &Context,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let Some(path) = output else {
        match &document {
            Document::Text(text) => ui.write(text)?,
            Document::Data(text) if ui.is_terminal() => ui.write(text)?,
            Document::Data(text) => ui.write_bytes(text.as_bytes())?,
            Document::Binary(bytes) => ui.write_bytes(bytes)?,
        }
        return Ok(());
    };
    let content = match &document {
        Document::Text(text) | Document::Data(text) => text.as_bytes(),
        Document::Binary(bytes) => bytes.as_slice(),
    };
    let path = context.resolve_path(path);
    let cannot = |error: std::io::Error| {
        CommandError::user(format!("cannot write {}: {error}", path.display()))
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(CommandError::user(format!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    // A temporary file renamed into place: a reader never sees half a document, and a failed
    // write leaves any earlier file as it was.
    let mut temp = crate::store::temp_file_in(dir).map_err(cannot)?;
    temp.write_all(content).map_err(cannot)?;
    temp.persist(&path).map_err(|e| cannot(e.error))?;
    ui.line(&format!("Wrote {}", path.display()))?;
    Ok(())
}
