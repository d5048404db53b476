//! Signed commits and `decl verify` through the binary: git itself accepts decl's signatures,
//! a clean history verifies, forgeries and tampering are caught, and the pre-receive hook
//! refuses a breaking push to a bare repository.

use crate::common::{TestEnv, tool_available};

const PROPOSE: &[&str] = &[
    "amend",
    "propose",
    "--replace",
    "op-borders",
    "--span",
    "shall cooperate",
    "--text",
    "should cooperate",
];

/// An allowed-signers file for git: every delegation with a key, by its author e-mail.
fn allowed_signers(env: &TestEnv) -> String {
    let mut text = String::new();
    for code in ["tur", "qat", "tjk", "unoct"] {
        text.push_str(&format!(
            "{code}@delegation.invalid {}",
            env.read(&format!("keys/{code}.pub"))
        ));
    }
    env.write("allowed_signers", &text);
    env.root().join("allowed_signers").display().to_string()
}

#[test]
fn git_accepts_decl_signatures() {
    let env = TestEnv::new();
    if !tool_available("ssh-keygen") {
        return;
    }
    env.committee("repo");
    let signers = allowed_signers(&env);
    let config = format!("gpg.ssh.allowedSignersFile={signers}");

    env.decl_signed("repo", "TUR", PROPOSE).success();
    env.git("repo", &["-c", &config, "verify-commit", "HEAD"])
        .success();
    let log = env
        .git("repo", &["-c", &config, "log", "-1", "--show-signature"])
        .success();
    assert!(
        log.stdout
            .contains("Good \"git\" signature for tur@delegation.invalid"),
        "{}",
        log.stdout
    );

    // The key from git's own configuration (the public key's path, as git allows), then from
    // the environment; the revision cut's commit, which its tag names, is signed too.
    env.git("repo", &["config", "gpg.format", "ssh"]).success();
    let qat_pub = format!("{}.pub", env.key_path("qat"));
    env.git("repo", &["config", "user.signingkey", &qat_pub])
        .success();
    env.decl("repo", &["amend", "support", "TUR-1", "--as", "QAT"])
        .success();
    env.git("repo", &["-c", &config, "verify-commit", "HEAD"])
        .success();
    let tjk = env.key_path("tjk");
    env.decl_with_env(
        "repo",
        &["amend", "accept", "TUR-1", "--as", "TJK"],
        &[("DECL_SIGNING_KEY", &tjk)],
    )
    .success();
    env.decl_with_env(
        "repo",
        &["revision", "cut", "rev1", "--as", "TJK"],
        &[("DECL_SIGNING_KEY", &tjk)],
    )
    .success();
    env.git("repo", &["-c", &config, "verify-commit", "rev1^{commit}"])
        .success();
    let verified = env.decl("repo", &["verify"]).success();
    assert!(
        verified.stdout.contains("6 commits checked"),
        "{}",
        verified.stdout
    );
}

