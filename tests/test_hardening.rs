//! Bad input of every kind: a clear error naming the file (and line and column where it
//! applies), exit 1, and nothing changed; harmless input (a byte-order mark, CRLF) accepted.

use crate::common::{self, TestEnv, tool_available};

#[track_caller]
fn refused_without_change(env: &TestEnv, args: &[&str], expected: &str) -> String {
    // `git status` may refresh the index of a file edited within the same second: let it
    // settle first, so only decl's own changes would show.
    env.state("repo");
    let before = env.state("repo");
    let output = env.decl("repo", args);
    assert_eq!(output.code, 1, "{args:?}: {}", output.stderr);
    let all = format!("{}{}", output.stdout, output.stderr);
    assert!(
        all.contains(expected),
        "{args:?}: expected {expected:?} in\n{all}"
    );
    assert_eq!(env.state("repo"), before, "{args:?} changed the repository");
    all
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_are_accepted() {
    let env = TestEnv::new();
    env.small("repo");
    let text = env.read("repo/clauses/op-data.yaml").replace('\n', "\r\n");
    env.write("repo/clauses/op-data.yaml", &format!("\u{feff}{text}"));
    env.git(
        "repo",
        &[
            "commit",
            "-qam",
            "Secretariat saves OP 2 from a Windows editor",
        ],
    )
    .success();
    env.decl("repo", &["check"]).success();
    let shown = env.decl("repo", &["show", "op-data"]).success().stdout;
    assert!(
        shown.contains("(b) in accordance with national law;"),
        "{shown}"
    );
}

#[test]
fn tabs_invalid_utf8_empty_files_and_alias_bombs_are_refused_with_their_location() {
    let env = TestEnv::new();
    env.small("repo");
    env.write(
        "repo/clauses/op-data.yaml",
        "kind: operative\nstatus: draft\ntext: x\nsubparagraphs:\n\t- a tab\n",
    );
    let out = refused_without_change(
        &env,
        &["check"],
        "clauses/op-data.yaml:5:2: invalid YAML: tabs disallowed",
    );
    assert!(out.lines().count() >= 2);
    std::fs::write(
        env.root().join("repo/clauses/op-data.yaml"),
        b"kind: operative\nstatus: draft\ntext: caf\xe9\n",
    )
    .unwrap();
    refused_without_change(
        &env,
        &["check"],
        "clauses/op-data.yaml:3:10: the file is not valid UTF-8",
    );
    env.write("repo/clauses/op-data.yaml", "");
    refused_without_change(
        &env,
        &["check"],
        "clauses/op-data.yaml:1:1: the file is empty",
    );
    let mut bomb = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for level in b'b'..=b'k' {
        let previous = (level - 1) as char;
        let alias = format!("*{previous}");
        bomb.push_str(&format!(
            "{}: &{} [{}]\n",
            level as char,
            level as char,
            vec![alias; 9].join(",")
        ));
    }
    bomb.push_str("kind: operative\nstatus: draft\ntext: x\n");
    env.write("repo/clauses/op-data.yaml", &bomb);
    refused_without_change(&env, &["check"], "clauses/op-data.yaml:");
    env.write(
        "repo/clauses/op-data.yaml",
        "<<<<<<< HEAD\nkind: operative\n=======\nkind: preambular\n>>>>>>> other\n",
    );
    refused_without_change(
        &env,
        &["check"],
        "clauses/op-data.yaml:1:1: the file holds unresolved merge-conflict markers",
    );
}

#[test]
fn a_ten_megabyte_clause_is_read() {
    let env = TestEnv::new();
    env.small("repo");
    let long = "cooperation ".repeat(900_000);
    env.write(
        "repo/clauses/op-data.yaml",
        &format!("kind: operative\nstatus: draft\ntext: \"*Encourage* {long};\"\n"),
    );
    env.decl("repo", &["check"]).success();
}

#[test]
fn repositories_decl_cannot_work_in_say_why() {
    let env = TestEnv::new();
    // Empty: a git repository with no declaration.
    env.git("", &["init", "-q", "empty"]).success();
    let output = env.decl("empty", &["status"]).failure();
    assert!(
        output.stderr.contains("not a declaration repository"),
        "{}",
        output.stderr
    );
    // Bare.
    env.git("", &["init", "-q", "--bare", "bare.git"]).success();
    let output = env.decl("bare.git", &["check"]).failure();
    assert!(
        output
            .stderr
            .contains("is a bare git repository: decl needs a working tree"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_detached_head_or_a_merge_in_progress_refuses_changes() {
    let env = TestEnv::new();
    env.small("repo");
    env.git("repo", &["checkout", "-q", "--detach", "HEAD"])
        .success();
    refused_without_change(
        &env,
        &["amend", "propose", "--as", "TUR", "--delete", "op-data"],
        "HEAD is detached",
    );
    env.git("repo", &["checkout", "-q", "main"]).success();
    // A merge stopped on a conflict.
    env.git("repo", &["checkout", "-q", "-b", "other"])
        .success();
    env.write("repo/notes.txt", "one\n");
    env.git("repo", &["add", "notes.txt"]).success();
    env.git("repo", &["commit", "-qm", "one"]).success();
    env.git("repo", &["checkout", "-q", "main"]).success();
    env.write("repo/notes.txt", "two\n");
    env.git("repo", &["add", "notes.txt"]).success();
    env.git("repo", &["commit", "-qm", "two"]).success();
    let merge = env.git("repo", &["merge", "-q", "other"]);
    assert_ne!(merge.code, 0, "the merge conflicts");
    refused_without_change(
        &env,
        &["amend", "propose", "--as", "TUR", "--delete", "op-data"],
        "in the middle of a merge",
    );
}

#[test]
fn unknown_names_and_unwritable_outputs() {
    let env = TestEnv::new();
    env.small("repo");
    refused_without_change(
        &env,
        &["show", "--rev", "no-such-rev"],
        "unknown revision \"no-such-rev\"",
    );
    refused_without_change(
        &env,
        &["export", "--draft", "-o", "/proc/no/such/place.html"],
        "cannot write /proc/no/such/place.html",
    );
    refused_without_change(&env, &["amend", "show", "TUR-1"], "unknown amendment TUR-1");
    refused_without_change(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-data",
            "--text-file",
            "missing.txt",
        ],
        "cannot read missing.txt",
    );
}

/// The bytes of a file as a Windows editor saves it: a byte-order mark and CRLF line ends.
fn windows_style(text: &str) -> String {
    format!(
        "\u{feff}{}",
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    )
}

#[track_caller]
fn assert_windows_style(env: &TestEnv, path: &str) {
    let bytes = std::fs::read(env.root().join(path)).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{path} lost its BOM");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "{path} has LF line ends:\n{text:?}"
    );
}

#[test]
fn rewritten_files_keep_their_byte_order_mark_and_crlf_line_ends() {
    let mut env = TestEnv::new();
    env.small("repo");
    let mut files = vec!["declaration.yaml".to_owned(), "delegations.yaml".to_owned()];
    files.extend(
        common::SMALL_CLAUSES
            .iter()
            .map(|(id, _)| format!("clauses/{id}.yaml")),
    );
    for file in &files {
        let path = format!("repo/{file}");
        env.write(&path, &windows_style(&env.read(&path)));
    }
    env.git(
        "repo",
        &["commit", "-qam", "Secretariat saves the draft on Windows"],
    )
    .success();
    env.decl("repo", &["check"]).success();

    env.at("2022-09-12T12:00:00+05:00");
    env.decl(
        "repo",
        &[
            "amend", "propose", "--as", "RUS", "--replace", "op-data", "--text",
            "*Encourage* the exchange of advance passenger information:\n(a) with full respect for human rights;\n(b) in accordance with national law;",
        ],
    )
    .success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--insert-after",
            "op-data",
            "--new-id",
            "op-training",
            "--text",
            "*Encourage* joint training of border officials;",
        ],
    )
    .success();
    // A new file is written in the default style.
    let new_file = env.read("repo/amendments/RUS/RUS-1.yaml");
    assert!(!new_file.starts_with('\u{feff}') && !new_file.contains('\r'));
    // The delegation edits its amendment in a Windows editor, then others support it.
    for file in ["amendments/RUS/RUS-1.yaml", "amendments/QAT/QAT-1.yaml"] {
        let path = format!("repo/{file}");
        env.write(&path, &windows_style(&env.read(&path)));
    }
    env.git(
        "repo",
        &[
            "commit",
            "-qam",
            "RUS and QAT save their amendments on Windows",
        ],
    )
    .success();
    env.at("2022-09-13T09:00:00+05:00");
    env.decl("repo", &["amend", "support", "RUS-1", "--as", "KAZ"])
        .success();
    assert_windows_style(&env, "repo/amendments/RUS/RUS-1.yaml");
    assert!(env.read("repo/amendments/RUS/RUS-1.yaml").contains("KAZ"));
    env.at("2022-09-20T16:00:00+05:00");
    env.decl("repo", &["amend", "accept", "RUS-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["check"]).success();

    env.at("2022-09-25T10:00:00+05:00");
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    let changed = env
        .git("repo", &["show", "--name-only", "--format=", "rev1"])
        .success()
        .stdout;
    for file in [
        "declaration.yaml",
        "clauses/op-data.yaml",
        "amendments/RUS/RUS-1.yaml",
        "amendments/QAT/QAT-1.yaml",
    ] {
        assert!(
            changed.lines().any(|line| line == file),
            "{file} not in\n{changed}"
        );
        assert_windows_style(&env, &format!("repo/{file}"));
    }
    // The new clause is a new file: LF, no mark.
    let added = env.read("repo/clauses/op-training.yaml");
    assert!(
        !added.starts_with('\u{feff}') && !added.contains('\r'),
        "{added:?}"
    );
    assert!(
        env.read("repo/clauses/op-data.yaml")
            .contains("with full respect")
    );
    assert_eq!(
        env.git("repo", &["status", "--porcelain"]).stdout,
        "",
        "the working tree matches the commit"
    );
    assert_eq!(
        env.decl("repo", &["check"]).success().stdout,
        "ok: no problems found\n"
    );
    env.decl("repo", &["show", "--rev", "rev1"]).success();
}

#[test]
fn ids_with_separators_dots_control_characters_or_reserved_names_are_refused() {
    let env = TestEnv::new();
    env.small("repo");
    // In files: a clause file named after a reserved device, a delegation code with a slash,
    // an amendment whose id climbs out of its folder.
    env.write(
        "repo/clauses/con.yaml",
        "kind: operative\nstatus: draft\ntext: x\n",
    );
    refused_without_change(
        &env,
        &["check"],
        "clauses/con.yaml:1:1: the file name is not a valid clause id \"con\" is not valid: it is a reserved file name on Windows",
    );
    std::fs::remove_file(env.root().join("repo/clauses/con.yaml")).unwrap();
    let delegations = env
        .read("repo/delegations.yaml")
        .replace("code: KAZ", "code: K/Z");
    env.write("repo/delegations.yaml", &delegations);
    refused_without_change(
        &env,
        &["check"],
        "delegations.yaml:17:11: delegations[5].code: delegation code \"K/Z\" is not valid",
    );
    env.git("repo", &["checkout", "delegations.yaml"]).success();
    env.write(
        "repo/declaration.yaml",
        &env.read("repo/declaration.yaml")
            .replace("  - op-follow-up\n", "  - op-follow-up\n  - nul\n"),
    );
    refused_without_change(
        &env,
        &["check"],
        "declaration.yaml:17:5: operative[3]: clause id \"nul\" is not valid: it is a reserved file name on Windows",
    );
    env.git("repo", &["checkout", "declaration.yaml"]).success();

    // On the command line: refused before anything is written.
    for args in [
        &["show", "../op-data"][..],
        &["show", "op/data"],
        &["show", "op-\u{1b}[2J"],
        &["amend", "propose", "--as", "TUR", "--delete", "aux"],
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--insert-after",
            "op-data",
            "--new-id",
            "com1",
            "--text",
            "x",
        ],
        &["amend", "propose", "--as", "../TUR", "--delete", "op-data"],
        &["amend", "show", "TUR-1/.."],
    ] {
        let before = env.state("repo");
        let output = env.decl("repo", args);
        // An id the argument parser refuses is a usage error (2); `--as` is checked against
        // the delegations, a user error (1). Either way: a clear message, nothing changed.
        assert!([1, 2].contains(&output.code), "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains("is not valid"),
            "{args:?}: {}",
            output.stderr
        );
        assert!(
            !output.stderr.contains('\u{1b}'),
            "{args:?}: {:?}",
            output.stderr
        );
        assert_eq!(env.state("repo"), before, "{args:?} changed the repository");
    }
}

#[test]
fn hostile_titles_names_and_wording_are_text_in_every_export_format() {
    let env = TestEnv::new();
    env.small("repo");
    let hostile = "<script>alert(1)</script> {{ 7 * 7 }} {% if true %}x{% endif %} & **bold** \u{202E}cba\u{202C} \u{1b}c";
    let quoted = serde_json::to_string(hostile).unwrap();
    env.write(
        "repo/declaration.yaml",
        &env.read("repo/declaration.yaml").replace(
            "title: Test Declaration on Border Cooperation",
            &format!("title: {quoted}"),
        ),
    );
    env.write(
        "repo/delegations.yaml",
        &env.read("repo/delegations.yaml")
            .replace("name: Republic of Türkiye", &format!("name: {quoted}")),
    );
    // In a clause, a bidi override is refused (see below); elsewhere it is text like any other.
    let hostile_wording =
        serde_json::to_string(&hostile.replace(['\u{202E}', '\u{202C}'], "")).unwrap();
    env.write(
        "repo/clauses/op-follow-up.yaml",
        &format!("kind: operative\nstatus: draft\ntext: {hostile_wording}\n"),
    );
    env.git("repo", &["commit", "-qam", "Hostile text everywhere"])
        .success();
    env.decl("repo", &["check"]).success();
    let export = |format: &str| {
        env.decl(
            "repo",
            &["export", "--rev", "HEAD", "--draft", "--format", format],
        )
        .success()
        .stdout
    };
    for format in ["html", "akn", "md", "txt"] {
        let out = export(format);
        // Plain text shows the characters as they are; the markup formats escape them.
        assert!(
            format == "txt" || !out.contains("<script>"),
            "{format}: {out}"
        );
        assert!(
            out.contains("alert(1)"),
            "{format}: the text is there: {out}"
        );
        assert!(!out.contains("49"), "{format}: a template ran: {out}");
        // Written to a pipe, a document is data and keeps the text exactly; only XML, which
        // cannot hold an escape character at all, shows it as `<U+001B>`.
        assert_eq!(out.contains('\u{1b}'), format != "akn", "{format}: {out:?}");
        assert!(out.contains('\u{202E}'), "{format}: {out:?}");
    }
    let html = export("html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "{html}");
    assert!(html.contains("{{ 7 * 7 }}"), "{html}");
    let akn = export("akn");
    assert!(
        akn.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{akn}"
    );
    assert!(akn.contains("&lt;U+001B&gt;c"), "{akn}");
    // Well-formed XML: no raw control character (XML 1.0 forbids ESC) and every tag closed.
    let mut reader = quick_xml::Reader::from_str(&akn);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("the AKN export is not well-formed XML: {error}\n{akn}"),
        }
    }
    assert!(export("md").contains("&lt;script&gt;"));
    let json: serde_json::Value = serde_json::from_str(&export("json")).unwrap();
    assert_eq!(
        json["title"].as_str(),
        Some(hostile),
        "JSON keeps the text exactly"
    );
    env.decl(
        "repo",
        &[
            "export", "--rev", "HEAD", "--draft", "--format", "docx", "-o", "out.docx",
        ],
    )
    .success();
    let docx = docx_rs::read_docx(&std::fs::read(env.root().join("repo/out.docx")).unwrap())
        .expect("the DOCX export reads back");
    let json = docx.json();
    assert!(
        json.contains("<script>alert(1)</script>"),
        "the DOCX holds the text as text"
    );
    // Word refuses a document.xml holding an escape character: it is made visible instead.
    assert!(
        json.contains("<U+001B>c") && !json.contains("\\u001b"),
        "{json}"
    );
    // A delegation's name, where decl shows one: the amendment list and the compilation.
    env.decl(
        "repo",
        &["amend", "propose", "--as", "TUR", "--delete", "op-data"],
    )
    .success();
    let compiled = env
        .decl("repo", &["compile", "--format", "html"])
        .success()
        .stdout;
    assert!(!compiled.contains("<script>"), "{compiled}");
    let shown = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{202E}'),
        "{shown:?}"
    );
    // A bidi override written into a clause by hand is flagged where it stands.
    env.write(
        "repo/clauses/op-follow-up.yaml",
        &format!("kind: operative\nstatus: draft\ntext: {quoted}\n"),
    );
    let check = env.decl("repo", &["check"]).failure();
    assert!(
        check
            .stdout
            .contains("clauses/op-follow-up.yaml:3:7: holds the bidirectional control U+202E"),
        "{}",
        check.stdout
    );
}

