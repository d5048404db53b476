//! Amendments through the binary: a whole negotiation, and every refusal leaving the
//! repository exactly as it was.

use crate::common::TestEnv;

/// Runs a command that must be refused and checks that it changed nothing.
#[track_caller]
fn refused(env: &TestEnv, args: &[&str], expected: &str) {
    let before = env.state("repo");
    let output = env.decl("repo", args).failure();
    assert!(
        output.stderr.contains(expected),
        "{args:?}:\nexpected {expected:?} in\n{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before, "{args:?} changed the repository");
}

#[test]
fn a_whole_negotiation() {
    let mut env = TestEnv::new();
    env.small("repo");

    env.at("2022-09-12T10:00:00+05:00");
    let output = env
        .decl(
            "repo",
            &[
                "amend",
                "propose",
                "--as",
                "TUR",
                "--replace",
                "op-borders",
                "--span",
                "shall cooperate",
                "--text",
                "should cooperate",
                "--justification",
                "Softer, as elsewhere.",
                "--cosponsor",
                "KAZ",
            ],
        )
        .success();
    insta::assert_snapshot!(output.normalized(&env), @r#"
    Proposed TUR-1: TUR proposes TUR-1: replace "shall cooperate" in OP 1

    *Call upon* all States to strengthen border controls and {--shall--}{++should++} cooperate closely;
    "#);
    env.at("2022-09-12T11:00:00+05:00");
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
    env.at("2022-09-12T12:00:00+05:00");
    env.decl("repo", &["amend", "propose", "--as", "RUS", "--replace", "op-data", "--text", "*Encourage* the exchange of advance passenger information:\n(a) with full respect for human rights;\n(b) in accordance with national law;"]).success();
    env.at("2022-09-12T13:00:00+05:00");
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "KAZ",
            "--delete",
            "op-follow-up",
        ],
    )
    .success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--move",
            "op-follow-up",
            "--before",
            "op-borders",
        ],
    )
    .success();

    env.at("2022-09-13T09:00:00+05:00");
    env.decl("repo", &["amend", "support", "TUR-1", "--as", "QAT"])
        .success();
    env.decl(
        "repo",
        &[
            "amend",
            "oppose",
            "TUR-1",
            "--as",
            "RUS",
            "--reason",
            "Too weak.",
        ],
    )
    .success();
    env.decl("repo", &["amend", "support", "QAT-1", "--as", "TUR"])
        .success();
    env.decl("repo", &["amend", "withdraw", "TUR-2", "--as", "TUR"])
        .success();
    env.decl("repo", &["amend", "cosponsor", "RUS-1", "--as", "KAZ"])
        .success();

    let list = env.decl("repo", &["amend", "list"]).success();
    insta::assert_snapshot!(list.normalized(&env), @r#"
    ID     STATUS     CHANGE                             BY       SUPPORT  OPPOSE  FLAGS
    TUR-1  tabled     replace "shall cooperate" in OP 1  TUR      QAT      RUS
    RUS-1  tabled     replace OP 2                       RUS+KAZ
    QAT-1  tabled     insert after OP 2                  QAT      TUR
    KAZ-1  tabled     delete OP 3                        KAZ
    TUR-2  withdrawn  move OP 3 before OP 1              TUR
    "#);

    env.at("2022-09-20T16:00:00+05:00");
    env.decl(
        "repo",
        &[
            "amend",
            "accept",
            "TUR-1",
            "--as",
            "TJK",
            "--text",
            "*Call upon* all States to strengthen border controls and could cooperate closely;",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["amend", "accept", "RUS-1", "--as", "TJK"])
        .success();
    env.decl(
        "repo",
        &[
            "amend",
            "reject",
            "KAZ-1",
            "--as",
            "UNOCT",
            "--reason",
            "No consensus.",
        ],
    )
    .success();

    let show = env.decl("repo", &["amend", "show", "TUR-1"]).success();
    insta::assert_snapshot!(show.normalized(&env), @r#"
    TUR-1: replace "shall cooperate" in OP 1
    Status:      accepted-as-modified
    Proposed by: Republic of Türkiye (TUR)
    Invited to co-sponsor (not yet joined): Republic of Kazakhstan (KAZ)
    Justification: Softer, as elsewhere.

    Record:
      2022-09-12 10:00  propose   Republic of Türkiye (TUR)
      2022-09-13 09:00  support   State of Qatar (QAT)
      2022-09-13 09:00  oppose    Russian Federation (RUS): Too weak.
      2022-09-20 16:00  accept    Republic of Tajikistan (TJK) (as modified)

    As proposed:
    Call upon all States to strengthen border controls and {--shall--}{++should++} cooperate closely;

    As accepted (modified by the Chair):
    Call upon all States to strengthen border controls and {--shall--}{>>TUR-1<<}{++could++}{>>Chair, modifying TUR-1<<} cooperate closely;
    "#);

    env.at("2022-09-21T09:00:00+05:00");
    let cut = env
        .decl(
            "repo",
            &[
                "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
            ],
        )
        .success();
    assert_eq!(
        cut.stdout,
        "UNOCT cuts Rev.1 (rev1): 3 amendments applied\n"
    );
    let text = env.decl("repo", &["show"]).success().stdout;
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("border controls and could cooperate closely;"),
        "{text}"
    );
    assert!(!text.contains("passenger name record"), "{text}");
    let order: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("OP "))
        .map(|l| &l[..5])
        .collect();
    assert_eq!(order, ["OP 1 ", "OP 2 ", "OP 3 ", "OP 4 "]);
    assert!(
        text.contains("OP 3   Encourage joint training of border officials;"),
        "{text}"
    );
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
    env.decl("repo", &["check"]).success();

    // Everything is in plain git, authored by whoever acted.
    let log = env.git("repo", &["log", "--format=%an|%s"]).stdout;
    insta::assert_snapshot!(log, @r#"
    United Nations Office of Counter-Terrorism|UNOCT cuts Rev.1 (rev1): 3 amendments applied
    United Nations Office of Counter-Terrorism|UNOCT rejects KAZ-1 (delete OP 3)
    Republic of Tajikistan|TJK accepts RUS-1 (replace OP 2)
    Republic of Tajikistan|TJK accepts QAT-1 (insert after OP 2)
    Republic of Tajikistan|TJK accepts TUR-1 as modified (replace "shall cooperate" in OP 1)
    Republic of Kazakhstan|KAZ co-sponsors RUS-1 (replace OP 2)
    Republic of Türkiye|TUR withdraws TUR-2 (move OP 3 before OP 1)
    Republic of Türkiye|TUR supports QAT-1 (insert after OP 2)
    Russian Federation|RUS opposes TUR-1 (replace "shall cooperate" in OP 1)
    State of Qatar|QAT supports TUR-1 (replace "shall cooperate" in OP 1)
    Republic of Türkiye|TUR proposes TUR-2: move OP 3 before OP 1
    Republic of Kazakhstan|KAZ proposes KAZ-1: delete OP 3
    Russian Federation|RUS proposes RUS-1: replace OP 2
    State of Qatar|QAT proposes QAT-1: insert after OP 2
    Republic of Türkiye|TUR proposes TUR-1: replace "shall cooperate" in OP 1
    Test|Secretariat loads the test draft
    Secretariat|SEC creates the declaration repository
    "#);
}

#[test]
fn refusals_change_nothing() {
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

    refused(
        &env,
        &["amend", "propose", "--as", "TUR", "--delete", "op-bordrs"],
        "unknown clause op-bordrs; did you mean op-borders?",
    );
    refused(
        &env,
        &["amend", "propose", "--as", "TRU", "--delete", "op-borders"],
        "unknown delegation TRU; did you mean TUR?",
    );
    refused(
        &env,
        &["amend", "propose", "--delete", "op-borders"],
        "say who acts",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "UNRCCA",
            "--delete",
            "op-borders",
        ],
        "observers may not propose amendments",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-borders",
            "--span",
            "nowhere",
            "--text",
            "x",
        ],
        "does not occur in OP 1",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-borders",
            "--span",
            "s",
            "--text",
            "x",
        ],
        "occurs more than once",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--move",
            "op-borders",
            "--after",
            "pp-charter",
        ],
        "cannot move between the preamble and the operative part",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--insert-after",
            "op-data",
            "--new-id",
            "op-borders",
            "--text",
            "x",
        ],
        "already exists",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--delete",
            "op-borders",
            "--cosponsor",
            "TUR",
        ],
        "cannot co-sponsor its own",
    );
    refused(
        &env,
        &["amend", "support", "TUR-1", "--as", "TUR"],
        "may not support its own amendment",
    );
    refused(
        &env,
        &["amend", "support", "TUR-9", "--as", "QAT"],
        "unknown amendment TUR-9; did you mean TUR-1?",
    );
    refused(
        &env,
        &["amend", "accept", "TUR-1", "--as", "QAT"],
        "QAT is member: only the chair or the secretariat may accept",
    );
    refused(
        &env,
        &["amend", "withdraw", "TUR-1", "--as", "QAT"],
        "only TUR, which proposed TUR-1, may withdraw it",
    );
    refused(
        &env,
        &["amend", "accept", "TUR-1", "--as", "TJK", "--text", "x"],
        "TUR-1 is a delete: only a replacement or an insertion has wording to modify",
    );
    refused(
        &env,
        &["revision", "cut", "rev1", "--as", "TUR"],
        "only the chair or the secretariat may cut a revision",
    );
    refused(
        &env,
        &["clause", "mark", "agreed", "op-data", "--as", "TJK"],
        "cannot be agreed",
    );

    env.decl("repo", &["amend", "support", "TUR-1", "--as", "QAT"])
        .success();
    refused(
        &env,
        &["amend", "support", "TUR-1", "--as", "QAT"],
        "QAT already supports TUR-1",
    );
    refused(
        &env,
        &["amend", "oppose", "TUR-1", "--as", "QAT"],
        "QAT supports TUR-1: a delegation holds one position on an amendment; take it back first (decl amend retract TUR-1)",
    );
    refused(
        &env,
        &["amend", "support", "TUR-1", "--as", "TJK"],
        "TJK is the chair, which acts for the whole conference",
    );
    refused(
        &env,
        &["amend", "retract", "TUR-1", "--as", "RUS"],
        "RUS holds no position on TUR-1",
    );
    refused(
        &env,
        &["amend", "reopen", "TUR-1", "--as", "TJK", "--reason", "x"],
        "TUR-1 is tabled",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "RUS",
            "--replace",
            "op-borders",
            "--text",
            "*Call upon* all [States to strengthen;",
        ],
        "unbalanced square bracket",
    );
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "RUS",
            "--replace",
            "op-borders",
            "--span",
            "shall",
            "--text",
            "shall",
        ],
        "the amendment would change nothing",
    );
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
            "*Encourage* training;",
        ],
    )
    .success();
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "RUS",
            "--insert-after",
            "op-borders",
            "--new-id",
            "op-training",
            "--text",
            "*Encourage* exercises;",
        ],
        "QAT-1 already proposes a clause called op-training; choose another id with --new-id",
    );
    for name in [
        "-rf",
        "HEAD",
        "rev1/x",
        "main",
        "origin/main",
        "FETCH_HEAD",
        "@",
        &"r".repeat(300),
    ] {
        refused(
            &env,
            &["revision", "cut", "--as", "TJK", "--", name],
            "cannot name a revision",
        );
    }
    // A position can be taken back, and another taken in its place.
    env.decl("repo", &["amend", "retract", "TUR-1", "--as", "QAT"])
        .success();
    env.decl(
        "repo",
        &[
            "amend",
            "oppose",
            "TUR-1",
            "--as",
            "QAT",
            "--reason",
            "On reflection.",
        ],
    )
    .success();
    env.decl("repo", &["amend", "withdraw", "TUR-1", "--as", "TUR"])
        .success();
    refused(
        &env,
        &["amend", "oppose", "TUR-1", "--as", "RUS"],
        "TUR-1 is withdrawn: it can no longer be opposed",
    );
    refused(
        &env,
        &["amend", "accept", "TUR-1", "--as", "TJK"],
        "TUR-1 is withdrawn",
    );
}