#[test]
fn a_bad_key_refuses_the_command_and_changes_nothing() {
    let env = TestEnv::new();
    env.committee("repo");
    let before = env.state("repo");
    let public = format!("{}.pub", env.key_path("tur"));
    let mut args = vec!["--as", "TUR", "--key", public.as_str()];
    args.extend_from_slice(PROPOSE);
    let output = env.decl("repo", &args).failure();
    assert!(
        output.stderr.contains("this is a public key"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);
}

#[test]
fn keys_in_delegations_are_validated_with_their_position() {
    let env = TestEnv::new();
    env.committee("repo");
    let text = env.read("repo/delegations.yaml").replacen(
        "keys: [\"ssh-ed25519 AAAA",
        "keys: [\"ssh-ed25519 BBBB",
        1,
    );
    env.write("repo/delegations.yaml", &text);
    let output = env.decl("repo", &["check"]).failure();
    assert!(
        output.stderr.contains("delegations.yaml:3:11:")
            || output.stdout.contains("delegations.yaml:3:11:"),
        "{}{}",
        output.stdout,
        output.stderr
    );
    assert!(
        format!("{}{}", output.stdout, output.stderr).contains("not a valid signing key"),
        "{}",
        output.stderr
    );
}

#[test]
fn the_bundled_history_verifies_except_for_signatures() {
    let env = TestEnv::new();
    env.dushanbe("dushanbe");
    let output = env.decl("dushanbe", &["verify"]).success();
    assert!(
        output.stdout.contains("every one follows the rules"),
        "{}",
        output.stdout
    );
    let output = env
        .decl("dushanbe", &["verify", "--require-signatures"])
        .failure();
    // Every breach is a missing signature, nothing else.
    let rules: std::collections::BTreeSet<&str> = output
        .stdout
        .lines()
        .filter(|line| line.starts_with("  "))
        .filter_map(|line| line.trim().split(": ").nth(1))
        .collect();
    assert_eq!(rules, ["unsigned"].into_iter().collect());
}

/// The rule a forged commit breaks, and how to make it.
type Forgery<'a> = (&'a str, &'a dyn Fn(&TestEnv));

/// A committee repository with a clean, signed negotiation.
fn negotiated(env: &mut TestEnv) {
    env.committee("repo");
    env.at("2022-09-12T10:00:00+05:00");
    env.decl_signed("repo", "TUR", PROPOSE).success();
    env.at("2022-09-12T11:00:00+05:00");
    env.decl_signed("repo", "QAT", &["amend", "support", "TUR-1"])
        .success();
    // KAZ has no key: its unsigned support is allowed until it registers one.
    env.decl("repo", &["--as", "KAZ", "amend", "oppose", "TUR-1"])
        .success();
    env.at("2022-09-12T12:00:00+05:00");
    env.decl_signed("repo", "TJK", &["amend", "accept", "TUR-1"])
        .success();
    env.decl_signed("repo", "TJK", &["revision", "cut", "rev1"])
        .success();
    env.decl_signed("repo", "TJK", &["clause", "mark", "agreed", "op-borders"])
        .success();
}

#[test]
fn a_clean_signed_history_verifies() {
    let mut env = TestEnv::new();
    negotiated(&mut env);
    let output = env.decl("repo", &["verify"]).success();
    insta::assert_snapshot!(output.normalized(&env), @"8 commits checked: every one follows the rules");
    env.decl("repo", &["verify", "HEAD~3..HEAD"]).success();
}

/// Commits a hand edit as `author` (a delegation's name and e-mail), unsigned.
fn commit_as(env: &TestEnv, author: &str, message: &str) {
    env.git("repo", &["commit", "-qam", message, "--author", author])
        .success();
}

#[test]
fn forgeries_and_tampering_are_caught() {
    let mut env = TestEnv::new();
    negotiated(&mut env);
    env.at("2022-09-13T10:00:00+05:00");
    // TUR's name, QAT's key.
    let qat = env.key_path("qat");
    env.decl(
        "repo",
        &[
            "--as", "TUR", "--key", &qat, "amend", "propose", "--delete", "op-data",
        ],
    )
    .success();
    // TUR's name, no signature.
    env.decl(
        "repo",
        &[
            "--as",
            "TUR",
            "amend",
            "propose",
            "--delete",
            "op-follow-up",
        ],
    )
    .success();
    // QAT rewrites TUR's proposal by hand.
    let text = env.read("repo/amendments/TUR/TUR-3.yaml");
    env.write(
        "repo/amendments/TUR/TUR-3.yaml",
        &text.replace("clause: op-follow-up", "clause: op-data"),
    );
    commit_as(
        &env,
        "State of Qatar <qat@delegation.invalid>",
        "QAT edits TUR-3",
    );
    // RUS, a member, accepts TUR-2 by hand.
    let text = env.read("repo/amendments/TUR/TUR-2.yaml");
    let text = text.replace("status: tabled", "status: accepted")
        + "- action: accept\n  by: RUS\n  at: 2022-09-13T10:00:00+05:00\n";
    env.write("repo/amendments/TUR/TUR-2.yaml", &text);
    commit_as(
        &env,
        "Russian Federation <rus@delegation.invalid>",
        "RUS accepts TUR-2",
    );
    // KAZ rewrites a clause and the delegations file.
    env.write(
        "repo/clauses/op-follow-up.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Decide* to meet again in 2025.\"\n",
    );
    let text = env
        .read("repo/delegations.yaml")
        .replace("role: observer", "role: member");
    env.write("repo/delegations.yaml", &text);
    commit_as(
        &env,
        "Republic of Kazakhstan <kaz@delegation.invalid>",
        "KAZ edits",
    );

    // TUR puts KAZ's name on its proposal as a co-sponsor: a name is only an invitation.
    let text = env.read("repo/amendments/TUR/TUR-2.yaml");
    env.write(
        "repo/amendments/TUR/TUR-2.yaml",
        &text.replace("operation:", "cosponsors: [KAZ]\noperation:"),
    );
    commit_as(
        &env,
        "Republic of Türkiye <tur@delegation.invalid>",
        "TUR names KAZ a co-sponsor",
    );

    let output = env.decl("repo", &["verify"]).failure();
    let text = output.normalized(&env);
    for expected in [
        "TUR: cosponsor-not-own",
        "TUR changed KAZ's co-sponsorship of TUR-2",
        "TUR: wrong-key",
        "TUR: unsigned",
        "QAT: unsigned",
        "QAT: amendment-not-proposer",
        "RUS: decision-not-chair",
        "KAZ: clause-outside-cut",
        "KAZ: delegations-not-secretariat",
        "error: 9 broken rules in 6 of 14 commits checked",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
}

#[test]
fn the_pre_receive_hook_refuses_a_breaking_push() {
    let mut env = TestEnv::new();
    negotiated(&mut env);
    env.git("", &["init", "-q", "--bare", "server.git"])
        .success();
    let hook = env.root().join("server.git/hooks/pre-receive");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/hooks/pre-receive"),
        &hook,
    )
    .unwrap();
    let decl = env!("CARGO_BIN_EXE_decl");
    let push = |env: &TestEnv| {
        env.git_with_env(
            "repo",
            &["push", "-q", "../server.git", "main", "--tags"],
            &[("DECL", decl)],
        )
    };
    // A clean history is accepted.
    push(&env).success();

    // Each forgery is refused, and the server keeps its branch.
    let server_main = env
        .git("server.git", &["rev-parse", "main"])
        .success()
        .stdout;
    env.at("2022-09-13T10:00:00+05:00");
    let qat = env.key_path("qat");
    let forgeries: [Forgery<'_>; 4] = [
        ("TUR: wrong-key", &|env| {
            env.decl(
                "repo",
                &[
                    "--as", "TUR", "--key", &qat, "amend", "propose", "--delete", "op-data",
                ],
            )
            .success();
        }),
        ("TUR: unsigned", &|env| {
            env.decl(
                "repo",
                &["--as", "TUR", "amend", "propose", "--delete", "op-data"],
            )
            .success();
        }),
        ("QAT: amendment-not-proposer", &|env| {
            let text = env.read("repo/amendments/TUR/TUR-1.yaml");
            env.write(
                "repo/amendments/TUR/TUR-1.yaml",
                &text.replace("should cooperate", "must cooperate"),
            );
            commit_as(
                env,
                "State of Qatar <qat@delegation.invalid>",
                "QAT edits TUR-1",
            );
        }),
        ("QAT: decision-not-chair", &|env| {
            env.decl_signed("repo", "TUR", &["amend", "propose", "--delete", "op-data"])
                .success();
            let text = env.read("repo/amendments/TUR/TUR-2.yaml");
            let text = text.replace("status: tabled", "status: rejected")
                + "- action: reject\n  by: QAT\n  at: 2022-09-13T10:00:00+05:00\n";
            env.write("repo/amendments/TUR/TUR-2.yaml", &text);
            commit_as(
                env,
                "State of Qatar <qat@delegation.invalid>",
                "QAT rejects TUR-2",
            );
        }),
    ];
    for (rule, forge) in forgeries {
        let good = env.git("repo", &["rev-parse", "HEAD"]).success().stdout;
        forge(&env);
        let refused = push(&env);
        assert_ne!(refused.code, 0, "{rule}: {}", refused.stderr);
        assert!(
            refused.stderr.contains("pre-receive hook declined"),
            "{}",
            refused.stderr
        );
        assert!(refused.stderr.contains(rule), "{rule}: {}", refused.stderr);
        assert_eq!(
            env.git("server.git", &["rev-parse", "main"])
                .success()
                .stdout,
            server_main
        );
        env.git("repo", &["reset", "-q", "--hard", good.trim()])
            .success();
    }

    // TUR's own signed proposal goes through.
    env.decl_signed("repo", "TUR", &["amend", "propose", "--delete", "op-data"])
        .success();
    push(&env).success();

    // The record cannot be rewritten: a force push that drops a commit, a revision tag
    // deleted or moved, the branch deleted. Each is refused and the server keeps its refs.
    let server_refs = |env: &TestEnv| env.git("server.git", &["show-ref"]).success().stdout;
    let before = server_refs(&env);
    let git_push = |env: &TestEnv, args: &[&str]| {
        let mut all = vec!["push", "-q", "../server.git"];
        all.extend_from_slice(args);
        env.git_with_env("repo", &all, &[("DECL", decl)])
    };
    let tip = env.git("repo", &["rev-parse", "HEAD"]).success().stdout;
    env.git("repo", &["reset", "-q", "--hard", "HEAD~1"])
        .success();
    env.git("repo", &["tag", "-f", "rev1", "HEAD"]).success();
    for (args, reason) in [
        (&["--force", "main"][..], "the push rewrites history"),
        (&[":refs/tags/rev1"], "a revision tag cannot be deleted"),
        (
            &["--force", "refs/tags/rev1"],
            "a revision tag cannot be moved",
        ),
        (
            &[":refs/heads/main"],
            "a branch of the record cannot be deleted",
        ),
    ] {
        let refused = git_push(&env, args);
        assert_ne!(refused.code, 0, "{args:?} was accepted");
        assert!(
            refused.stderr.contains(reason),
            "{args:?}: {}",
            refused.stderr
        );
        assert_eq!(server_refs(&env), before, "{args:?} changed the server");
    }
    env.git("repo", &["reset", "-q", "--hard", tip.trim()])
        .success();
}
