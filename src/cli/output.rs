//! Where a rendered document goes: standard output, or a file written atomically.

use std::io::Write;
use std::path::Path;

use super::{CommandError, Context, Ui};

/// Writes `content` to `output` (relative to the working directory), or to stdout.
pub fn deliver(
    content: &[u8],
    output: Option<&Path>,
    context: &Context,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let Some(path) = output else {
        ui.write_bytes(content)?;
        return Ok(());
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
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    temp.write_all(content).map_err(cannot)?;
    temp.persist(&path).map_err(|e| cannot(e.error))?;
    ui.line(&format!("Wrote {}", path.display()))?;
    Ok(())
}
