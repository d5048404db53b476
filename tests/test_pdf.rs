//! `decl export --format pdf` and `decl redline --format pdf`: the text read back with poppler
//! (`pdftotext`, `pdffonts`), in order and numbered, fonts embedded, hostile text kept as text.

use std::process::Command;

use crate::common::{TestEnv, tool_available};

/// The text of a PDF in reading order, pages separated by form feeds.
fn pdf_text(path: &std::path::Path) -> String {
    pdftotext(path, &[])
}

/// The text of a PDF in the order of its content, which is the order a screen reader follows
/// through its tags (`pdftotext -raw`): words too small to see come where they stand.
fn pdf_text_in_content_order(path: &std::path::Path) -> String {
    pdftotext(path, &["-raw"])
}

fn pdftotext(path: &std::path::Path, options: &[&str]) -> String {
    let output = Command::new("pdftotext")
        .args(options)
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success(), "pdftotext failed on {path:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Asserts that `pdffonts` lists fonts and every one of them is embedded.
fn assert_fonts_embedded(path: &std::path::Path) {
    let output = Command::new("pdffonts").arg(path).output().unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "no fonts in {path:?}: {listing}");
    for font in fonts {
        // Columns: name, type (two words), encoding, emb, sub, uni, object, generation.
        let columns: Vec<&str> = font.split_whitespace().collect();
        let emb = columns[columns.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {font}");
    }
}

/// Asserts that `needles` occur in `text` in this order.
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("{needle:?} missing or out of order after byte {from}:\n{text}"),
        }
    }
}

#[test]
fn the_adopted_text_as_an_official_document() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl("d", &["export", "--format", "pdf", "-o", "declaration.pdf"])
        .success();
    let path = env.root().join("d/declaration.pdf");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // Accessible: tagged, PDF/UA-1 declared, title and language set.
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("/MarkInfo"), "a tagged PDF");
    assert!(raw.contains("pdfuaid:part>1<"), "PDF/UA-1 declared");
    assert!(raw.contains("/Lang"), "the document's language is set");
    if !tool_available("pdftotext") {
        return;
    }
    let text = pdf_text(&path);
    let mut order = vec![
        "DHLC/2022/1",
        "Distr.: General",
        "19 October 2022",
        "International High-Level Conference",
        "Dushanbe Declaration on Border Security",
        "We, the Ministers",
        "Reaffirming our commitment",
    ];
    let numbers: Vec<String> = (1..=29).map(|n| format!("\n{n}.\n")).collect();
    order.extend(numbers.iter().map(String::as_str));
    assert_in_order(&text, &order);
    assert_in_order(&text, &["\n12.\n", "(a)", "(b)", "(e)", "\n13.\n"]);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() > 1, "{text}");
    for (idx, page) in pages.iter().enumerate().skip(1) {
        assert!(
            page.contains("DHLC/2022/1"),
            "running header on page {}",
            idx + 1
        );
        assert!(
            page.contains(&format!("\n{}\n", idx + 1)),
            "page number {}",
            idx + 1
        );
    }
    assert!(!text.contains("DRAFT"));
    assert_fonts_embedded(&path);
    insta::assert_snapshot!("export_pdf_text", text);
}

#[test]
fn the_russian_text_a_draft_and_the_archive_copy() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl(
        "d",
        &["export", "--format", "pdf", "--lang", "ru", "-o", "ru.pdf"],
    )
    .success();
    env.decl(
        "d",
        &[
            "export",
            "--format",
            "pdf",
            "--rev",
            "rev1",
            "--draft",
            "-o",
            "draft.pdf",
        ],
    )
    .success();
    env.decl(
        "d",
        &[
            "export",
            "--format",
            "pdf",
            "--archive",
            "-o",
            "archive.pdf",
        ],
    )
    .success();
    let archive = std::fs::read(env.root().join("d/archive.pdf")).unwrap();
    let raw = String::from_utf8_lossy(&archive);
    assert!(raw.contains("pdfaid:part>2<") && raw.contains("pdfaid:conformance>A<"));
    assert!(raw.contains("pdfuaid:part>1<"));
    env.decl("d", &["export", "--format", "md", "--archive"])
        .failure();
    if !tool_available("pdftotext") {
        return;
    }
    let ru_path = env.root().join("d/ru.pdf");
    let ru = pdf_text(&ru_path);
    assert_in_order(
        &ru,
        &[
            "DHLC/2022/1",
            "Russian",
            "Original: English",
            "Душанбе",
            "\n1.\n",
            "\n29.\n",
        ],
    );
    assert_fonts_embedded(&ru_path);
    insta::assert_snapshot!("export_pdf_ru_text", ru);
    let draft = pdf_text(&env.root().join("d/draft.pdf"));
    let pages: Vec<&str> = draft
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    for (idx, page) in pages.iter().enumerate() {
        assert!(page.contains("DRAFT (Rev.1)"), "DRAFT on page {}", idx + 1);
    }
}

