//! Interrupted and concurrent commands: nothing reported as saved is lost, and the next
//! command finds a consistent repository.

use std::process::Command;
use std::sync::Arc;

use crate::common::TestEnv;

fn propose_crashing_at(env: &TestEnv, point: &str) -> i32 {
    env.decl_with_env(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--delete",
            "op-follow-up",
        ],
        &[("DECL_TEST_CRASH_AT", point)],
    )
    .code
}

#[test]
fn killed_after_committing_the_next_command_finishes_the_job() {
    let env = TestEnv::new();
    env.small("repo");
    assert_ne!(
        propose_crashing_at(&env, "after-ref"),
        0,
        "the process aborted"
    );
    // The commit exists but the working tree was not updated.
    assert!(
        env.git("repo", &["status", "--porcelain"])
            .stdout
            .contains("amendments/TUR/TUR-1.yaml")
    );
    env.decl("repo", &["check"]).success();
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
    assert!(
        env.read("repo/amendments/TUR/TUR-1.yaml")
            .contains("operation: delete")
    );
    env.decl("repo", &["amend", "support", "TUR-1", "--as", "QAT"])
        .success();
}

#[test]
fn killed_before_committing_nothing_was_saved_and_nothing_is_left() {
    let env = TestEnv::new();
    env.small("repo");
    let before = env.git("repo", &["log", "--format=%H"]).stdout;
    assert_ne!(propose_crashing_at(&env, "before-ref"), 0);
    assert!(env.root().join("repo/.git/decl-journal").exists());
    assert_eq!(
        env.decl("repo", &["amend", "list"]).success().stdout,
        "No amendments match.\n"
    );
    assert!(!env.root().join("repo/.git/decl-journal").exists());
    assert_eq!(env.git("repo", &["log", "--format=%H"]).stdout, before);
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
    let output = env
        .decl(
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
    assert!(
        output.stdout.starts_with("Proposed TUR-1:"),
        "{}",
        output.stdout
    );
}

#[test]
fn killed_half_way_through_a_revision_cut() {
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--insert-after",
            "op-borders",
            "--new-id",
            "op-new",
            "--text",
            "*Welcome* the new paragraph;",
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
            "--replace",
            "op-data",
            "--span",
            "[and passenger name record data]",
            "--text",
            "and passenger name record data",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    let code = env
        .decl_with_env(
            "repo",
            &["revision", "cut", "rev1", "--as", "UNOCT"],
            &[("DECL_TEST_CRASH_AT", "mid-files")],
        )
        .code;
    assert_ne!(code, 0);
    assert_ne!(
        env.git("repo", &["status", "--porcelain"]).stdout,
        "",
        "the crash left the working tree behind"
    );
    let shown = env.decl("repo", &["show", "op-new"]).success().stdout;
    assert!(shown.contains("Welcome the new paragraph;"), "{shown}");
    env.decl("repo", &["check"]).success();
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
    assert_eq!(env.git("repo", &["tag", "-l", "rev1"]).stdout, "rev1\n");
}

/// Killed while libgit2 was writing the index: git's `index.lock` is left behind with the
/// journal. The next command removes the lock it knows to be the killed command's own (no
/// older than the journal) and finishes the job; an older lock is someone else's and is
/// refused with a hint, as always.
#[test]
fn an_index_lock_left_by_a_killed_command_is_cleared_but_not_another() {
    let env = TestEnv::new();
    env.small("repo");
    let propose = |env: &TestEnv, crash: Option<&str>| {
        let mut vars = Vec::new();
        if let Some(point) = crash {
            vars.push(("DECL_TEST_CRASH_AT", point));
        }
        env.decl_with_env(
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
            &vars,
        )
    };
    let git_dir = env.root().join("repo/.git");
    let lock = git_dir.join("index.lock");
    // Someone else's lock, older than the journal: refused, the repository left as it is.
    assert_ne!(propose(&env, Some("after-ref")).code, 0);
    std::fs::write(&lock, "").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let before = env.state("repo");
    let refused = env.decl("repo", &["check"]).failure();
    assert!(
        refused
            .stderr
            .contains("another git process seems to be running"),
        "{}",
        refused.stderr
    );
    assert_eq!(env.state("repo"), before);
    std::fs::remove_file(&lock).unwrap();
    env.decl("repo", &["check"]).success();
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
    // The killed command's own lock, written after its journal: cleared.
    assert_ne!(propose(&env, Some("after-ref")).code, 0);
    std::fs::write(&lock, "").unwrap();
    env.decl("repo", &["check"]).success();
    assert!(!lock.exists());
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
    let log = env.git("repo", &["log", "--format=%s"]).stdout;
    assert!(log.starts_with("TUR proposes TUR-2"), "{log}");
}

#[test]
fn processes_killed_at_random_moments_leave_a_valid_repository() {
    let env = TestEnv::new();
    env.small("repo");
    let binary = env!("CARGO_BIN_EXE_decl");
    for attempt in 0..12u64 {
        let mut child = Command::new(binary)
            .current_dir(env.root().join("repo"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.root())
            .env("DECL_TIMESTAMP", "2022-09-01T10:00:00+05:00")
            .args([
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
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(attempt * 4));
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        let reported = String::from_utf8_lossy(&output.stdout);
        // The next command works and the repository is consistent.
        env.decl("repo", &["check"]).success();
        assert_eq!(
            env.git("repo", &["status", "--porcelain"]).stdout,
            "",
            "attempt {attempt}"
        );
        // Whatever was reported as saved is there.
        if let Some(id) = reported
            .strip_prefix("Proposed ")
            .and_then(|rest| rest.split(':').next())
        {
            assert!(
                env.root()
                    .join(format!("repo/amendments/TUR/{id}.yaml"))
                    .exists(),
                "{id} was reported but is missing"
            );
        }
    }
}

#[test]
fn parallel_writers_never_lose_an_update() {
    let env = Arc::new(TestEnv::new());
    env.small("repo");
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let env = Arc::clone(&env);
            std::thread::spawn(move || {
                for _ in 0..25 {
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
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("a writer failed");
    }
    let count = std::fs::read_dir(env.root().join("repo/amendments/TUR"))
        .unwrap()
        .count();
    assert_eq!(count, 200, "every proposal is saved");
    for number in 1..=200 {
        assert!(
            env.root()
                .join(format!("repo/amendments/TUR/TUR-{number}.yaml"))
                .exists(),
            "TUR-{number}"
        );
    }
    assert_eq!(
        env.git("repo", &["rev-list", "--count", "HEAD"])
            .stdout
            .trim(),
        "202"
    );
    env.decl("repo", &["check"]).success();
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
}
