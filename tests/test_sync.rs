//! `decl clone`, `decl sync` and `decl status` against a bare repository in a temporary
//! folder: concurrent work in several clones integrates, a doubly taken id is renumbered, a
//! real conflict is reported with nothing lost, and the merged history still verifies.

use crate::common::TestEnv;

/// A bare `server.git` holding the committee's repository, and a clone of it per name.
fn server_and_clones(env: &TestEnv, clones: &[&str]) {
    env.committee("seed");
    env.git("", &["clone", "-q", "--bare", "seed", "server.git"])
        .success();
    for name in clones {
        env.decl("", &["clone", "server.git", name]).success();
    }
}

fn amendment_ids(env: &TestEnv, clone: &str) -> Vec<String> {
    let folders = std::fs::read_dir(env.root().join(clone).join("amendments"));
    let mut ids: Vec<String> = folders
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|folder| {
            std::fs::read_dir(folder.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.file_name().to_string_lossy().replace(".yaml", ""))
        .collect();
    ids.sort();
    ids
}

#[test]
fn concurrent_amendments_and_supports_integrate() {
    let mut env = TestEnv::new();
    server_and_clones(&env, &["tur", "qat", "sec"]);
    env.at("2022-09-12T10:00:00+05:00");
    env.decl_signed("tur", "TUR", &["amend", "propose", "--delete", "op-data"])
        .success();
    env.decl_signed(
        "qat",
        "QAT",
        &["amend", "propose", "--delete", "op-follow-up"],
    )
    .success();
    let status = env.decl("tur", &["status"]).success();
    assert!(
        status
            .stdout
            .contains("Remote: origin/main, 1 commit to push"),
        "{}",
        status.stdout
    );

    let output = env.decl_signed("tur", "TUR", &["sync"]).success();
    insta::assert_snapshot!(output.normalized(&env), @r"
    Nothing new on origin/main
    Pushed to origin
    ");
    let output = env.decl_signed("qat", "QAT", &["sync"]).success();
    assert!(
        output.stdout.contains("Merged origin/main"),
        "{}",
        output.stdout
    );
    let output = env.decl_signed("tur", "TUR", &["sync"]).success();
    assert!(
        output.stdout.contains("Took 2 new commits"),
        "{}",
        output.stdout
    );
    assert_eq!(amendment_ids(&env, "tur"), ["QAT-1", "TUR-1"]);
    assert_eq!(amendment_ids(&env, "qat"), ["QAT-1", "TUR-1"]);

    // Supports and an opposition of the same amendment in three clones at once.
    env.at("2022-09-12T11:00:00+05:00");
    env.decl_signed("sec", "UNOCT", &["sync"]).success();
    env.decl_signed("qat", "QAT", &["amend", "support", "TUR-1"])
        .success();
    env.at("2022-09-12T11:30:00+05:00");
    env.decl("sec", &["--as", "RUS", "amend", "oppose", "TUR-1"])
        .success();
    env.at("2022-09-12T12:00:00+05:00");
    env.decl_signed("tur", "TUR", &["amend", "support", "QAT-1"])
        .success();
    for (clone, code) in [
        ("qat", "QAT"),
        ("sec", "UNOCT"),
        ("tur", "TUR"),
        ("qat", "QAT"),
        ("sec", "UNOCT"),
    ] {
        env.decl_signed(clone, code, &["sync"]).success();
    }
    for clone in ["tur", "qat", "sec"] {
        let record = env
            .decl(clone, &["amend", "show", "TUR-1"])
            .success()
            .stdout;
        assert!(
            record.contains("QAT") && record.contains("RUS"),
            "{clone}:\n{record}"
        );
        let status = env.decl(clone, &["status"]).success().stdout;
        assert!(
            status.contains("Remote: origin/main, up to date"),
            "{clone}:\n{status}"
        );
        assert_eq!(env.git(clone, &["status", "--porcelain"]).stdout, "");
        env.decl(clone, &["check"]).success();
    }
    assert_eq!(
        env.read("tur/amendments/TUR/TUR-1.yaml"),
        env.read("sec/amendments/TUR/TUR-1.yaml")
    );
    // The merged history, merge commits included, follows the rules; so does the server's.
    env.decl("sec", &["verify"]).success();
    env.decl("server.git", &["verify", "main"]).success();
}

#[test]
fn an_id_taken_in_two_clones_is_renumbered() {
    let mut env = TestEnv::new();
    // Türkiye works on two laptops.
    server_and_clones(&env, &["laptop1", "laptop2"]);
    env.at("2022-09-12T10:00:00+05:00");
    env.decl_signed(
        "laptop1",
        "TUR",
        &["amend", "propose", "--delete", "op-data"],
    )
    .success();
    env.decl_signed(
        "laptop2",
        "TUR",
        &["amend", "propose", "--delete", "op-follow-up"],
    )
    .success();
    env.decl_signed("laptop1", "TUR", &["sync"]).success();
    let output = env.decl_signed("laptop2", "TUR", &["sync"]).success();
    insta::assert_snapshot!(output.normalized(&env), @"
    Renumbered TUR-1 to TUR-2: TUR-1 was taken on origin first
    Merged origin/main (f07fb81196)
    Pushed to origin
    ");
    env.decl_signed("laptop1", "TUR", &["sync"]).success();
    for clone in ["laptop1", "laptop2"] {
        assert_eq!(amendment_ids(&env, clone), ["TUR-1", "TUR-2"]);
        assert!(
            env.read(&format!("{clone}/amendments/TUR/TUR-1.yaml"))
                .contains("op-data")
        );
        let moved = env.read(&format!("{clone}/amendments/TUR/TUR-2.yaml"));
        assert!(
            moved.contains("op-follow-up") && moved.contains("id: TUR-2"),
            "{moved}"
        );
        env.decl(clone, &["check"]).success();
        env.decl(clone, &["verify"]).success();
    }
}

#[test]
fn a_real_conflict_stops_with_nothing_lost() {
    let mut env = TestEnv::new();
    server_and_clones(&env, &["one", "two"]);
    env.at("2022-09-12T10:00:00+05:00");
    env.decl_signed(
        "one",
        "TJK",
        &["clause", "mark", "agreed-ad-ref", "op-borders"],
    )
    .success();
    env.decl_signed("two", "TJK", &["clause", "mark", "agreed", "op-borders"])
        .success();
    env.decl_signed("one", "TJK", &["sync"]).success();

    let head = |env: &TestEnv| env.git("two", &["rev-parse", "HEAD"]).stdout;
    let files = |env: &TestEnv| env.read("two/clauses/op-borders.yaml");
    let (head_before, file_before) = (head(&env), files(&env));
    let output = env.decl_signed("two", "TJK", &["sync"]).failure();
    insta::assert_snapshot!(output.normalized(&env), @r"
    [stderr]
    error: origin/main cannot be merged: the two clones changed the same thing differently:
      clauses/op-borders.yaml: both clones changed it differently
    nothing was changed here
    hint: settle it with the other delegations (one side undoes its change with a new action), then sync again
    hint: `git diff HEAD origin/main -- FILE` shows what the remote has
    [exit 1]
    ");
    assert_eq!(head(&env), head_before);
    assert_eq!(files(&env), file_before);
    assert_eq!(env.git("two", &["status", "--porcelain"]).stdout, "");
    assert!(
        env.read("one/clauses/op-borders.yaml")
            .contains("agreed-ad-ref")
    );
    // Both versions are still there to settle: the local commit, and the remote's.
    let status = env.decl("two", &["status"]).success().stdout;
    assert!(status.contains("1 commit to push, 1 to take"), "{status}");
}

#[test]
fn clone_refuses_a_folder_in_use() {
    let env = TestEnv::new();
    server_and_clones(&env, &[]);
    env.write("busy/file", "x");
    let output = env.decl("", &["clone", "server.git", "busy"]).failure();
    assert!(
        output.stderr.contains("already exists and is not empty"),
        "{}",
        output.stderr
    );
    assert_eq!(env.read("busy/file"), "x");
    let output = env.decl("", &["clone", "nowhere.git", "new"]).failure();
    assert!(output.stderr.contains("nowhere.git"), "{}", output.stderr);
    assert!(!env.root().join("new").exists());
}

#[test]
fn a_hand_merge_answers_for_what_it_slips_in() {
    let mut env = TestEnv::new();
    server_and_clones(&env, &["tur", "qat"]);
    env.at("2022-09-12T10:00:00+05:00");
    env.decl_signed("tur", "TUR", &["amend", "propose", "--delete", "op-data"])
        .success();
    env.decl_signed(
        "qat",
        "QAT",
        &["amend", "propose", "--delete", "op-follow-up"],
    )
    .success();
    env.decl_signed("tur", "TUR", &["sync"]).success();
    // QAT merges with plain git, and edits a clause in the merge commit.
    let qat = [
        ("GIT_AUTHOR_NAME", "State of Qatar"),
        ("GIT_AUTHOR_EMAIL", "qat@delegation.invalid"),
    ];
    env.git("qat", &["fetch", "-q"]).success();
    env.git_with_env("qat", &["merge", "-q", "--no-edit", "origin/main"], &qat)
        .success();
    // The merge itself is what decl would have made: only its missing signature is wrong.
    let output = env.decl("qat", &["verify", "HEAD^..HEAD"]).failure();
    assert!(output.stdout.contains("QAT: unsigned"), "{}", output.stdout);
    assert_eq!(
        output
            .stdout
            .lines()
            .filter(|l| l.starts_with("  "))
            .count(),
        1
    );
    env.write(
        "qat/clauses/op-borders.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Call upon* all States to open their borders;\"\n",
    );
    env.git_with_env("qat", &["commit", "-qa", "--amend", "--no-edit"], &qat)
        .success();
    let output = env.decl("qat", &["verify", "HEAD^..HEAD"]).failure();
    assert!(
        output
            .stdout
            .contains("QAT: clause-outside-cut: clauses/op-borders.yaml"),
        "{}",
        output.stdout
    );
}

/// Issue 18: a revision cut in two clones under one name. Taking the remote's tag would leave
/// this clone's amendments "applied in rev1" while `rev1` holds other text, so sync refuses
/// before fetching anything; the hint it gives settles it, and identical tags then sync.
#[test]
fn a_revision_cut_in_two_clones_is_refused_with_nothing_changed() {
    let mut env = TestEnv::new();
    server_and_clones(&env, &["sec", "chair"]);
    env.at("2022-09-12T10:00:00+05:00");
    for (code, clause, span, text) in [
        ("TUR", "op-follow-up", "2024", "2025"),
        ("QAT", "op-borders", "closely", "fully"),
    ] {
        env.decl_signed(
            "sec",
            code,
            &[
                "amend",
                "propose",
                "--replace",
                clause,
                "--span",
                span,
                "--text",
                text,
            ],
        )
        .success();
    }
    env.decl_signed("sec", "UNOCT", &["sync"]).success();
    env.decl_signed("chair", "TJK", &["sync"]).success();

    // Each clone accepts one amendment and cuts rev1 of its own.
    env.at("2022-09-13T10:00:00+05:00");
    env.decl_signed("sec", "UNOCT", &["amend", "accept", "TUR-1"])
        .success();
    env.decl_signed("sec", "UNOCT", &["revision", "cut", "rev1"])
        .success();
    env.decl_signed("chair", "TJK", &["amend", "accept", "QAT-1"])
        .success();
    env.decl_signed("chair", "TJK", &["revision", "cut", "rev1"])
        .success();
    env.decl_signed("sec", "UNOCT", &["sync"]).success();

    let rev1 = |env: &TestEnv, clone: &str| env.git(clone, &["rev-parse", "rev1^{commit}"]).stdout;
    let (ours, theirs) = (rev1(&env, "chair"), rev1(&env, "sec"));
    assert_ne!(ours, theirs);
    let before = env.state("chair");
    let output = env.decl_signed("chair", "TJK", &["sync"]).failure();
    insta::assert_snapshot!(output.normalized(&env), @"
    [stderr]
    error: revision rev1 was cut differently here and on origin:
      rev1: commit 875de7781a4b4eb54219ca9a6380603d48adee4f here, commit 769c238e9c24109bdf0311bff1119dad513db1ac on origin
    nothing was changed here
    hint: a revision's name must mean one text, and origin's may already be in other clones: drop this clone's cut with `git reset --keep rev1^ && git tag -d rev1` (commits made here since go too), then `decl sync`
    hint: amendments that only this clone's cut applied are then accepted again, for the next revision: `decl revision cut NAME` with a new name
    [exit 1]
    ");
    assert!(
        output.stderr.contains(ours.trim()) && output.stderr.contains(theirs.trim()),
        "{}",
        output.stderr
    );
    // No object, ref (origin/main, the tag, FETCH_HEAD) or file changed, and nothing was pushed.
    assert_eq!(env.state("chair"), before);
    assert_eq!(rev1(&env, "chair"), ours);
    assert_eq!(
        env.git("server.git", &["rev-parse", "rev1^{commit}"])
            .stdout,
        theirs
    );

    // The hint: drop this clone's cut, sync, and cut what it applied under a new name.
    env.git("chair", &["reset", "-q", "--keep", "rev1^"])
        .success();
    env.git("chair", &["tag", "-d", "rev1"]).success();
    let output = env.decl_signed("chair", "TJK", &["sync"]).success();
    assert!(
        output.stdout.contains("Merged origin/main"),
        "{}",
        output.stdout
    );
    assert_eq!(rev1(&env, "chair"), theirs);
    env.decl_signed("chair", "TJK", &["revision", "cut", "rev2"])
        .success();
    env.decl_signed("chair", "TJK", &["sync"]).success();
    // The same rev1 on both sides is no clash; rev2 arrives.
    let output = env.decl_signed("sec", "UNOCT", &["sync"]).success();
    assert!(output.stdout.contains("Took"), "{}", output.stdout);
    for clone in ["sec", "chair"] {
        let text = env.decl(clone, &["show"]).success().stdout;
        assert!(
            text.contains("2025") && text.contains("fully"),
            "{clone}:\n{text}"
        );
        env.decl(clone, &["check"]).success();
        env.decl(clone, &["verify"]).success();
    }
    env.decl("server.git", &["verify", "main"]).success();

    // The same commit tagged otherwise here (a plain tag by hand) is still not the remote's tag.
    env.git("chair", &["tag", "-d", "rev1"]).success();
    env.git("chair", &["tag", "rev1", theirs.trim()]).success();
    let before = env.state("chair");
    let output = env.decl_signed("chair", "TJK", &["sync"]).failure();
    assert!(
        output.stderr.contains("tagged differently")
            && output
                .stderr
                .contains("hint: the text is the same: `git tag -d rev1`"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("chair"), before);
    env.git("chair", &["tag", "-d", "rev1"]).success();
    env.decl_signed("chair", "TJK", &["sync"]).success();
    assert_eq!(
        env.git("chair", &["cat-file", "-t", "rev1"]).stdout,
        "tag\n"
    );
}