#[test]
fn the_redline_as_a_legal_comparison() {
    let env = TestEnv::new();
    env.dushanbe("d");
    env.decl(
        "d",
        &[
            "redline",
            "zero-draft",
            "adopted",
            "--format",
            "pdf",
            "-o",
            "redline.pdf",
        ],
    )
    .success();
    let path = env.root().join("d/redline.pdf");
    if !tool_available("pdftotext") {
        return;
    }
    let text = pdf_text(&path);
    assert_in_order(
        &text,
        &[
            "Redline: Zero draft compared with Adopted text",
            "Key.",
            "underlined in green",
            "struck",
            "Preamble",
            "PP 2",
            "Operative part",
        ],
    );
    assert!(
        text.contains("TUR-1: proposed by Republic of Türkiye."),
        "each change attributed to its delegation in a footnote"
    );
    assert_fonts_embedded(&path);
    // A screen reader is told what is deleted and what inserted, not only shown a colour.
    let read_aloud = pdf_text_in_content_order(&path);
    assert!(
        read_aloud.contains(
            "[deleted: trade; end of deletion] [inserted: trafficking; end of insertion]"
        ),
        "{read_aloud}"
    );
    insta::assert_snapshot!("redline_pdf_text", read_aloud);
}

#[test]
fn hostile_wording_prints_as_text_and_missing_glyphs_are_named() {
    let env = TestEnv::new();
    env.small("repo");
    let hostile = r#"#set page(fill: red) *bold* _it_ [ ] $x^2$ <lbl> @lbl \ // no comment /* nor this */ #panic("boom") `raw` = heading"#;
    let quoted = serde_json::to_string(hostile).unwrap();
    env.write(
        "repo/clauses/op-follow-up.yaml",
        &format!("kind: operative\nstatus: draft\ntext: {quoted}\n"),
    );
    env.write(
        "repo/declaration.yaml",
        &env.read("repo/declaration.yaml").replace(
            "title: Test Declaration on Border Cooperation",
            "title: \"#strong[Injected] $ \\\\\"",
        ),
    );
    env.git("repo", &["commit", "-qam", "Hostile text"])
        .success();
    env.decl(
        "repo",
        &[
            "export", "--rev", "HEAD", "--draft", "--format", "pdf", "-o", "h.pdf",
        ],
    )
    .success();
    if tool_available("pdftotext") {
        let text = pdf_text(&env.root().join("repo/h.pdf"));
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for piece in [
            // `*bold*` is the clause's own emphasis; `_it_` and backticks are text, as
            // everything but decl's emphasis is.
            "#set page(fill: red) bold _it_ [ ] $x^2$ <lbl> @lbl \\ // no comment /* nor this */",
            "#panic(\"boom\") `raw` = heading",
            "#strong[Injected] $ \\",
        ] {
            assert!(flat.contains(piece), "{piece:?} not in:\n{flat}");
        }
    }
    // A character no embedded font has: refused with the paragraph named, nothing written.
    env.write(
        "repo/clauses/op-follow-up.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Welcome* the 北京 meeting\"\n",
    );
    env.git("repo", &["commit", "-qam", "Chinese characters"])
        .success();
    let output = env
        .decl(
            "repo",
            &[
                "export", "--rev", "HEAD", "--draft", "--format", "pdf", "-o", "cjk.pdf",
            ],
        )
        .failure();
    assert!(output.stderr.contains("北 (U+5317)"), "{}", output.stderr);
    assert!(output.stderr.contains("op-follow-up"), "{}", output.stderr);
    assert!(!env.root().join("repo/cjk.pdf").exists());
}

