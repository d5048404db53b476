//! `decl revision` and `decl clause mark`.

use crate::common::TestEnv;

/// The names `decl revision list` prints, in its order, and the whole listing.
fn revision_names(env: &TestEnv, repo: &str) -> (Vec<String>, String) {
    let output = env.decl(repo, &["revision", "list"]).success().stdout;
    let names = output
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    (names, output)
}

#[test]
fn revisions_are_listed_with_their_labels() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let (names, output) = revision_names(&env, "d");
    assert_eq!(names, ["zero-draft", "rev1", "rev2", "rev3", "adopted"]);
    assert!(output.contains("Rev.1"));
}

/// With a fixed clock every tag has the same time: the order still follows the history, not
/// the alphabet ("rev1" before "zero-draft" would send "compare with the one before" astray).
#[test]
fn revisions_cut_in_the_same_second_follow_the_history() {
    let env = TestEnv::new();
    env.small("repo");
    for name in ["rev1", "a-late-one"] {
        env.decl("repo", &["revision", "cut", name, "--as", "UNOCT"])
            .success();
    }
    let (names, output) = revision_names(&env, "repo");
    assert_eq!(names, ["zero-draft", "rev1", "a-late-one"], "{output}");
}

#[test]
fn a_revision_name_cannot_be_reused_and_nothing_changes() {
    let env = TestEnv::new();
    env.small("repo");
    let before = env.state("repo");
    let output = env
        .decl("repo", &["revision", "cut", "zero-draft", "--as", "UNOCT"])
        .failure();
    assert_eq!(output.stderr, "error: revision zero-draft already exists\n");
    let output = env
        .decl("repo", &["revision", "cut", "bad name", "--as", "UNOCT"])
        .failure();
    assert!(
        output
            .stderr
            .contains("\"bad name\" cannot name a revision: use only letters, digits"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);
}

#[test]
fn marking_clauses_records_their_status_in_one_commit() {
    let env = TestEnv::new();
    env.small("repo");
    let output = env
        .decl(
            "repo",
            &[
                "clause",
                "mark",
                "agreed-ad-ref",
                "op-borders",
                "op-follow-up",
                "--as",
                "TJK",
            ],
        )
        .success();
    assert_eq!(
        output.stdout,
        "TJK marks OP 1 (op-borders), OP 3 (op-follow-up) agreed-ad-ref\n"
    );
    assert!(
        env.read("repo/clauses/op-borders.yaml")
            .contains("status: agreed-ad-ref")
    );
    assert_eq!(
        env.git("repo", &["log", "-1", "--format=%an"])
            .stdout
            .trim(),
        "Republic of Tajikistan"
    );
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
}

#[test]
fn an_empty_revision_can_still_be_cut() {
    let env = TestEnv::new();
    env.small("repo");
    let output = env
        .decl(
            "repo",
            &[
                "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
            ],
        )
        .success();
    assert_eq!(
        output.stdout,
        "UNOCT cuts Rev.1 (rev1): 0 amendments applied\n"
    );
    assert_eq!(
        env.git("repo", &["tag", "-n1", "rev1"]).stdout.trim(),
        "rev1            Rev.1"
    );
}
