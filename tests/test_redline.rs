//! `decl redline` and `decl compile` on the bundled Dushanbe negotiation, in every format.

use crate::common::{TestEnv, tool_available};

#[test]
fn the_adopted_text_against_the_zero_draft_in_every_text_format() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let term = env
        .decl("d", &["redline", "zero-draft", "adopted"])
        .success()
        .stdout;
    assert!(
        term.starts_with("Redline: Zero draft compared with Adopted text\n"),
        "{term}"
    );
    insta::assert_snapshot!("redline_zero_draft_adopted_term", term);
    let md = env
        .decl("d", &["redline", "zero-draft", "adopted", "--format", "md"])
        .success()
        .stdout;
    insta::assert_snapshot!("redline_zero_draft_adopted_md", md);
    let html = env
        .decl(
            "d",
            &["redline", "zero-draft", "adopted", "--format", "html"],
        )
        .success()
        .stdout;
    insta::assert_snapshot!("redline_zero_draft_adopted_html", html);
    assert!(html.contains("<ins>") && html.contains("<del>"));
    assert!(
        html.contains("TUR-1: proposed by Republic of Türkiye."),
        "attribution missing"
    );
}

#[test]
fn renumbering_is_shown_but_not_counted_and_moves_say_where_from() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let term = env.decl("d", &["redline", "rev1", "rev2"]).success().stdout;
    let summary = term.lines().nth(1).unwrap();
    assert!(
        summary.contains("renumbered only") || !term.contains("(was "),
        "{summary}"
    );
    let all = env
        .decl("d", &["redline", "zero-draft", "adopted", "--all"])
        .success()
        .stdout;
    assert!(all.contains("(was PP 6)"), "{all}");
    assert!(all.contains("Moved (was "), "{all}");
    assert!(all.contains("(deleted)") && all.contains("(new)"), "{all}");
}

