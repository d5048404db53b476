//! `decl export`: every format of the adopted Dushanbe text, the refusals, and translations.

use crate::common::{TestEnv, tool_available};

#[test]
fn the_adopted_text_in_every_format() {
    let env = TestEnv::new();
    env.dushanbe("d");
    for (format, name) in [
        ("md", "export_md"),
        ("txt", "export_txt"),
        ("json", "export_json"),
        ("akn", "export_akn"),
        ("html", "export_html"),
    ] {
        let output = env
            .decl("d", &["export", "--format", format])
            .success()
            .stdout;
        insta::assert_snapshot!(name, output);
    }
    let txt = env
        .decl("d", &["export", "--format", "txt"])
        .success()
        .stdout;
    assert!(
        txt.lines().all(|line| line.chars().count() <= 80),
        "plain text is wrapped at 80 columns"
    );
    assert!(txt.contains("\n29.  "), "operative paragraphs are numbered");
    let json: serde_json::Value = serde_json::from_str(
        &env.decl("d", &["export", "--format", "json"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["operative"][0]["citation"], "OP 1");
    assert_eq!(json["operative"].as_array().unwrap().len(), 29);
}

#[test]
fn the_akoma_ntoso_export_validates_against_the_schema() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl("d", &["export", "--format", "akn", "-o", "declaration.xml"])
        .success();
    env.decl(
        "d",
        &[
            "export",
            "--format",
            "akn",
            "--lang",
            "ru",
            "-o",
            "declaration-ru.xml",
        ],
    )
    .success();
    env.decl(
        "d",
        &[
            "export", "--format", "akn", "--rev", "rev1", "--draft", "-o", "rev1.xml",
        ],
    )
    .success();
    if !tool_available("xmllint") {
        return;
    }
    let schema =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/akn/akomantoso30.xsd");
    if !schema.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Akoma Ntoso schema is missing beside the project"
        );
        return;
    }
    for file in ["declaration.xml", "declaration-ru.xml", "rev1.xml"] {
        let output = std::process::Command::new("xmllint")
            .args(["--noout", "--schema"])
            .arg(&schema)
            .arg(env.root().join("d").join(file))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_text_that_is_not_final_is_refused_with_what_stands_in_the_way() {
    let env = TestEnv::new();
    env.dushanbe("d");
    let before = env.state("d");
    let output = env.decl("d", &["export", "--rev", "rev2"]).failure();
    assert!(
        output
            .stderr
            .starts_with("error: Rev.2 is not ready to be issued as a final text:\n"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("  PP 1 (pp-charter) is agreed-ad-ref, not agreed\n")
            || output.stderr.contains("is draft, not agreed"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("square-bracketed span"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("hint: export it anyway, marked as a draft, with --draft")
    );
    assert_eq!(env.state("d"), before);
    let draft = env
        .decl(
            "d",
            &["export", "--rev", "rev2", "--draft", "--format", "md"],
        )
        .success()
        .stdout;
    assert!(draft.starts_with("**DRAFT (Rev.2)**"), "{draft}");

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
    let output = env.decl("repo", &["export"]).failure();
    assert_eq!(
        output.stderr,
        "error: there is no adopted text yet (no `adopted` revision)\nhint: name a revision with --rev, or export the working text with --draft\n"
    );
    let output = env.decl("repo", &["export", "--rev", "HEAD"]).failure();
    assert!(
        output
            .stderr
            .contains("  TUR-1 (delete OP 3) is still tabled\n"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("  OP 2 (op-data) still holds 1 square-bracketed span\n"),
        "{}",
        output.stderr
    );
    env.decl("repo", &["export", "--draft", "--format", "txt"])
        .success();
}

#[test]
fn the_russian_text_and_its_gaps() {
    let mut env = TestEnv::new();
    env.dushanbe("d");
    let ru = env
        .decl("d", &["export", "--lang", "ru", "--format", "txt"])
        .success()
        .stdout;
    insta::assert_snapshot!("export_ru_txt", ru);
    let html = env
        .decl("d", &["export", "--lang", "ru", "--format", "html"])
        .success()
        .stdout;
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"ru\" dir=\"ltr\">"),
        "{}",
        &html[..80]
    );
    let output = env.decl("d", &["export", "--lang", "ar"]).failure();
    assert_eq!(
        output.stderr,
        "error: ar is not one of the declaration's languages (en, ru)\n"
    );

    // A change to the source after the translation makes it out of date.
    env.at("2022-11-01T10:00:00+05:00");
    let text = env
        .read("d/clauses/op-transmit.yaml")
        .replacen("the present", "this", 1);
    env.write("d/clauses/op-transmit.yaml", &text);
    env.git("d", &["commit", "-qam", "Secretariat corrects OP 29"])
        .success();
    let output = env
        .decl("d", &["export", "--rev", "HEAD", "--lang", "ru"])
        .failure();
    assert!(
        output
            .stderr
            .contains("ru: op-transmit's translation is older than its current wording"),
        "{}",
        output.stderr
    );
}

#[test]
fn the_word_export_opens_and_has_numbered_paragraphs() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl(
        "d",
        &["export", "--format", "docx", "-o", "declaration.docx"],
    )
    .success();
    let bytes = std::fs::read(env.root().join("d/declaration.docx")).unwrap();
    let docx = docx_rs::read_docx(&bytes).expect("the DOCX parses back");
    let json: String = docx.json().split_whitespace().collect();
    assert!(
        json.contains("\"styleId\":\"Operative\""),
        "the Operative style is defined"
    );
    assert!(
        json.matches("\"numberingProperty\"").count() >= 29,
        "operative paragraphs carry Word numbering"
    );
    if tool_available("soffice") && tool_available("pdftotext") {
        let out = env.root().join("pdf");
        let status = std::process::Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}/lo-profile",
                env.root().display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&out)
            .arg(env.root().join("d/declaration.docx"))
            .output()
            .unwrap();
        assert!(status.status.success());
        let text = std::process::Command::new("pdftotext")
            .args(["-layout"])
            .arg(out.join("declaration.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("Dushanbe Declaration on Border Security"),
            "{text}"
        );
        // Word's own numbering, rendered by LibreOffice: "29." and "(a)" are not in the text runs.
        assert!(text.contains("29."), "{text}");
        assert!(text.contains("(a)"), "{text}");
    }
}

#[test]
fn the_html_export_loads_in_a_real_browser() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl(
        "d",
        &["export", "--format", "html", "-o", "declaration.html"],
    )
    .success();
    if !tool_available("chromium") {
        return;
    }
    let output = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}/chrome", env.root().display()))
        .arg("--dump-dom")
        .arg(format!(
            "file://{}/d/declaration.html",
            env.root().display()
        ))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("<h1 class=\"doc-title\">Dushanbe Declaration on Border Security"),
        "{dom}"
    );
    let items = dom.matches("<li id=\"para_").count();
    let points = dom.matches("__point_").count();
    assert_eq!(items - points, 29, "29 operative paragraphs in the DOM");
}

