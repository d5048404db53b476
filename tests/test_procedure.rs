//! The rules of procedure can never jam: each way two decisions used to make every later
//! revision cut fail is now refused when the second decision is taken, the refusal changes
//! nothing, and the way out its hint names works.

use crate::common::{Output, TestEnv};

fn propose(env: &TestEnv, actor: &str, change: &[&str]) {
    let mut args = vec!["amend", "propose", "--as", actor];
    args.extend_from_slice(change);
    env.decl("repo", &args).success();
}

fn chair(env: &TestEnv, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--as", "TJK"]);
    env.decl("repo", &all)
}

/// Accepting `id` is refused, names `expected`, and leaves the repository as it was.
#[track_caller]
fn accept_is_refused(env: &TestEnv, id: &str, expected: &str) -> Output {
    let before = env.state("repo");
    let output = chair(env, &["amend", "accept", id]).failure();
    assert!(
        output.stderr.contains(expected),
        "expected {expected:?} in\n{}",
        output.stderr
    );
    assert_eq!(
        env.state("repo"),
        before,
        "the refused accept changed something"
    );
    output
}

fn cut(env: &TestEnv, name: &str) {
    env.decl("repo", &["revision", "cut", name, "--as", "UNOCT"])
        .success();
}

fn clause_file(env: &TestEnv, id: &str) -> String {
    env.read(&format!("repo/clauses/{id}.yaml"))
}

#[test]
fn two_amendments_on_the_same_words() {
    let env = TestEnv::new();
    env.small("repo");
    let span = |actor, text| {
        propose(
            &env,
            actor,
            &[
                "--replace",
                "op-borders",
                "--span",
                "shall cooperate",
                "--text",
                text,
            ],
        )
    };
    span("TUR", "should cooperate");
    span("RUS", "may cooperate");
    chair(&env, &["amend", "accept", "TUR-1"]).success();
    let refused = accept_is_refused(&env, "RUS-1", "RUS-1, TUR-1: they all change OP 1");
    assert!(
        refused
            .stderr
            .contains("hint: or reopen TUR-1 to decide between them"),
        "{}",
        refused.stderr
    );

    // The hint's first way: accept the second as modified, over the first's words.
    chair(
        &env,
        &[
            "amend",
            "accept",
            "RUS-1",
            "--text",
            "*Call upon* all States to strengthen border controls and may cooperate closely;",
        ],
    )
    .failure();
    // As modified it still rewrites the words TUR-1 rewrites: only a choice between them helps.
    chair(
        &env,
        &["amend", "reopen", "TUR-1", "--reason", "Consultations."],
    )
    .success();
    chair(&env, &["amend", "accept", "RUS-1"]).success();
    cut(&env, "rev1");
    let file = clause_file(&env, "op-borders");
    assert!(
        file.contains("border controls and may cooperate closely;"),
        "{file}"
    );
}

#[test]
fn a_deletion_and_an_insertion_next_to_the_deleted_clause() {
    let env = TestEnv::new();
    env.small("repo");
    propose(&env, "KAZ", &["--delete", "op-data"]);
    propose(
        &env,
        "QAT",
        &[
            "--insert-after",
            "op-data",
            "--text",
            "*Encourage* joint training of border officials;",
        ],
    );
    chair(&env, &["amend", "accept", "KAZ-1"]).success();
    let refused = accept_is_refused(&env, "QAT-1", "which KAZ-1 deletes");
    assert!(
        refused
            .stderr
            .contains("or reopen KAZ-1 to decide between them (decl amend reopen KAZ-1"),
        "{}",
        refused.stderr
    );

    chair(
        &env,
        &[
            "amend",
            "reopen",
            "KAZ-1",
            "--reason",
            "The room keeps OP 2.",
        ],
    )
    .success();
    chair(&env, &["amend", "accept", "QAT-1"]).success();
    cut(&env, "rev1");
    let text = env.decl("repo", &["show"]).success().stdout;
    assert!(
        text.contains("OP 3   Encourage joint training of border officials;"),
        "{text}"
    );
    let list = env.decl("repo", &["amend", "list"]).success().stdout;
    assert!(list.contains("KAZ-1  tabled"), "{list}");
}

