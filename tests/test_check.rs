//! `decl check`: every kind of invalid input is refused as `file:line:col: message`, all of
//! them at once, and a failing check changes nothing.

use crate::common::TestEnv;

fn check_after(edit: impl FnOnce(&TestEnv)) -> String {
    let env = TestEnv::new();
    env.small("repo");
    edit(&env);
    let before = env.state("repo");
    let output = env.decl("repo", &["check"]).failure();
    assert_eq!(env.state("repo"), before, "check changed the repository");
    output.stdout
}

#[test]
fn a_valid_repository_passes() {
    let env = TestEnv::new();
    env.small("repo");
    assert_eq!(
        env.decl("repo", &["check"]).success().stdout,
        "ok: no problems found\n"
    );
}

#[test]
fn malformed_yaml() {
    let out = check_after(|env| {
        env.write(
            "repo/clauses/op-data.yaml",
            "kind: operative\nstatus: [draft\ntext: x\n",
        )
    });
    assert!(
        out.starts_with("clauses/op-data.yaml:3:5: invalid YAML: "),
        "{out}"
    );
}

#[test]
fn wrong_type() {
    let out = check_after(|env| {
        env.write(
            "repo/clauses/op-data.yaml",
            "kind: operative\nstatus: draft\ntext: x\nsubparagraphs: 12\n",
        )
    });
    assert_eq!(
        out,
        "clauses/op-data.yaml:4:16: subparagraphs: invalid type: integer `12`, expected a sequence\n"
    );
}

#[test]
fn unknown_status_value() {
    let out = check_after(|env| {
        env.write(
            "repo/clauses/op-data.yaml",
            "kind: operative\nstatus: finished\ntext: x\n",
        )
    });
    assert!(
        out.starts_with("clauses/op-data.yaml:2:9: status: unknown variant `finished`"),
        "{out}"
    );
}

#[test]
fn unknown_field() {
    let out = check_after(|env| {
        env.write(
            "repo/clauses/op-data.yaml",
            "kind: operative\nstatus: draft\ntxt: x\ntext: y\n",
        )
    });
    assert!(
        out.starts_with("clauses/op-data.yaml:3:1: unknown field `txt`, expected one of"),
        "{out}"
    );
}

#[test]
fn duplicate_key() {
    let out = check_after(|env| {
        env.write(
            "repo/clauses/op-data.yaml",
            "kind: operative\nstatus: draft\ntext: x\ntext: y\n",
        )
    });
    assert_eq!(out, "clauses/op-data.yaml:4:1: duplicate key `text`\n");
}

#[test]
fn duplicate_id_in_the_order() {
    let out = check_after(|env| {
        let text = env
            .read("repo/declaration.yaml")
            .replace("  - op-follow-up\n", "  - op-follow-up\n  - op-borders\n");
        env.write("repo/declaration.yaml", &text);
    });
    assert_eq!(
        out,
        "declaration.yaml:17:5: clause op-borders is listed twice in the order (first at operative[0])\n"
    );
}

#[test]
fn dangling_order_entry_suggests_the_near_match() {
    let out = check_after(|env| {
        let text = env
            .read("repo/declaration.yaml")
            .replace("  - op-data\n", "  - op-dta\n");
        env.write("repo/declaration.yaml", &text);
    });
    assert_eq!(
        out,
        "clauses/op-data.yaml:1:1: clause op-data is not in the order: add it to `operative` in declaration.yaml\n\
         declaration.yaml:15:5: the order lists clause op-dta, but there is no clauses/op-dta.yaml; did you mean op-data?\n"
    );
}

#[test]
fn unsafe_ids_are_refused_wherever_they_appear() {
    for (bad, reason) in [
        ("../x", "it contains a dot"),
        ("a/b", "it contains a path separator"),
        ("op x", "it contains white space"),
        ("\"\"", "it is empty"),
        ("\"op\\u0007\"", "control character"),
    ] {
        let out = check_after(|env| {
            let text = env.read("repo/declaration.yaml").replace(
                "  - op-follow-up\n",
                &format!("  - op-follow-up\n  - {bad}\n"),
            );
            env.write("repo/declaration.yaml", &text);
        });
        assert!(
            out.starts_with("declaration.yaml:17:5: operative[3]: clause id"),
            "{bad}: {out}"
        );
        assert!(out.contains(reason), "{bad}: {out}");
    }
    let out = check_after(|env| {
        env.write(
            "repo/clauses/Op Two.yaml",
            "kind: operative\nstatus: draft\ntext: x\n",
        )
    });
    assert!(
        out.starts_with(
            "clauses/Op Two.yaml:1:1: the file name is not a valid clause id \"Op Two\""
        ),
        "{out}"
    );
}