#[test]
fn a_template_given_on_the_command_line() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.write("mine.html", "{% extends \"base.html\" %}{% block body %}<h1>{{ title }}</h1>{% for p in operative %}<p>{{ p.num }}</p>{% endfor %}{% endblock body %}");
    let html = env
        .decl("d", &["export", "--template", "../mine.html"])
        .success()
        .stdout;
    assert!(html.contains("<p>29.</p>"), "{html}");
    let output = env
        .decl(
            "d",
            &["export", "--format", "md", "--template", "../mine.html"],
        )
        .failure();
    assert_eq!(
        output.stderr,
        "error: --template applies to --format html and --format pdf\n"
    );
}

/// Exports and the files decl writes in the repository are created like any other new file
/// (0666 less the umask), not private as temporary files are: a colleague on the same server
/// must be able to read the declaration.
#[cfg(unix)]
#[test]
fn written_files_get_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl(
        "d",
        &["export", "--format", "html", "-o", "declaration.html"],
    )
    .success();
    env.write("d/plain.txt", "a file made the ordinary way");
    let mode = |path: &str| {
        std::fs::metadata(env.root().join(path))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    let ordinary = mode("d/plain.txt");
    assert_eq!(mode("d/declaration.html"), ordinary);
    assert_eq!(mode("d/clauses/op-afghanistan.yaml"), ordinary);
}

#[test]
fn the_markdown_export_keeps_every_sub_paragraph_inside_the_numbered_list() {
    if !tool_available("pandoc") {
        return;
    }
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl("d", &["export", "--format", "md", "-o", "declaration.md"])
        .success();
    // OP 12 has sub-paragraphs: under "12." they must be indented four spaces, not three,
    // or a Markdown reader ends the list there and starts a new one at 1.
    let output = std::process::Command::new("pandoc")
        .args(["-f", "gfm", "-t", "html"])
        .arg(env.root().join("d/declaration.md"))
        .output()
        .unwrap();
    let html = String::from_utf8(output.stdout).unwrap();
    assert_eq!(html.matches("<ol").count(), 1, "{html}");
    assert!(html.contains("<p>(a) improving the marking"), "{html}");
}