#[test]
fn user_text_can_neither_forge_a_trailer_nor_carry_a_nul() {
    let env = TestEnv::new();
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
            "--text",
            "*Decide* to meet again in 2025.",
        ],
    )
    .success();
    // A label is one line: a line break would have let it write trailers into the commit.
    refused_without_change(
        &env,
        &[
            "revision",
            "cut",
            "rev1",
            "--label",
            "Rev.1\n\nDecl-Applied: TUR-1 op-borders",
            "--as",
            "UNOCT",
        ],
        "control character U+000A",
    );
    // A NUL cannot be typed as an argument, but a file can hold one.
    env.write("repo/../nul.txt", "*Decide* to meet\0 again in 2026.");
    let file = env.root().join("nul.txt");
    refused_without_change(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--replace",
            "op-borders",
            "--text-file",
            file.to_str().unwrap(),
        ],
        "NUL",
    );
}

#[test]
fn a_token_lifetime_that_makes_no_sense_is_refused_not_a_crash() {
    let env = TestEnv::new();
    env.small("repo");
    for bad in ["3é", "99999999999999d", "0m", "-5d"] {
        let expires = format!("--expires={bad}");
        let output = env.decl("repo", &["token", "issue", "--for", "TUR", &expires]);
        assert_eq!(output.code, 2, "{bad}: {}", output.stderr);
        assert!(output.stderr.contains("--expires"), "{}", output.stderr);
    }
    assert!(!env.root().join("repo/.git/decl/tokens.yaml").exists());
}

