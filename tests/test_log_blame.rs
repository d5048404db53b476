//! `decl log` and `decl blame`: where each word of a clause came from.

use crate::common::TestEnv;

#[test]
fn log_and_blame_follow_one_clause() {
    let mut env = TestEnv::new();
    env.small("repo");
    env.at("2022-09-12T10:00:00+05:00");
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
            "2025 in Dushanbe",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "TUR-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev1", "--as", "UNOCT"])
        .success();
    env.at("2022-09-20T10:00:00+05:00");
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
            "convene a fourth conference",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    env.decl("repo", &["revision", "cut", "rev2", "--as", "UNOCT"])
        .success();
    env.decl(
        "repo",
        &["clause", "mark", "agreed", "op-follow-up", "--as", "TJK"],
    )
    .success();

    let log = env.decl("repo", &["log", "op-follow-up"]).success().stdout;
    let headers: Vec<&str> = log
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .map(|l| &l[11..])
        .collect();
    insta::assert_snapshot!(headers.join("\n"), @"
    2022-09-20 10:00 +05:00  Republic of Tajikistan
    2022-09-20 10:00 +05:00  United Nations Office of Counter-Terrorism  [rev2]
    2022-09-12 10:00 +05:00  United Nations Office of Counter-Terrorism  [rev1]
    2022-09-01 10:00 +05:00  Test
    ");
    assert!(
        log.contains("    QAT-1 by State of Qatar, applied\n"),
        "{log}"
    );
    assert!(
        log.contains(
            "Decide to {--meet again--}{++convene a fourth conference++} in 2025 in Dushanbe."
        ),
        "{log}"
    );
    assert!(log.contains("status: draft -> agreed"), "{log}");

    let blame = env
        .decl("repo", &["blame", "op-follow-up"])
        .success()
        .stdout;
    insta::assert_snapshot!(blame, @"
    Test (148c565af9) | *Decide* to
    QAT-1 QAT in rev2 | convene a fourth conference
    Test (148c565af9) | in
    TUR-1 TUR in rev1 | 2025 in Dushanbe
    Test (148c565af9) | .
    ");
}

#[test]
fn blame_on_the_dushanbe_draft_names_amendments_and_the_zero_draft() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let blame = env.decl("d", &["blame", "op-api"]).success().stdout;
    assert!(
        blame.contains("United Nations Office of Counter-Terrorism (zero-draft)"),
        "{blame}"
    );
    assert!(blame.lines().any(|l| l.contains(" in rev")), "{blame}");
    let output = env.decl("d", &["blame", "op-apii"]).failure();
    assert!(
        output.stderr.contains("did you mean op-api?"),
        "{}",
        output.stderr
    );
}

/// `git gc` writes a commit-graph, from which decl then reads each commit's tree instead of
/// the commit: the history it finds must be the same, with the graph written by the git
/// version of the machine (decl asks for version 1 graphs, which libgit2 also reads).
#[test]
fn log_and_blame_read_the_same_history_through_gits_commit_graph() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let generation = env.git("d", &["config", "commitGraph.generationVersion"]);
    assert_eq!(generation.stdout.trim(), "1");
    let histories = || -> Vec<String> {
        [
            "op-api",
            "pp-charter",
            "op-information-sharing",
            "op-watch-lists",
        ]
        .iter()
        .flat_map(|clause| {
            [
                env.decl("d", &["log", clause]).success().stdout,
                env.decl("d", &["blame", clause]).success().stdout,
            ]
        })
        .collect()
    };
    let before = histories();
    assert!(before[0].lines().count() > 2, "{}", before[0]);
    // A graph of the older commits only: the newer ones are read from the commits.
    let written = std::process::Command::new("sh")
        .arg("-c")
        .arg("git rev-parse HEAD~5 | git commit-graph write --stdin-commits")
        .current_dir(env.root().join("d"))
        .output()
        .unwrap();
    assert!(written.status.success(), "{written:?}");
    assert!(env.root().join("d/.git/objects/info/commit-graph").exists());
    assert_eq!(histories(), before);
    env.git("d", &["commit-graph", "write", "--reachable"]);
    assert_eq!(histories(), before);
}

#[test]
fn the_chairs_modified_wording_is_credited_to_the_chair_in_blame_log_redline_and_amend_show() {
    let env = TestEnv::new();
    env.dushanbe("d");
    // RUS-3 proposed "as well as" the CIS and the CSTO; the chair, accepting it as modified,
    // added the Organization of Islamic Cooperation, which no delegation proposed.
    let blame = env
        .decl("d", &["blame", "op-international-cooperation"])
        .success()
        .stdout;
    let line_of = |words: &str| {
        blame
            .lines()
            .find(|line| line.contains(words))
            .unwrap_or_else(|| panic!("{words} not in {blame}"))
            .to_owned()
    };
    assert!(
        line_of("Organization of Islamic Cooperation")
            .starts_with("Chair, modifying RUS-3 in rev3"),
        "{blame}"
    );
    assert!(
        line_of("as well as").starts_with("RUS-3 RUS in rev3"),
        "{blame}"
    );

    let log = env
        .decl("d", &["log", "op-international-cooperation"])
        .success()
        .stdout;
    assert!(
        log.contains("RUS-3 by Russian Federation, applied as modified by the Chair (TJK)"),
        "{log}"
    );
    assert!(
        log.contains("{++, the Organization of Islamic Cooperation++}{>>Chair, modifying RUS-3<<}"),
        "{log}"
    );

    let redline = env
        .decl(
            "d",
            &[
                "redline",
                "rev2",
                "rev3",
                "--clause",
                "op-international-cooperation",
            ],
        )
        .success()
        .stdout;
    assert!(
        redline.contains("{++, as well as++}{>>RUS-3<<}")
            && redline.contains("{>>Chair, modifying RUS-3<<}"),
        "{redline}"
    );

    let show = env.decl("d", &["amend", "show", "RUS-3"]).success().stdout;
    let proposed = show
        .split("As proposed:")
        .nth(1)
        .expect("an as-proposed redline");
    let (proposed, applied) = proposed
        .split_once("As applied in rev3 (modified by the Chair):")
        .expect("an as-applied redline");
    assert!(!proposed.contains("Islamic"), "{show}");
    assert!(
        applied.contains("Organization of Islamic Cooperation++}{>>Chair, modifying RUS-3<<}"),
        "{show}"
    );
    env.decl(
        "d",
        &[
            "amend",
            "show",
            "RUS-3",
            "--format",
            "docx",
            "-o",
            "rus3.docx",
        ],
    )
    .success();
    let docx = std::fs::read(env.root().join("d/rus3.docx")).unwrap();
    let json: String = docx_rs::read_docx(&docx)
        .unwrap()
        .json()
        .split_whitespace()
        .collect();
    assert!(
        json.contains("\"author\":\"Chair,modifyingRUS-3\""),
        "no change by the chair"
    );
}