#[test]
fn an_amendment_whose_words_a_revision_changed() {
    let env = TestEnv::new();
    env.small("repo");
    propose(
        &env,
        "TUR",
        &[
            "--replace",
            "op-borders",
            "--span",
            "shall cooperate",
            "--text",
            "should cooperate",
        ],
    );
    propose(
        &env,
        "RUS",
        &[
            "--replace",
            "op-borders",
            "--span",
            "shall cooperate closely",
            "--text",
            "shall work together",
        ],
    );
    chair(&env, &["amend", "accept", "RUS-1"]).success();
    cut(&env, "rev1");
    let refused = accept_is_refused(
        &env,
        "TUR-1",
        "the words \"shall cooperate\" no longer occur",
    );
    assert!(
        refused
            .stderr
            .contains("hint: accept TUR-1 as modified with the whole paragraph"),
        "{}",
        refused.stderr
    );
    // The hint's way: the chair writes the paragraph as it should read.
    let paragraph =
        "*Call upon* all States to strengthen border controls and should work together;";
    chair(&env, &["amend", "accept", "TUR-1", "--text", paragraph]).success();
    cut(&env, "rev2");
    let file = clause_file(&env, "op-borders");
    assert!(
        file.contains("border controls and should work together;"),
        "{file}"
    );
}

#[test]
fn an_insertion_whose_anchor_a_revision_deleted() {
    let env = TestEnv::new();
    env.small("repo");
    propose(
        &env,
        "QAT",
        &[
            "--insert-after",
            "op-follow-up",
            "--text",
            "*Request* the Secretariat to report on progress.",
        ],
    );
    propose(&env, "KAZ", &["--delete", "op-follow-up"]);
    chair(&env, &["amend", "accept", "KAZ-1"]).success();
    cut(&env, "rev1");
    let refused = accept_is_refused(&env, "QAT-1", "next to op-follow-up, which does not exist");
    assert!(
        refused
            .stderr
            .contains("hint: reject QAT-1 (decl amend reject QAT-1 --reason ...)"),
        "{}",
        refused.stderr
    );
    chair(
        &env,
        &["amend", "reject", "QAT-1", "--reason", "Its place is gone."],
    )
    .success();
    cut(&env, "rev2");
}

