//! Bad input of every kind: a clear error naming the file (and line and column where it
//! applies), exit 1, and nothing changed; harmless input (a byte-order mark, CRLF) accepted.

use crate::common::TestEnv;

#[track_caller]
fn refused_without_change(env: &TestEnv, args: &[&str], expected: &str) -> String {
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