#[test]
fn clause_missing_from_the_order_and_kind_mismatch() {
    let out = check_after(|env| {
        env.write(
            "repo/clauses/pp-extra.yaml",
            "kind: operative\nstatus: draft\ntext: x\n",
        )
    });
    assert_eq!(
        out,
        "clauses/pp-extra.yaml:1:1: clause pp-extra is not in the order: add it to `operative` in declaration.yaml\n"
    );
    let out = check_after(|env| {
        env.write(
            "repo/clauses/pp-charter.yaml",
            "kind: operative\nstatus: draft\ntext: x\n",
        )
    });
    assert_eq!(
        out,
        "clauses/pp-charter.yaml:1:7: clause pp-charter is operative but is listed in the preamble part of declaration.yaml\n"
    );
}

#[test]
fn unbalanced_brackets() {
    let out = check_after(|env| {
        env.write("repo/clauses/op-data.yaml", "kind: operative\nstatus: draft\ntext: x\nsubparagraphs:\n  - fine\n  - \"[not closed\"\n")
    });
    assert_eq!(
        out,
        "clauses/op-data.yaml:6:5: unbalanced square bracket: the opening '[' at character 1 has no partner\n"
    );
}

#[test]
fn every_problem_is_listed_not_only_the_first() {
    let env = TestEnv::new();
    env.small("repo");
    env.write(
        "repo/clauses/op-data.yaml",
        "kind: operative\nstatus: draft\ntxt: x\n",
    );
    env.write(
        "repo/clauses/op-borders.yaml",
        "kind: operative\nstatus: draft\ntext: \"a ] b\"\n",
    );
    env.write(
        "repo/delegations.yaml",
        &crate::common::SMALL_DELEGATIONS.replace("code: QAT", "code: TUR"),
    );
    let output = env.decl("repo", &["check"]).failure();
    insta::assert_snapshot!(output.normalized(&env), @"
    clauses/op-borders.yaml:3:7: unbalanced square bracket: the closing ']' at character 3 has no partner
    clauses/op-data.yaml:3:1: unknown field `txt`, expected one of `kind`, `status`, `text`, `subparagraphs`, `notes`
    delegations.yaml:11:11: delegation TUR is listed twice
    [stderr]
    error: 3 problems found
    [exit 1]
    ");
}

#[test]
fn an_amendment_by_an_unknown_delegation_and_a_status_that_contradicts_its_record() {
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
    let text = env
        .read("repo/amendments/TUR/TUR-1.yaml")
        .replace("status: tabled", "status: accepted")
        .replace("by: TUR", "by: TRU");
    env.write("repo/amendments/TUR/TUR-1.yaml", &text);
    let out = env.decl("repo", &["check"]).failure().stdout;
    assert!(
        out.contains(
            "amendments/TUR/TUR-1.yaml:8:9: the status says accepted but the record says tabled"
        ),
        "{out}"
    );
    assert!(
        out.contains("amendments/TUR/TUR-1.yaml:11:7: unknown delegation TRU; did you mean TUR?"),
        "{out}"
    );
}

#[test]
fn a_misplaced_amendment_file_is_named_with_where_it_belongs() {
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
    let text = env.read("repo/amendments/TUR/TUR-1.yaml");
    // As decl wrote amendments before they had a folder per proposer, and in a wrong folder.
    env.write("repo/amendments/TUR-1.yaml", &text);
    env.write("repo/amendments/QAT/TUR-1.yaml", &text);
    env.write("repo/amendments/TUR/notes.txt", "x");
    let out = env.decl("repo", &["check"]).failure().stdout;
    for expected in [
        "amendments/TUR-1.yaml:1:1: amendments are kept in their proposer's folder: move this file to amendments/TUR/TUR-1.yaml",
        "amendments/QAT/TUR-1.yaml:1:1: TUR-1 is proposed by TUR: move this file to amendments/TUR/TUR-1.yaml",
        "amendments/TUR/notes.txt:1:1: amendment files must end in .yaml",
    ] {
        assert!(out.contains(expected), "{expected}\nnot in\n{out}");
    }
}

#[test]
fn check_reads_any_revision_and_a_bad_name_suggests_a_tag() {
    let env = TestEnv::new();
    env.small("repo");
    env.write("repo/clauses/op-data.yaml", "nonsense: [");
    env.decl("repo", &["check", "--rev", "HEAD"]).success();
    let output = env.decl("repo", &["check", "--rev", "zero-drat"]).failure();
    assert_eq!(
        output.stderr,
        "error: unknown revision \"zero-drat\"; did you mean zero-draft?\n"
    );
}

#[test]
fn outside_a_repository_the_error_says_how_to_make_one() {
    let env = TestEnv::new();
    env.write("plain/readme.txt", "hello");
    let output = env.decl("plain", &["check"]).failure();
    assert!(
        output.stderr.contains("not a declaration repository"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("hint: `decl init DIR`"),
        "{}",
        output.stderr
    );
}

#[test]
fn style_checks_name_the_paragraph() {
    let env = TestEnv::new();
    env.small("repo");
    env.write(
        "repo/clauses/pp-charter.yaml",
        "kind: preambular\nstatus: agreed\ntext: Recalling the Charter of the United Nations;\n",
    );
    env.write("repo/clauses/op-borders.yaml", "kind: operative\nstatus: draft\ntext: \"*Calls upon* all States to exchange PNR data and to work with Turkey\"\n");
    env.write(
        "repo/clauses/op-follow-up.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Decide* to meet again in Türkiye in 2024;\"\n",
    );
    let output = env.decl("repo", &["check", "--style"]).success();
    insta::assert_snapshot!(output.normalized(&env), @r#"
    warning: PP 1 (pp-charter): should open with an italicised participle or adjective, e.g. *Recalling*
    warning: PP 1 (pp-charter): should end with a comma
    warning: OP 1 (op-borders): opens with *Calls upon*: a declaration speaks in the first person (*Call upon*, not *Calls upon*)
    warning: OP 1 (op-borders): should end with a semicolon
    warning: OP 3 (op-follow-up): is the last operative paragraph, so it should end with a full stop
    warning: OP 1 (op-borders): PNR is used before it is spelled out: write the name in full at its first use, then (PNR)
    warning: "Türkiye" (OP 3) and "Turkey" (OP 1) are both used: spell the term one way throughout
    7 style warnings
    "#);
    // The structural check alone does not look at style.
    assert_eq!(
        env.decl("repo", &["check"]).success().stdout,
        "ok: no problems found\n"
    );
}

/// A repository large enough for the parse cache (`.git/decl/cache/`): a second read takes
/// the cached clauses, an edited file is read afresh, and a broken one is reported with its
/// position however often it is read, while the cache is there.
#[test]
fn the_parse_cache_never_hides_an_edit_or_a_fault() {
    let env = TestEnv::new();
    env.small("repo");
    let mut declaration = env.read("repo/declaration.yaml");
    let mut ids = String::new();
    for n in 1..=80 {
        let id = format!("op-extra-{n}");
        env.write(
            &format!("repo/clauses/{id}.yaml"),
            &format!("kind: operative\nstatus: draft\ntext: \"*Decide* point {n};\"\n"),
        );
        ids.push_str(&format!("  - {id}\n"));
    }
    declaration.push_str(&ids);
    env.write("repo/declaration.yaml", &declaration);
    env.git("repo", &["add", "-A"]).success();
    env.git("repo", &["commit", "-qm", "Eighty more paragraphs"])
        .success();
    for _ in 0..2 {
        env.decl("repo", &["check"]).success();
    }
    assert!(
        env.root()
            .join("repo/.git/decl/cache/clauses.json")
            .exists()
    );
    env.write(
        "repo/clauses/op-extra-7.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Decide* something else;\"\n",
    );
    let shown = env.decl("repo", &["show", "op-extra-7"]).success().stdout;
    assert!(shown.contains("something else"), "{shown}");
    env.write(
        "repo/clauses/op-extra-7.yaml",
        "kind: operative\nstatus: draft\ntext: [unclosed\n",
    );
    for _ in 0..2 {
        let output = env.decl("repo", &["check"]).failure();
        assert!(
            output.stdout.contains("clauses/op-extra-7.yaml:"),
            "{}",
            output.stdout
        );
    }
    // A cache written by another version, or mangled, is ignored rather than believed.
    env.write("repo/.git/decl/cache/clauses.json", "{ mangled");
    env.write(
        "repo/clauses/op-extra-7.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Decide* point 7;\"\n",
    );
    env.decl("repo", &["check"]).success();
}
