//! Every HTML page decl writes, and every page `decl serve` shows, passes axe-core's WCAG 2.2
//! AA rules in headless Chromium (`tests/browser/axe.mjs`); changes are announced as text, not
//! colour alone; and the served pages work from the keyboard alone
//! (`tests/browser/serve-a11y.mjs`).

use std::path::Path;
use std::process::Command;

use crate::common::{TestEnv, browser_available};
use crate::test_serve::{Server, sign_in_url};

/// Runs axe on `pages`; fails listing the violations.
fn assert_accessible(pages: &[std::path::PathBuf]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/axe.mjs");
    let output = Command::new("node")
        .arg(script)
        .args(pages)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "axe found violations (exit {:?}):\n{}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_html_page_passes_wcag_2_2_aa() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let pages: &[(&str, &[&str])] = &[
        ("export.html", &["export", "--format", "html"]),
        (
            "export-ru.html",
            &["export", "--format", "html", "--lang", "ru"],
        ),
        (
            "draft.html",
            &["export", "--format", "html", "--rev", "rev1", "--draft"],
        ),
        (
            "redline.html",
            &["redline", "zero-draft", "adopted", "--format", "html"],
        ),
        (
            "redline-rev.html",
            &["redline", "rev1", "rev2", "--format", "html"],
        ),
        (
            "redline-clause.html",
            &[
                "redline",
                "zero-draft",
                "adopted",
                "--clause",
                "op-afghanistan",
                "--format",
                "html",
            ],
        ),
        (
            "compile.html",
            &["compile", "--rev", "rev2", "--format", "html"],
        ),
    ];
    let mut paths = Vec::new();
    for (name, args) in pages {
        let mut all = args.to_vec();
        all.extend(["-o", name]);
        env.decl("d", &all).success();
        paths.push(env.root().join("d").join(name));
    }
    // Changes are text for a screen reader, not only colour or a line through.
    let redline = std::fs::read_to_string(&paths[3]).unwrap();
    // Each change says who made it, to the eye (a title) and to a screen reader.
    assert!(redline.contains("<span class=\"sr-only\">[inserted by "));
    assert!(redline.contains("<span class=\"sr-only\">[deleted by "));
    let russian = std::fs::read_to_string(&paths[1]).unwrap();
    assert!(russian.contains("<html lang=\"ru\" dir=\"ltr\">"));
    if !browser_available() {
        return;
    }
    assert_accessible(&paths);
}

#[test]
fn the_served_pages_pass_wcag_2_2_aa_and_work_by_keyboard() {
    if !browser_available() {
        return;
    }
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
        ],
    )
    .success();
    // Hostile wording too: whatever a delegation types is shown as text.
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--replace",
            "op-borders",
            "--text",
            "The States <b>shall</b> [cooperate] & \"share\" data.",
            "--justification",
            "<script>alert(1)</script>",
        ],
    )
    .success();
    let server = Server::start(&env, "repo", &[]);
    let base = format!("http://{}", server.addr);
    let link = |code| sign_in_url(&env, "repo", &server, code);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/serve-a11y.mjs");
    let output = Command::new("node")
        .arg(script)
        .args([&base, &link("TUR"), &link("TJK"), "QAT-1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("page states checked by axe"), "{stdout}");
    // The keyboard-only proposal is a real commit by Türkiye.
    let log = env.git("repo", &["log", "-1", "--format=%an|%s"]).stdout;
    assert!(
        log.starts_with("Republic of Türkiye|TUR proposes TUR-1"),
        "{log}"
    );
}