#[test]
fn edits_by_hand_are_neither_committed_nor_overwritten() {
    let env = TestEnv::new();
    env.small("repo");
    let edited = env
        .read("repo/clauses/op-data.yaml")
        .replace("Encourage", "Urge");
    env.write("repo/clauses/op-data.yaml", &edited);
    env.write("repo/amendments/stray.txt", "x");

    // An action that writes other files goes ahead; the commit holds only its own file.
    env.decl(
        "repo",
        &["amend", "propose", "--as", "TUR", "--delete", "op-borders"],
    )
    .success();
    let committed = env.git("repo", &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(committed.stdout.trim(), "amendments/TUR/TUR-1.yaml");
    assert_eq!(env.read("repo/clauses/op-data.yaml"), edited);
    let status = env.git("repo", &["status", "--porcelain"]).stdout;
    assert!(status.contains(" M clauses/op-data.yaml"), "{status}");
    assert!(status.contains("?? amendments/stray.txt"), "{status}");

    // An action that would write over a file changed by hand is refused, naming it.
    env.write("repo/amendments/TUR/TUR-2.yaml", "my notes\n");
    refused(
        &env,
        &["amend", "propose", "--as", "TUR", "--delete", "op-data"],
        "this would overwrite changes in the working tree that are not committed:\n  amendments/TUR/TUR-2.yaml",
    );
    std::fs::remove_file(env.root().join("repo/amendments/TUR/TUR-2.yaml")).unwrap();
    env.decl(
        "repo",
        &["amend", "propose", "--as", "TUR", "--delete", "op-data"],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-2", "--as", "TJK"])
        .success();
    refused(
        &env,
        &["revision", "cut", "rev1", "--as", "UNOCT"],
        "clauses/op-data.yaml",
    );
    env.git("repo", &["checkout", "--", "clauses/op-data.yaml"]);
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
}

#[test]
fn a_locked_index_is_refused_with_a_hint() {
    let env = TestEnv::new();
    env.small("repo");
    env.write("repo/.git/index.lock", "");
    let before = env.state("repo");
    let output = env
        .decl(
            "repo",
            &["amend", "propose", "--as", "TUR", "--delete", "op-borders"],
        )
        .failure();
    assert!(
        output.stderr.contains("index.lock exists"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("hint: if no git command is running"),
        "{}",
        output.stderr
    );
    assert_eq!(env.state("repo"), before);
}

#[test]
fn stale_and_competing_amendments_are_flagged() {
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
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--replace",
            "op-follow-up",
            "--span",
            "meet again",
            "--text",
            "convene",
        ],
    )
    .success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "RUS",
            "--replace",
            "op-borders",
            "--span",
            "closely",
            "--text",
            "fully",
        ],
    )
    .success();
    env.at("2022-09-02T10:00:00+05:00");
    let accepted = env
        .decl("repo", &["amend", "accept", "RUS-1", "--as", "TJK"])
        .success();
    assert!(accepted.stdout.starts_with("TJK accepts RUS-1"));
    let accepted = env
        .decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    assert!(
        accepted
            .stdout
            .contains("note: QAT-1 also amends this clause and still needs a decision"),
        "{}",
        accepted.stdout
    );
    env.decl("repo", &["amend", "reject", "QAT-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    // A new amendment drafted against Rev.1 ...
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "KAZ",
            "--replace",
            "op-follow-up",
            "--span",
            "Decide",
            "--text",
            "Agree",
        ],
    )
    .success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-borders",
            "--text",
            "*Call upon* all States to cooperate;",
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
            "op-borders",
            "--span",
            "fully",
            "--text",
            "closely",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-2", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev2", "--as", "UNOCT"])
        .success();
    let list = env
        .decl("repo", &["amend", "list", "--status", "open"])
        .success();
    insta::assert_snapshot!(list.normalized(&env), @r#"
    ID     STATUS  CHANGE                    BY   SUPPORT  OPPOSE  FLAGS
    QAT-2  tabled  replace "fully" in OP 1   QAT                   stale
    KAZ-1  tabled  replace "Decide" in OP 3  KAZ
    "#);
    let show = env.decl("repo", &["amend", "show", "QAT-2"]).success();
    assert!(
        show.stdout
            .contains("Stale: the clause has changed since QAT-2 was drafted"),
        "{}",
        show.stdout
    );
}

