//! Unit tests of the PDF back end: font coverage per script, the missing-glyph message, and
//! where a broken template is reported.

use super::*;
use crate::render::inline::InlineRun;

fn run(text: &str) -> InlineRun {
    InlineRun {
        text: text.to_owned(),
        italic: false,
        bold: false,
    }
}

#[test]
fn the_embedded_fonts_cover_latin_cyrillic_and_arabic() {
    let texts = vec![(
        "OP 1".to_owned(),
        "Côte d'Ivoire, Türkiye, Şahin — Россия, Таджикистан — الأمم المتحدة".to_owned(),
    )];
    check_glyphs(&texts).unwrap();
}

#[test]
fn text_no_font_covers_is_refused_with_its_place() {
    let texts = vec![
        ("OP 1 (op-a)".to_owned(), "plain".to_owned()),
        ("OP 2 (op-b)".to_owned(), "北京 and 🙂".to_owned()),
    ];
    let error = check_glyphs(&texts).unwrap_err().to_string();
    assert!(error.contains("北 (U+5317)"), "{error}");
    assert!(error.contains("OP 2 (op-b)"), "{error}");
    assert!(!error.contains("OP 1"), "{error}");
}

#[test]
fn a_broken_override_names_the_template_and_line() {
    #[derive(Serialize)]
    struct Nothing {}
    let error = compile(
        "export.typ",
        Some("Hello\n#undefined-thing"),
        &Nothing {},
        PdfStandard::Accessible,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("template export.typ: line 2: "),
        "{error}"
    );
    let _ = run;
}