#[test]
fn one_clause_and_the_default_range() {
    let mut env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-follow-up",
            "--span",
            "2024",
            "--text",
            "2025",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    env.at("2022-09-20T10:00:00+05:00");
    env.decl(
        "repo",
        &[
            "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
        ],
    )
    .success();
    let output = env
        .decl(
            "repo",
            &["redline", "rev1~3", "rev1", "--clause", "op-follow-up"],
        )
        .success();
    insta::assert_snapshot!(output.normalized(&env), @"
    Redline: rev1~3 compared with Rev.1
    1 clause changed, 0 inserted, 0 deleted, 0 moved

    OP 3
        Decide to meet again in {--2024--}{++2025++}.
        TUR-1: proposed by Republic of Türkiye.
    ");
    // With no arguments: the last revision against the working tree.
    let output = env.decl("repo", &["redline"]).success();
    assert_eq!(
        output.stdout,
        "Redline: Rev.1 compared with the current text\n0 clauses changed, 0 inserted, 0 deleted, 0 moved\n"
    );
    let output = env
        .decl(
            "repo",
            &["redline", "zero-draft", "rev1", "--clause", "op-folow-up"],
        )
        .failure();
    assert_eq!(
        output.stderr,
        "error: unknown clause op-folow-up; did you mean op-follow-up?\n"
    );
}

#[test]
fn two_files_compared_with_the_same_engine() {
    let env = TestEnv::new();
    env.write(
        "old.txt",
        "States shall cooperate closely.\nThe Conference will meet in 2024.\n",
    );
    env.write(
        "new.txt",
        "States should cooperate closely.\nThe Conference will meet in 2024.\n",
    );
    let output = env
        .decl("", &["redline", "--files", "old.txt", "new.txt"])
        .success();
    insta::assert_snapshot!(output.normalized(&env), @"
    Redline: old.txt compared with new.txt
    1 word inserted, 1 word deleted

    ¶ 1
        States {--shall--}{++should++} cooperate closely.
    ");
    let output = env
        .decl("", &["redline", "--files", "old.txt", "missing.txt"])
        .failure();
    assert!(
        output.stderr.starts_with("error: cannot read missing.txt:"),
        "{}",
        output.stderr
    );
}

#[test]
fn hostile_wording_is_escaped_in_html_and_markdown() {
    let env = TestEnv::new();
    env.small("repo");
    let hostile = "<script>alert(1)</script> {{ title }} {% raw %} & [link](javascript:x)";
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-follow-up",
            "--text",
            hostile,
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    let html = env
        .decl(
            "repo",
            &["redline", "zero-draft", "rev1", "--format", "html"],
        )
        .success()
        .stdout;
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; {{ title }} {% raw %} &amp; [link](javascript:x)"), "{html}");
    let md = env
        .decl("repo", &["redline", "zero-draft", "rev1", "--format", "md"])
        .success()
        .stdout;
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains("\\[link\\](javascript:x)"), "{md}");
    let compiled = env
        .decl("repo", &["compile", "--format", "html"])
        .success()
        .stdout;
    assert!(!compiled.contains("<script>alert"));
}

#[test]
fn a_template_in_the_repository_overrides_the_built_in_one() {
    let env = TestEnv::new();
    env.small("repo");
    env.write("repo/templates/redline.html", "{% extends \"base.html\" %}{% block body %}<h1>Our own: {{ from_label }}</h1>{% endblock body %}");
    let html = env
        .decl(
            "repo",
            &["redline", "zero-draft", "HEAD", "--format", "html"],
        )
        .success()
        .stdout;
    assert!(html.contains("<h1>Our own: Zero draft</h1>"), "{html}");
    env.write("repo/templates/redline.html", "{% if %}");
    let output = env
        .decl(
            "repo",
            &["redline", "zero-draft", "HEAD", "--format", "html"],
        )
        .failure();
    assert!(
        output.stderr.starts_with("error: template redline.html: "),
        "{}",
        output.stderr
    );
}

#[test]
fn output_to_a_file_and_to_an_unwritable_place() {
    let env = TestEnv::new();
    env.small("repo");
    let output = env
        .decl(
            "repo",
            &[
                "redline",
                "zero-draft",
                "HEAD",
                "--format",
                "html",
                "-o",
                "out.html",
            ],
        )
        .success();
    assert!(output.stdout.starts_with("Wrote "));
    assert!(env.read("repo/out.html").starts_with("<!DOCTYPE html>"));
    let output = env
        .decl(
            "repo",
            &["redline", "zero-draft", "HEAD", "-o", "no/such/dir/out.txt"],
        )
        .failure();
    assert!(output.stderr.contains("the folder"), "{}", output.stderr);
}

#[test]
fn the_word_redline_has_tracked_changes_authored_by_delegations() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl(
        "d",
        &[
            "redline",
            "zero-draft",
            "adopted",
            "--format",
            "docx",
            "-o",
            "redline.docx",
        ],
    )
    .success();
    let bytes = std::fs::read(env.root().join("d/redline.docx")).unwrap();
    let docx = docx_rs::read_docx(&bytes).expect("decl's DOCX parses back");
    let json = docx.json();
    // docx-rs pretty-prints its JSON: compare without the spaces.
    let json: String = json.split_whitespace().collect::<Vec<_>>().join("");
    assert!(
        json.contains("\"author\":\"RepublicofTürkiye(TUR-1)\""),
        "no change authored by Türkiye"
    );
    assert!(
        json.matches("\"type\":\"insert\"").count() > 20,
        "too few insertions"
    );
    assert!(
        json.matches("\"type\":\"delete\"").count() > 10,
        "too few deletions"
    );
    assert!(
        json.contains("\"date\":\"2022-09-28T12:00:00+05:00\""),
        "changes are not dated"
    );

    if tool_available("soffice") && tool_available("pdftotext") {
        let out = env.root().join("pdf");
        let status = std::process::Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}/lo-profile",
                env.root().display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&out)
            .arg(env.root().join("d/redline.docx"))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let text = std::process::Command::new("pdftotext")
            .arg(out.join("redline.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("Dushanbe Declaration on Border Security"),
            "{text}"
        );
        assert!(
            text.contains("Zero draft compared with Adopted text"),
            "{text}"
        );
    }
}

#[test]
fn the_compilation_text_shows_pending_amendments_under_their_clauses() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let term = env
        .decl("d", &["compile", "--rev", "rev2~5"])
        .success()
        .stdout;
    insta::assert_snapshot!("compile_rev2_term", term);
    assert!(
        term.contains("[awaiting the next revision, competing]"),
        "{term}"
    );
    let html = env
        .decl("d", &["compile", "--rev", "rev2~5", "--format", "html"])
        .success()
        .stdout;
    assert!(html.contains("class=\"bracketed\""));
    assert!(html.contains("class=\"amendment competing\""));
    insta::assert_snapshot!("compile_rev2_html", html);
    let md = env
        .decl("d", &["compile", "--rev", "rev2~5", "--format", "md"])
        .success()
        .stdout;
    insta::assert_snapshot!("compile_rev2_md", md);
    // At the adopted text nothing is pending.
    let adopted = env
        .decl("d", &["compile", "--rev", "adopted"])
        .success()
        .stdout;
    assert!(
        adopted.contains("0 pending amendments to 0 clauses"),
        "{adopted}"
    );
}
