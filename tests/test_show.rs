//! `decl show` and `decl status`: any revision, read from git objects.

use crate::common::TestEnv;

#[test]
fn show_reads_a_tag_without_checking_it_out() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let zero = env
        .decl("d", &["show", "--rev", "zero-draft", "op-api"])
        .success()
        .stdout;
    let now = env.decl("d", &["show", "op-api"]).success().stdout;
    assert!(
        zero.contains('['),
        "the zero draft still has brackets: {zero}"
    );
    assert!(!now.contains('['), "{now}");
    assert_ne!(zero, now);
    // Reading a revision did not touch the working tree.
    assert_eq!(env.git("d", &["status", "--porcelain"]).stdout, "");
    let by_commit = env
        .decl("d", &["show", "--rev", "rev1~3", "op-api"])
        .success()
        .stdout;
    assert!(by_commit.starts_with("\nOP "), "{by_commit}");
}

#[test]
fn show_reads_the_working_tree_by_default() {
    let env = TestEnv::new();
    env.small("repo");
    let text = env
        .read("repo/clauses/op-follow-up.yaml")
        .replace("2024", "2026");
    env.write("repo/clauses/op-follow-up.yaml", &text);
    assert!(
        env.decl("repo", &["show", "op-follow-up"])
            .success()
            .stdout
            .contains("2026")
    );
    assert!(
        env.decl("repo", &["show", "op-follow-up", "--rev", "HEAD"])
            .success()
            .stdout
            .contains("2024")
    );
}

#[test]
fn the_numbered_text_of_a_small_declaration() {
    let env = TestEnv::new();
    env.small("repo");
    let output = env.decl("repo", &["show"]).success();
    insta::assert_snapshot!(output.normalized(&env), @r"
    TEST/2022/1
    Test Conference · Dushanbe, 18–19 October 2022

    Test Declaration on Border Cooperation

    We, the Ministers, gathered in Dushanbe,

    PP 1   Recalling the Charter of the United Nations,


    OP 1   Call upon all States to strengthen border controls and shall cooperate
           closely;

    OP 2   Encourage the exchange of advance passenger information [and passenger
           name record data]:
           (a) with full respect for human rights;
           (b) in accordance with national law;

    OP 3   Decide to meet again in 2024.
    ");
}

#[test]
fn unknown_clause_and_revision_suggest_near_matches() {
    let env = TestEnv::new();
    env.small("repo");
    let output = env.decl("repo", &["show", "op-dta"]).failure();
    assert_eq!(
        output.stderr,
        "error: unknown clause op-dta; did you mean op-data?\n"
    );
    let output = env.decl("repo", &["show", "../etc"]).code;
    assert_eq!(output, 2, "an unsafe id is a usage error");
}

#[test]
fn status_counts_clauses_and_brackets() {
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--delete",
            "op-follow-up",
        ],
    )
    .success();
    let output = env.decl("repo", &["status"]).success();
    insta::assert_snapshot!(output.normalized(&env), @"
    Test Declaration (TEST/2022/1)
    Revision: Zero draft (zero-draft), 2 commits since

    Clauses: 1 preambular, 3 operative
      draft          2
      bracketed      1
      agreed         1

    Bracketed text: 1 span
      OP 2 [and passenger name record data]

    Amendments: 1 (1 tabled)
    ");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let script = format!(
        "{} show | head -c 10 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
        env!("CARGO_BIN_EXE_decl")
    );
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(env.root().join("d"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "0");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