#[test]
fn a_decision_that_would_conflict_with_an_accepted_one_is_refused_when_taken() {
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
            "*Decide* to meet in 2025.",
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
            "--delete",
            "op-follow-up",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    // The second decision would jam every later cut, so it is refused when taken.
    let before = env.state("repo");
    let output = env
        .decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .failure();
    insta::assert_snapshot!(output.normalized(&env), @"
    [stderr]
    error: QAT-1 cannot be accepted: it would not apply beside the amendments already accepted:
      QAT-1, TUR-1: they all change OP 3 (op-follow-up)
    hint: reject QAT-1 (decl amend reject QAT-1 --reason ...)
    hint: or reopen TUR-1 to decide between them (decl amend reopen TUR-1 --reason ...)
    [exit 1]
    ");
    assert_eq!(env.state("repo"), before);

    // The hint's way out works: reopen the first, accept the second, cut.
    env.decl(
        "repo",
        &[
            "amend",
            "reopen",
            "TUR-1",
            "--as",
            "TJK",
            "--reason",
            "the room prefers deletion",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    let list = env.decl("repo", &["amend", "list"]).success().stdout;
    assert!(list.contains("TUR-1  tabled"), "{list}");
}

#[test]
fn text_in_any_script_round_trips_exactly() {
    let env = TestEnv::new();
    env.small("repo");
    let wording = "*Призываем* все государства — الدول 加强边境管理 [по возможности];";
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "RUS",
            "--replace",
            "op-borders",
            "--text",
            wording,
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "RUS-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    let shown = env.decl("repo", &["show", "op-borders"]).success().stdout;
    assert_eq!(
        shown,
        "\nOP 1   Призываем все государства — الدول 加强边境管理 [по возможности];\n"
    );
    assert!(env.read("repo/clauses/op-borders.yaml").contains(wording));
}

#[test]
fn a_stale_amendment_is_rebased_onto_the_new_text_when_the_changes_do_not_overlap() {
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
            "op-borders",
            "--text",
            "*Call upon* all States to strengthen border controls and shall cooperate fully;",
        ],
    )
    .success();
    env.decl("repo", &["amend", "propose", "--as", "RUS", "--replace", "op-borders", "--text", "*Call upon* all Governments to strengthen border controls and shall cooperate closely;"]).success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--replace",
            "op-borders",
            "--span",
            "all States",
            "--text",
            "all Member States",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    env.at("2022-09-02T10:00:00+05:00");
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();

    refused(
        &env,
        &["amend", "accept", "TUR-1", "--as", "TJK"],
        "TUR-1 was drafted against an older text of OP 1 (op-borders): rebase it first",
    );
    refused(
        &env,
        &["amend", "rebase", "TUR-1", "--as", "QAT"],
        "only TUR, which proposed TUR-1, may rebase it",
    );
    refused(
        &env,
        &["amend", "rebase", "RUS-1", "--as", "RUS"],
        "RUS-1 cannot be carried onto the current text of OP 1 (op-borders): the revision changed the same or neighbouring words; RUS must withdraw it and propose it again",
    );
    refused(
        &env,
        &["amend", "rebase", "QAT-1", "--as", "QAT"],
        "QAT-1 is applied",
    );

    // The rebase shows what the amendment now proposes against the current text.
    let output = env
        .decl("repo", &["amend", "rebase", "TUR-1", "--as", "TUR"])
        .success();
    insta::assert_snapshot!(output.normalized(&env), @"
    TUR rebases TUR-1 onto the current text of OP 1 (op-borders)

    *Call upon* all Member States to strengthen border controls and shall cooperate {--closely--}{++fully++};
    ");
    let show = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(show.contains("Call upon all Member States to strengthen border controls and shall cooperate {--closely--}{++fully++};"), "{show}");
    assert!(!show.contains("Stale"), "{show}");
    refused(
        &env,
        &["amend", "rebase", "TUR-1", "--as", "TUR"],
        "nothing to rebase",
    );

    env.decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev2", "--as", "UNOCT"])
        .success();
    let text = env.decl("repo", &["show", "op-borders"]).success().stdout;
    assert!(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("all Member States to strengthen border controls and shall cooperate fully;"),
        "{text}"
    );
}

/// Issue 18: a rebase never guesses. The revision rewrote "all life" as "all living beings"
/// while the amendment rewrote the same two words as "every human life"; merging both would
/// give "every human living beings", which no one wrote.
#[test]
fn a_stale_amendment_whose_changes_touch_the_revisions_is_not_rebased() {
    let mut env = TestEnv::new();
    env.small("repo");
    let propose_span = |env: &TestEnv, code: &str, span: &str, text: &str| {
        env.decl(
            "repo",
            &[
                "amend",
                "propose",
                "--as",
                code,
                "--replace",
                "op-borders",
                "--span",
                span,
                "--text",
                text,
            ],
        )
        .success();
    };
    propose_span(
        &env,
        "KAZ",
        "strengthen border controls",
        "protect all life",
    );
    env.decl("repo", &["amend", "accept", "KAZ-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();

    env.at("2022-09-02T10:00:00+05:00");
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-borders",
            "--text",
            "*Call upon* all States to protect every human life and shall cooperate closely;",
        ],
    )
    .success();
    propose_span(&env, "QAT", "all life", "all living beings");
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev2", "--as", "UNOCT"])
        .success();

    let before = env.state("repo");
    let output = env
        .decl("repo", &["amend", "rebase", "TUR-1", "--as", "TUR"])
        .failure();
    insta::assert_snapshot!(output.normalized(&env), @"
    [stderr]
    error: TUR-1 cannot be carried onto the current text of OP 1 (op-borders): the revision changed the same or neighbouring words; TUR must withdraw it and propose it again
    [exit 1]
    ");
    assert_eq!(
        env.state("repo"),
        before,
        "the refused rebase changed the repository"
    );
    let show = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(show.contains("Stale"), "{show}");
}

#[test]
fn escape_sequences_and_bidi_overrides_in_wording_are_neutralised_on_the_terminal() {
    let env = TestEnv::new();
    env.small("repo");
    // A right-to-left override would show "2024" as "4202" in every document: refused, with
    // nothing written.
    refused(
        &env,
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-follow-up",
            "--text",
            "*Decide* to meet in \u{202E}4202\u{202C}.",
        ],
        "bidirectional control U+202E",
    );
    // The two escape sequences hold a '[' and a ']' in that order, so the brackets balance and the
    // proposal is admitted.
    let hostile = "*Decide* to meet \x1b[2Jagain\x1b]0;pwned\x07 in 4202.";
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
            "--justification",
            "\x1b[8mhidden",
        ],
    )
    .success();
    let shown = env
        .decl("repo", &["amend", "show", "TUR-1"])
        .success()
        .stdout;
    assert!(
        !shown.contains('\x1b') && !shown.contains('\u{202E}') && !shown.contains('\x07'),
        "{shown:?}"
    );
    assert!(
        shown
            .contains("{--again in 2024--}{++<U+001B>[2Jagain<U+001B>]0;pwned<U+0007> in 4202++}."),
        "{shown}"
    );
    assert!(
        shown.contains("Justification: <U+001B>[8mhidden"),
        "{shown}"
    );
    // The file keeps the wording exactly as proposed.
    let file = env.read("repo/amendments/TUR/TUR-1.yaml");
    let amendment: serde_yaml::Value = serde_yaml::from_str(&file).unwrap();
    assert_eq!(amendment["text"].as_str(), Some(hostile));
    let redline = env.decl("repo", &["compile"]).success().stdout;
    assert!(!redline.contains('\x1b'), "{redline:?}");
}