#[test]
fn a_null_text_and_hidden_clause_files_are_refused_by_name() {
    let env = TestEnv::new();
    env.small("repo");
    let clause = env.read("repo/clauses/op-follow-up.yaml");
    for null in ["~", "null", ""] {
        let broken = clause.replace(
            "text: \"*Decide* to meet again in 2024.\"",
            &format!("text: {null}"),
        );
        assert_ne!(broken, clause);
        env.write("repo/clauses/op-follow-up.yaml", &broken);
        let output = env.decl("repo", &["check"]);
        assert_eq!(output.code, 1, "text: {null}: {}", output.stdout);
        assert!(
            output
                .stdout
                .contains("clauses/op-follow-up.yaml:3:7: the text is empty")
                || output
                    .stdout
                    .contains("clauses/op-follow-up.yaml:3:6: the text is empty"),
            "text: {null}: {}",
            output.stdout
        );
    }
    env.write("repo/clauses/op-follow-up.yaml", &clause);
    env.write("repo/clauses/.op-hidden.yaml", &clause);
    env.write("repo/clauses/..yaml", &clause);
    // An editor's swap file is not a decl file, and stays ignored.
    env.write("repo/clauses/.op-follow-up.yaml.swp", "binary junk");
    let output = env.decl("repo", &["check"]);
    assert_eq!(output.code, 1);
    assert!(
        output.stdout.contains("clauses/.op-hidden.yaml:1:1"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("clauses/..yaml:1:1"),
        "{}",
        output.stdout
    );
    assert!(!output.stdout.contains(".swp"), "{}", output.stdout);
}

#[cfg(unix)]
#[test]
fn clauses_linked_from_outside_the_repository_are_refused() {
    use std::os::unix::fs::symlink;
    let env = TestEnv::new();
    env.small("repo");
    let clause = env.read("repo/clauses/op-follow-up.yaml");
    env.write("outside/op-follow-up.yaml", &clause);
    // A linked clause file.
    symlink(
        env.root().join("outside/op-follow-up.yaml"),
        env.root().join("repo/clauses/op-linked.yaml"),
    )
    .unwrap();
    let output = env.decl("repo", &["check"]);
    assert_eq!(output.code, 1);
    assert!(
        output
            .stderr
            .contains("clauses/op-linked.yaml:1:1: is a symbolic link"),
        "{}",
        output.stderr
    );
    std::fs::remove_file(env.root().join("repo/clauses/op-linked.yaml")).unwrap();
    // A linked folder: nothing is read from it.
    std::fs::rename(
        env.root().join("repo/clauses"),
        env.root().join("repo/clauses.real"),
    )
    .unwrap();
    symlink(env.root().join("outside"), env.root().join("repo/clauses")).unwrap();
    for args in [&["check"][..], &["show"][..]] {
        let output = env.decl("repo", args);
        assert_eq!(output.code, 1, "{args:?}");
        assert!(
            output.stderr.contains("clauses:1:1: is a symbolic link"),
            "{args:?}: {}",
            output.stderr
        );
    }
    assert_eq!(env.read("outside/op-follow-up.yaml"), clause);
}

#[test]
fn a_revision_label_is_escaped_in_the_markdown_draft_banner() {
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "revision",
            "cut",
            "rev1",
            "--label",
            "<b>Rev.1</b> [x](http://e.vil) *y*",
            "--as",
            "UNOCT",
        ],
    )
    .success();
    let markdown = env
        .decl(
            "repo",
            &["export", "--format", "md", "--draft", "--rev", "rev1"],
        )
        .success()
        .stdout;
    let banner = markdown.lines().next().unwrap();
    assert_eq!(
        banner,
        r"**DRAFT (&lt;b&gt;Rev.1&lt;/b&gt; \[x\](http://e.vil) \*y\*)**"
    );
}