#[test]
fn a_repository_template_replaces_the_built_in_one() {
    let env = TestEnv::new();
    env.small("repo");
    env.write(
        "repo/templates/export.typ",
        "#let data = json(\"/data.json\")\n#set document(title: data.title)\n#set text(lang: data.lang)\nOwn layout: #data.symbol\n",
    );
    env.decl(
        "repo",
        &[
            "export", "--rev", "HEAD", "--draft", "--format", "pdf", "-o", "own.pdf",
        ],
    )
    .success();
    if tool_available("pdftotext") {
        let text = pdf_text(&env.root().join("repo/own.pdf"));
        assert!(text.contains("Own layout:"), "{text}");
    }
    env.write("repo/templates/export.typ", "Broken #(1 +\n");
    let output = env
        .decl(
            "repo",
            &[
                "export", "--rev", "HEAD", "--draft", "--format", "pdf", "-o", "x.pdf",
            ],
        )
        .failure();
    assert!(
        output.stderr.contains("template export.typ: line 1:"),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("check the template in templates/"),
        "{}",
        output.stderr
    );
    assert!(!env.root().join("repo/x.pdf").exists());
}

/// Arabic, right to left: the PDF sets it in the embedded Arabic font with the numbering on the
/// right, and the HTML export says `dir="rtl"`.
#[test]
fn the_arabic_text_reads_right_to_left() {
    let env = TestEnv::new();
    env.small("repo");
    env.write(
        "repo/declaration.yaml",
        &env.read("repo/declaration.yaml")
            .replace("languages: [en]", "languages: [en, ar]"),
    );
    env.git(
        "repo",
        &["commit", "-qam", "Arabic is a language of the text"],
    )
    .success();
    let arabic: &[(&str, &str)] = &[
        (
            "declaration",
            "title: إعلان تجريبي بشأن التعاون في مجال الحدود\nshort_title: إعلان تجريبي\n\
             conference: مؤتمر تجريبي\nplace: دوشانبي\nchapeau: نحن الوزراء، المجتمعين في دوشانبي،\n",
        ),
        (
            "pp-charter",
            "text: \"*إذ نشير* إلى ميثاق الأمم المتحدة،\"\n",
        ),
        (
            "op-borders",
            "text: \"*نهيب* بجميع الدول أن تعزز الرقابة على الحدود وأن تتعاون تعاونا وثيقا؛\"\n",
        ),
        (
            "op-data",
            "text: \"*نشجع* تبادل المعلومات المسبقة عن المسافرين [وبيانات سجلات أسماء المسافرين]:\"\n\
             subparagraphs:\n  - مع الاحترام الكامل لحقوق الإنسان؛\n  - وفقا للقانون الوطني؛\n",
        ),
        (
            "op-follow-up",
            "text: \"*نقرر* أن نجتمع مرة أخرى في عام 2024.\"\n",
        ),
    ];
    for (name, body) in arabic {
        env.write(&format!("ar/{name}.yaml"), body);
    }
    let dir = env.root().join("ar");
    env.decl(
        "repo",
        &[
            "translation",
            "import",
            "ar",
            dir.to_str().unwrap(),
            "--as",
            "UNOCT",
        ],
    )
    .success();
    for (format, name) in [("pdf", "ar.pdf"), ("html", "ar.html")] {
        env.decl(
            "repo",
            &[
                "export", "--lang", "ar", "--draft", "--format", format, "-o", name,
            ],
        )
        .success();
    }
    let html = env.read("repo/ar.html");
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    let path = env.root().join("repo/ar.pdf");
    if !tool_available("pdftotext") {
        return;
    }
    assert_fonts_embedded(&path);
    let fonts = Command::new("pdffonts").arg(&path).output().unwrap();
    assert!(String::from_utf8_lossy(&fonts.stdout).contains("Amiri"));
    // pdftotext marks each run's direction with Unicode embedding controls; a reader
    // would not see them.
    let text: String = pdf_text(&path)
        .chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'))
        .collect();
    assert_in_order(
        &text,
        &[
            "Arabic",
            "Original: English",
            "دوشانبي",
            "ميثاق الأمم المتحدة",
        ],
    );
    for word in [
        "نهيب",
        "الحدود",
        "نجتمع",
        "2024",
        "تشرين الأول/أكتوبر",
        "(أ)",
        "(ب)",
    ] {
        assert!(text.contains(word), "{word} not in:\n{text}");
    }
    // Right to left: the paragraph number stands at the right margin, the text to its left.
    let layout = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let layout = String::from_utf8_lossy(&layout.stdout);
    let line = layout
        .lines()
        .find(|l| l.contains("نهيب"))
        .unwrap_or_else(|| panic!("no line with the first operative paragraph:\n{layout}"));
    let number = line
        .rfind('1')
        .unwrap_or_else(|| panic!("no paragraph number: {line:?}\n{layout}"));
    let word = line.find("نهيب").unwrap();
    assert!(number > word, "the number is not on the right: {line:?}");
}
