//! Word documents (docx-rs): the numbered final text, and what both Word writers share. The
//! redline, with its tracked changes, is `docx_redline`.

use docx_rs::{
    AlignmentType, Docx, Header, LineSpacing, Paragraph, Run, RunFonts, SpecialIndentType,
};

#[derive(Debug, thiserror::Error)]
#[error("could not write the Word document: {0}")]
pub struct DocxError(pub(super) String);

pub(super) const BODY_SIZE: usize = 24; // half-points: 12 pt
pub(super) const NOTE_SIZE: usize = 18;

/// A document in the house style: Times New Roman (for every script), 12 pt.
pub(super) fn new_document() -> Docx {
    Docx::new()
        .default_fonts(
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
                .cs("Times New Roman")
                .east_asia("Times New Roman"),
        )
        .default_size(BODY_SIZE)
}

/// The numbering that gives operative paragraphs "1." and sub-paragraphs "(a)". Ids start at
/// 2: docx-rs writes a numbering of its own with id 1.
const OPERATIVE_NUMBERING: usize = 2;

/// The final text as a `.docx` with real paragraph numbering and named styles, so that the
/// secretariat can keep editing it in Word without renumbering by hand.
pub fn export_docx(view: &super::export::ExportView) -> Result<Vec<u8>, DocxError> {
    use docx_rs::{
        AbstractNumbering, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
        NumberingId, Start, Style, StyleType,
    };
    let mut header = Header::new();
    if view.draft {
        header = header.add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .add_safe_text(format!("DRAFT ({})", view.revision))
                    .bold()
                    .color("A00000"),
            ),
        );
    }
    header = header.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().add_safe_text(&view.symbol).size(NOTE_SIZE)),
    );
    let styles = [
        Style::new("DeclTitle", StyleType::Paragraph)
            .name("Declaration title")
            .bold()
            .size(28)
            .align(AlignmentType::Center),
        Style::new("DeclHeading", StyleType::Paragraph)
            .name("Conference")
            .bold()
            .align(AlignmentType::Center),
        Style::new("Chapeau", StyleType::Paragraph)
            .name("Chapeau")
            .indent(None, Some(SpecialIndentType::FirstLine(720)), None, None),
        Style::new("Preambular", StyleType::Paragraph)
            .name("Preambular paragraph")
            .indent(None, Some(SpecialIndentType::FirstLine(720)), None, None)
            .align(AlignmentType::Both),
        Style::new("Operative", StyleType::Paragraph)
            .name("Operative paragraph")
            .align(AlignmentType::Both),
        Style::new("Subparagraph", StyleType::Paragraph)
            .name("Sub-paragraph")
            .align(AlignmentType::Both),
    ];
    let level = |idx: usize, format: &str, text: &str, left: i32| {
        Level::new(
            idx,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(
            Some(left),
            Some(SpecialIndentType::Hanging(720)),
            None,
            None,
        )
    };
    let mut docx = new_document()
        .header(header)
        .add_abstract_numbering(
            AbstractNumbering::new(OPERATIVE_NUMBERING)
                .add_level(level(0, "decimal", "%1.", 720))
                .add_level(level(1, "lowerLetter", "(%2)", 1440)),
        )
        .add_numbering(Numbering::new(OPERATIVE_NUMBERING, OPERATIVE_NUMBERING));
    for style in styles {
        docx = docx.add_style(style);
    }
    let spaced = |p: Paragraph| p.line_spacing(LineSpacing::new().after(160));
    let text_runs = |mut paragraph: Paragraph, runs: &[super::inline::InlineRun]| {
        for run in runs {
            let mut docx_run = Run::new().add_safe_text(&run.text);
            if run.italic {
                docx_run = docx_run.italic();
            }
            if run.bold {
                docx_run = docx_run.bold();
            }
            paragraph = paragraph.add_run(docx_run);
        }
        paragraph
    };
    docx = docx
        .add_paragraph(spaced(
            Paragraph::new()
                .style("DeclHeading")
                .add_run(Run::new().add_safe_text(&view.conference)),
        ))
        .add_paragraph(spaced(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_safe_text(format!("{}, {}", view.place, view.dates_text))),
        ))
        .add_paragraph(spaced(
            Paragraph::new()
                .style("DeclTitle")
                .add_run(Run::new().add_safe_text(&view.title)),
        ))
        .add_paragraph(spaced(text_runs(
            Paragraph::new().style("Chapeau"),
            &view.chapeau,
        )));
    for paragraph in &view.preamble {
        docx = docx.add_paragraph(spaced(text_runs(
            Paragraph::new().style("Preambular"),
            &paragraph.runs,
        )));
        for sub in &paragraph.subparagraphs {
            let lead = [super::inline::InlineRun {
                text: format!("{} ", sub.num),
                italic: false,
                bold: false,
            }];
            docx = docx.add_paragraph(spaced(text_runs(
                text_runs(Paragraph::new().style("Preambular"), &lead),
                &sub.runs,
            )));
        }
    }
    for paragraph in &view.operative {
        docx = docx.add_paragraph(spaced(
            text_runs(Paragraph::new().style("Operative"), &paragraph.runs)
                .numbering(NumberingId::new(OPERATIVE_NUMBERING), IndentLevel::new(0)),
        ));
        for sub in &paragraph.subparagraphs {
            docx = docx.add_paragraph(spaced(
                text_runs(Paragraph::new().style("Subparagraph"), &sub.runs)
                    .numbering(NumberingId::new(OPERATIVE_NUMBERING), IndentLevel::new(1)),
            ));
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| DocxError(e.to_string()))?;
    Ok(bytes.into_inner())
}

/// `Run::add_text` with the characters XML cannot hold (an escape sequence in a wording) shown
/// as `<U+001B>`: docx-rs writes them as they are, and Word then refuses the whole file.
pub(super) trait SafeText {
    fn add_safe_text(self, text: impl AsRef<str>) -> Self;
    fn add_safe_delete_text(self, text: impl AsRef<str>) -> Self;
}

impl SafeText for Run {
    fn add_safe_text(self, text: impl AsRef<str>) -> Self {
        self.add_text(super::akn::xml_safe(text.as_ref()))
    }

    fn add_safe_delete_text(self, text: impl AsRef<str>) -> Self {
        self.add_delete_text(super::akn::xml_safe(text.as_ref()))
    }
}
