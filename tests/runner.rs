//! The integration tests, built as one binary: each module drives the real `decl` binary
//! against temporary git repositories.

mod common;

mod test_accessibility;
mod test_amend;
mod test_check;
mod test_export;
mod test_hardening;
mod test_help;
mod test_init;
mod test_log_blame;
mod test_pdf;
mod test_procedure;
mod test_procedure_props;
mod test_recovery;
mod test_redline;
mod test_redline_exact;
mod test_redline_props;
mod test_revision;
mod test_scale;
mod test_serve;
mod test_show;
mod test_sync;
mod test_verify;

/// Every `tests/test_*.rs` file must be listed above, or it would silently never run.
#[test]
fn no_test_file_is_forgotten() {
    let runner = include_str!("runner.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(module) = name
            .strip_prefix("test_")
            .and_then(|n| n.strip_suffix(".rs"))
        {
            assert!(
                runner.contains(&format!("mod test_{module};")),
                "tests/{name} is not listed in tests/runner.rs"
            );
        }
    }
}