#[test]
fn a_decided_amendment_can_be_reopened_until_it_is_applied() {
    let env = TestEnv::new();
    env.small("repo");
    propose(&env, "KAZ", &["--delete", "op-follow-up"]);
    chair(
        &env,
        &["amend", "reject", "KAZ-1", "--reason", "No consensus."],
    )
    .success();
    chair(
        &env,
        &[
            "amend",
            "reopen",
            "KAZ-1",
            "--reason",
            "New proposal by the chair.",
        ],
    )
    .success();
    chair(&env, &["amend", "accept", "KAZ-1"]).success();
    let shown = env
        .decl("repo", &["amend", "show", "KAZ-1"])
        .success()
        .stdout;
    assert!(shown.contains("reopen"), "{shown}");
    assert!(shown.contains("New proposal by the chair."), "{shown}");
    cut(&env, "rev1");
    let before = env.state("repo");
    let output = chair(&env, &["amend", "reopen", "KAZ-1", "--reason", "Too late."]).failure();
    assert!(
        output.stderr.contains("KAZ-1 is applied"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);
}

#[test]
fn amendments_whose_clause_is_gone_are_shown_as_stale() {
    let env = TestEnv::new();
    env.small("repo");
    propose(
        &env,
        "QAT",
        &[
            "--insert-after",
            "op-follow-up",
            "--text",
            "*Request* the Secretariat to report on progress.",
        ],
    );
    propose(
        &env,
        "TUR",
        &[
            "--replace",
            "op-follow-up",
            "--text",
            "*Decide* to meet in 2025.",
        ],
    );
    propose(&env, "KAZ", &["--delete", "op-follow-up"]);
    chair(&env, &["amend", "accept", "KAZ-1"]).success();
    cut(&env, "rev1");
    let list = env.decl("repo", &["amend", "list"]).success();
    insta::assert_snapshot!(list.stdout, @"
    ID     STATUS   CHANGE                     BY   SUPPORT  OPPOSE  FLAGS
    KAZ-1  applied  delete op-follow-up        KAZ
    TUR-1  tabled   replace op-follow-up       TUR                   gone
    QAT-1  tabled   insert after op-follow-up  QAT                   gone
    ");
    // A stale amendment is a state of the negotiation, not a broken repository.
    env.decl("repo", &["check"]).success();
    // An applied amendment cannot be accepted again, whatever became of its clause: the
    // refusal says so rather than asking for a rebase.
    let again = chair(&env, &["amend", "accept", "KAZ-1"]).failure();
    assert!(!again.stderr.contains("rebase"), "{}", again.stderr);
    assert!(again.stderr.contains("applied"), "{}", again.stderr);
    let show = env
        .decl("repo", &["amend", "show", "QAT-1"])
        .success()
        .stdout;
    assert!(
        show.contains("Stale: it places a clause next to op-follow-up, which is no longer in the text; it cannot apply as it is: QAT may withdraw it (decl amend withdraw QAT-1)"),
        "{show}"
    );
    let show = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(
        show.contains("Stale: its clause op-follow-up is no longer in the text"),
        "{show}"
    );
    // The compilation shows every pending amendment it counts.
    let compile = env.decl("repo", &["compile"]).success().stdout;
    assert!(compile.contains("2 pending amendments"), "{compile}");
    let section = compile
        .split_once("AMENDMENTS TO CLAUSES NO LONGER IN THE TEXT")
        .map(|(_, section)| section)
        .unwrap_or_else(|| panic!("{compile}"));
    assert!(section.contains("QAT-1 (tabled)"), "{compile}");
    assert!(section.contains("TUR-1 (tabled)"), "{compile}");
    let html = env
        .decl("repo", &["compile", "--format", "html"])
        .success()
        .stdout;
    assert!(html.contains("Amendments to clauses no longer in the text"));

    // The way out works: the proposer withdraws one, the chair rejects the other.
    env.decl("repo", &["amend", "withdraw", "QAT-1", "--as", "QAT"])
        .success();
    chair(
        &env,
        &[
            "amend",
            "reject",
            "TUR-1",
            "--reason",
            "Its clause is gone.",
        ],
    )
    .success();
    let compile = env.decl("repo", &["compile"]).success().stdout;
    assert!(!compile.contains("NO LONGER IN THE TEXT"), "{compile}");
}

#[test]
fn the_adopted_text_is_cut_only_when_ready_and_closes_the_negotiation() {
    let env = TestEnv::new();
    env.small("repo");
    propose(&env, "KAZ", &["--delete", "op-follow-up"]);

    // Not ready: clauses not agreed, square brackets, a tabled amendment.
    let before = env.state("repo");
    let refused = env
        .decl(
            "repo",
            &["revision", "cut", "adopted", "--final", "--as", "UNOCT"],
        )
        .failure();
    insta::assert_snapshot!(refused.stderr, @"
    error: the text cannot be adopted as adopted yet:
      OP 1 (op-borders) is draft, not agreed
      OP 2 (op-data) is bracketed, not agreed
      OP 2 (op-data) still holds 1 square-bracketed span
      OP 3 (op-follow-up) is draft, not agreed
      KAZ-1 (delete OP 3) is still tabled
    hint: settle each point (decl status shows them), or adopt the text as it stands (decl revision cut adopted --final --force)
    ");
    assert_eq!(env.state("repo"), before);

    // The hint's first way: settle each point.
    chair(&env, &["amend", "accept", "KAZ-1"]).success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-data",
            "--span",
            "[and passenger name record data]",
            "--text",
            "and passenger name record data",
        ],
    )
    .success();
    chair(&env, &["amend", "accept", "TUR-1"]).success();
    cut(&env, "rev1");
    chair(&env, &["clause", "mark", "agreed", "op-borders", "op-data"]).success();
    env.decl(
        "repo",
        &["revision", "cut", "adopted", "--final", "--as", "UNOCT"],
    )
    .success();
    let meta = env.read("repo/declaration.yaml");
    assert!(meta.contains("adopted: adopted"), "{meta}");

    // Closed: no proposal, no acceptance, no further revision.
    let before = env.state("repo");
    let output = env
        .decl(
            "repo",
            &["amend", "propose", "--as", "RUS", "--delete", "op-borders"],
        )
        .failure();
    assert!(
        output
            .stderr
            .contains("the text was adopted in revision adopted: no amendment can be proposed"),
        "{}",
        output.stderr
    );
    let output = env
        .decl("repo", &["revision", "cut", "rev9", "--as", "UNOCT"])
        .failure();
    assert!(
        output
            .stderr
            .contains("no revision follows the adopted text"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);
    // The final export is what was adopted.
    env.decl("repo", &["export", "--format", "md"]).success();
}

#[test]
fn the_text_can_be_adopted_as_it_stands_when_forced() {
    let env = TestEnv::new();
    env.small("repo");
    let output = env
        .decl(
            "repo",
            &[
                "revision", "cut", "adopted", "--final", "--force", "--as", "TJK",
            ],
        )
        .success();
    assert!(output.stdout.contains("cuts adopted"), "{}", output.stdout);
    assert!(
        env.read("repo/declaration.yaml")
            .contains("adopted: adopted")
    );
    // An adoption that applies no amendment is still the chair's or secretariat's cut.
    env.decl("repo", &["verify", "HEAD~1..HEAD"]).success();
}

#[test]
fn co_sponsorship_is_given_not_taken() {
    let env = TestEnv::new();
    env.small("repo");
    let before = env.state("repo");
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
                "--cosponsor",
                "KAZ",
                "--cosponsor",
                "KAZ",
            ],
        )
        .failure();
    assert!(
        output.stderr.contains("KAZ is named twice as a co-sponsor"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);

    propose(
        &env,
        "TUR",
        &[
            "--delete",
            "op-follow-up",
            "--cosponsor",
            "KAZ",
            "--cosponsor",
            "QAT",
        ],
    );
    // Named, not yet joined: no co-sponsor counted.
    let list = env.decl("repo", &["amend", "list"]).success().stdout;
    assert!(list.contains("TUR-1  tabled  delete OP 3  TUR\n"), "{list}");
    let show = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(
        show.contains(
            "Invited to co-sponsor (not yet joined): Republic of Kazakhstan (KAZ), State of Qatar (QAT)"
        ),
        "{show}"
    );
    // KAZ joins by its own act; QAT declines.
    env.decl("repo", &["amend", "cosponsor", "TUR-1", "--as", "KAZ"])
        .success();
    env.decl("repo", &["amend", "retract", "TUR-1", "--as", "QAT"])
        .success();
    let list = env.decl("repo", &["amend", "list"]).success().stdout;
    assert!(
        list.contains("TUR-1  tabled  delete OP 3  TUR+KAZ"),
        "{list}"
    );
    let show = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(!show.contains("Invited"), "{show}");
    let file = env.read("repo/amendments/TUR/TUR-1.yaml");
    assert!(file.contains("cosponsors:\n- KAZ"), "{file}");
    // (The fixture's own first commit is by no delegation: verify decl's commits only.)
    env.decl("repo", &["verify", "HEAD~3..HEAD"]).success();
    env.decl("repo", &["check"]).success();

    // A co-sponsor that is also invited, or the proposer invited, is found by check.
    env.write(
        "repo/amendments/TUR/TUR-1.yaml",
        &file.replace("cosponsors:", "invited: [TUR, KAZ]\ncosponsors:"),
    );
    let output = env.decl("repo", &["check"]).failure();
    let report = format!("{}{}", output.stdout, output.stderr);
    assert!(report.contains("TUR is the proposer"), "{report}");
    assert!(report.contains("KAZ already co-sponsors it"), "{report}");
}

#[test]
fn no_decision_leaves_text_decl_cannot_read() {
    let env = TestEnv::new();
    env.small("repo");
    propose(
        &env,
        "TUR",
        &[
            "--replace",
            "op-borders",
            "--span",
            "shall cooperate",
            "--text",
            "should cooperate",
        ],
    );
    // As modified, with an unbalanced bracket: refused, nothing written.
    let before = env.state("repo");
    let output = chair(
        &env,
        &[
            "amend",
            "accept",
            "TUR-1",
            "--text",
            "*Call upon* all States to strengthen border controls and [should cooperate closely;",
        ],
    )
    .failure();
    assert!(
        output.stderr.contains("unbalanced square bracket"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);

    // Ad ref needs the text free of square brackets, as agreement does.
    let output = chair(&env, &["clause", "mark", "agreed-ad-ref", "op-data"]).failure();
    assert!(
        output
            .stderr
            .contains("a clause with square-bracketed text cannot be agreed-ad-ref"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);

    // An agreed clause that an amendment changes is a draft again, and the cut says so.
    chair(&env, &["clause", "mark", "agreed", "op-borders"]).success();
    chair(&env, &["amend", "accept", "TUR-1"]).success();
    let output = env
        .decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    assert!(
        output.stdout.contains("OP 1 (op-borders) is draft again"),
        "{}",
        output.stdout
    );
    assert!(clause_file(&env, "op-borders").contains("status: draft"));
    for command in [
        &["status"][..],
        &["amend", "list"],
        &["show"],
        &["export", "--draft"],
        &["check"],
    ] {
        env.decl("repo", command).success();
    }
}

/// A proposal reads the committed text, so a hand edit in progress neither stops it after its
/// commit (it used to exit 1 with the commit made) nor is touched by it.
#[test]
fn a_broken_uncommitted_file_neither_half_fails_a_proposal_nor_is_overwritten() {
    let env = TestEnv::new();
    env.small("repo");
    let meta = env.read("repo/declaration.yaml");
    let broken = meta.replace("preamble:", "preamble: [");
    env.write("repo/declaration.yaml", &broken);
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
        output.stdout.contains("Proposed TUR-1"),
        "{}",
        output.stdout
    );
    assert_eq!(env.read("repo/declaration.yaml"), broken);
    let log = env.git("repo", &["log", "--format=%s", "-1"]).stdout;
    assert!(log.contains("TUR proposes TUR-1"), "{log}");
    let changed = env.git("repo", &["status", "--porcelain"]).stdout;
    assert_eq!(changed.trim(), "M declaration.yaml");
}