#[test]
fn a_missing_remote_folder_is_called_missing() {
    let env = TestEnv::new();
    let output = env.decl("", &["clone", "no-such-folder", "copy"]);
    assert_eq!(output.code, 1);
    assert!(
        output.stderr.contains("no-such-folder: the folder /")
            && output.stderr.contains("no-such-folder does not exist"),
        "{}",
        output.stderr
    );
    assert!(!output.stderr.contains("URL protocol"), "{}", output.stderr);
    assert!(!env.root().join("copy").exists());
}

#[test]
fn tokens_issued_and_revoked_at_once_are_all_kept() {
    let env = TestEnv::new();
    env.small("repo");
    for _ in 0..10 {
        env.decl("repo", &["token", "issue", "--for", "TUR"])
            .success();
    }
    // Ten issues and ten revocations at the same time: none may be lost.
    let mut children = Vec::new();
    for n in 1..=10 {
        let id = format!("t{n}");
        for args in [
            vec!["token", "issue", "--for", "QAT"],
            vec!["token", "revoke", id.as_str()],
        ] {
            let mut command = env.decl_command("repo", &args);
            command
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            children.push(command.spawn().unwrap());
        }
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let listed = env.decl("repo", &["token", "list"]).success().stdout;
    assert_eq!(listed.matches("QAT").count(), 10, "{listed}");
    assert_eq!(listed.matches("revoked").count(), 10, "{listed}");
}

#[test]
fn markdown_links_and_other_marks_are_text_the_same_everywhere() {
    let env = TestEnv::new();
    env.small("repo");
    // As a link, "[a](<...>)" would show "a" and lose the words the chair decided on.
    let wording =
        "*Decide* to meet [a](<in 2025 in Dushanbe>) with `all` partners &amp; _observers_.";
    env.write(
        "repo/clauses/op-follow-up.yaml",
        &format!(
            "kind: operative\nstatus: draft\ntext: {}\n",
            serde_json::to_string(wording).unwrap()
        ),
    );
    env.git("repo", &["commit", "-qam", "Marks in a clause"])
        .success();
    let shown_as =
        "Decide to meet [a](<in 2025 in Dushanbe>) with `all` partners &amp; _observers_.";
    let show = env.decl("repo", &["show", "op-follow-up"]).success().stdout;
    let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat(&show).contains(shown_as), "{show}");
    let export = |format: &str| {
        env.decl(
            "repo",
            &["export", "--rev", "HEAD", "--draft", "--format", format],
        )
        .success()
        .stdout
    };
    assert!(flat(&export("txt")).contains(shown_as), "txt");
    let json: serde_json::Value = serde_json::from_str(&export("json")).unwrap();
    let operative = json["operative"].as_array().unwrap();
    assert!(
        operative
            .iter()
            .any(|p| p["text"].as_str() == Some(shown_as)),
        "{json}"
    );
    // HTML escapes the marks, and a browser shows the same words.
    let html = export("html");
    assert!(
        html.contains(
            "meet [a](&lt;in 2025 in Dushanbe&gt;) with `all` partners &amp;amp; _observers_."
        ),
        "{html}"
    );
    env.decl(
        "repo",
        &[
            "export", "--rev", "HEAD", "--draft", "--format", "docx", "-o", "out.docx",
        ],
    )
    .success();
    let docx =
        docx_rs::read_docx(&std::fs::read(env.root().join("repo/out.docx")).unwrap()).unwrap();
    let text: String = docx.json().split_whitespace().collect();
    assert!(text.contains("2025inDushanbe"), "the DOCX keeps the words");
    if tool_available("pandoc") {
        // Markdown read back by pandoc gives the same words.
        let md = env.root().join("repo/out.md");
        std::fs::write(&md, export("md")).unwrap();
        let output = std::process::Command::new("pandoc")
            .args(["-f", "gfm", "-t", "plain", "--wrap=none"])
            .arg(&md)
            .output()
            .unwrap();
        let plain = String::from_utf8(output.stdout).unwrap();
        assert!(
            flat(&plain)
                .contains("meet [a](<in 2025 in Dushanbe>) with `all` partners &amp; _observers_."),
            "{plain}"
        );
    }
}

