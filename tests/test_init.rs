//! `decl init`, with and without a bundled draft.

use crate::common::{TestEnv, draft_dir};

#[test]
fn init_makes_a_valid_repository_with_one_commit() {
    let env = TestEnv::new();
    let output = env.decl("", &["init", "decl-repo"]).success();
    assert!(output.stdout.contains("Created a declaration repository"));
    assert_eq!(
        env.git("decl-repo", &["rev-list", "--count", "HEAD"])
            .stdout
            .trim(),
        "1"
    );
    assert_eq!(env.git("decl-repo", &["status", "--porcelain"]).stdout, "");
    assert_eq!(
        env.git("decl-repo", &["log", "--format=%an <%ae>"])
            .stdout
            .trim(),
        "Secretariat <sec@delegation.invalid>"
    );
    env.decl("decl-repo", &["check"]).success();
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_leaves_it_alone() {
    let env = TestEnv::new();
    env.write("busy/notes.txt", "mine");
    let output = env.decl("", &["init", "busy"]).failure();
    assert!(
        output.stderr.contains("already exists and is not empty"),
        "{}",
        output.stderr
    );
    assert_eq!(env.read("busy/notes.txt"), "mine");
    assert!(!env.root().join("busy/.git").exists());
}

#[test]
fn init_from_the_dushanbe_draft_replays_the_negotiation() {
    let env = TestEnv::new();
    env.dushanbe("dushanbe");
    let tags = env.git("dushanbe", &["tag", "-l"]).stdout;
    assert_eq!(tags, "adopted\nrev1\nrev2\nrev3\nzero-draft\n");
    // Plain git log reads as the negotiation: who did what, when.
    let log = env
        .git(
            "dushanbe",
            &["log", "--reverse", "--format=%an|%ad|%s", "--date=short"],
        )
        .stdout;
    let first = log.lines().next().unwrap();
    assert_eq!(
        first,
        "United Nations Office of Counter-Terrorism|2022-08-29|UNOCT circulates the zero draft"
    );
    assert!(log.contains("Republic of Türkiye|2022-09-"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("TJK accepts") && l.starts_with("Republic of Tajikistan|"))
    );
    assert!(
        log.lines()
            .any(|l| l.ends_with("UNOCT cuts Adopted text (adopted): 0 amendments applied"))
    );
    assert!(
        log.lines()
            .last()
            .unwrap()
            .ends_with("UNOCT records the ru translation of 45 clauses"),
        "{log}"
    );
    assert!(log.lines().count() > 150);
    env.decl("dushanbe", &["check"]).success();
    assert_eq!(env.git("dushanbe", &["status", "--porcelain"]).stdout, "");

    // The adopted text, as a reader sees it.
    let adopted = env
        .decl("dushanbe", &["show", "--rev", "adopted"])
        .success()
        .stdout;
    insta::assert_snapshot!("dushanbe_adopted_text", adopted);
}

#[test]
fn replaying_twice_gives_identical_commits() {
    let env = TestEnv::new();
    env.dushanbe("one");
    env.dushanbe("two");
    let head = |name| env.git(name, &["rev-parse", "HEAD"]).stdout;
    assert_eq!(head("one"), head("two"));
}

#[test]
fn a_broken_history_stops_the_replay_and_leaves_nothing_behind() {
    let env = TestEnv::new();
    let draft = env.root().join("draft");
    copy_dir(&draft_dir(), &draft);
    let history = std::fs::read_to_string(draft.join("history.yaml")).unwrap();
    // Make the very first proposal target a clause that does not exist.
    let broken = history.replacen("replace: op-", "replace: op-no-such-clause-", 1);
    assert_ne!(broken, history);
    std::fs::write(draft.join("history.yaml"), broken).unwrap();
    let output = env
        .decl("", &["init", "--from", "draft", "replayed"])
        .failure();
    assert!(
        output.stderr.contains("history.yaml: step"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("unknown clause op-no-such-clause-"),
        "{}",
        output.stderr
    );
    assert!(!env.root().join("replayed").exists());
}

#[test]
fn an_invalid_zero_draft_is_reported_with_its_location() {
    let env = TestEnv::new();
    let draft = env.root().join("draft");
    copy_dir(&draft_dir(), &draft);
    let path = draft.join("declaration.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("operative:\n", "operative:\n  - op-ghost\n", 1),
    )
    .unwrap();
    let output = env
        .decl("", &["init", "--from", "draft", "replayed"])
        .failure();
    assert!(
        output.stderr.contains("declaration.yaml:"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("the order lists clause op-ghost, but there is no clauses/op-ghost.yaml"),
        "{}",
        output.stderr
    );
    assert!(!env.root().join("replayed").exists());
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