#[test]
fn deep_nesting_and_long_bracket_runs_are_errors_or_text_never_a_crash() {
    let env = TestEnv::new();
    env.small("repo");
    // 20,000 levels of YAML nesting in a clause and in an amendment file: each command names
    // the file, line and column; none overflows its stack.
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    env.write(
        "repo/clauses/op-deep.yaml",
        &format!("kind: operative\nstatus: draft\ntext: {deep}\n"),
    );
    std::fs::create_dir_all(env.root().join("repo/amendments/TUR")).unwrap();
    env.write(
        "repo/amendments/TUR/TUR-9.yaml",
        &format!("id: TUR-9\nproposer: TUR\nchange: {deep}\n"),
    );
    for args in [&["check"][..], &["status"], &["amend", "list"]] {
        let output = env.decl("repo", args).failure();
        assert!(
            output.stdout.contains("clauses/op-deep.yaml:3:")
                || output.stderr.contains("clauses/op-deep.yaml:3:")
                || output.stdout.contains("TUR-9.yaml:3:")
                || output.stderr.contains("TUR-9.yaml:3:"),
            "{args:?}: {}{}",
            output.stdout,
            output.stderr
        );
        assert!(
            output.stdout.contains("recursion limit") || output.stderr.contains("recursion limit"),
            "{args:?}: {}{}",
            output.stdout,
            output.stderr
        );
    }
    // 200 KB of nested square brackets as a clause's words: read (they balance) at once.
    std::fs::remove_file(env.root().join("repo/amendments/TUR/TUR-9.yaml")).unwrap();
    let brackets = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    env.write(
        "repo/clauses/op-deep.yaml",
        &format!("kind: operative\nstatus: draft\ntext: \"{brackets}\"\n"),
    );
    let check = env.decl("repo", &["check"]).failure();
    assert!(
        check.stdout.contains("clause op-deep is not in the order"),
        "{}",
        check.stdout
    );
}
