//! Word documents (docx-rs): a redline with real tracked changes.
//!
//! Each insertion is a `w:ins` and each deletion a `w:del`, authored by the delegation whose
//! amendment made it and dated when it was applied, so a reviewer can open the file in Word or
//! LibreOffice and accept or reject each change.

use docx_rs::{
    AlignmentType, Delete, Docx, Header, Insert, LineSpacing, Paragraph, Run, RunFonts,
    SpecialIndentType,
};

use super::emphasis::{RunKind, StyledRun};
use super::redline_doc::{ClauseView, RedlineView};

#[derive(Debug, thiserror::Error)]
#[error("could not write the Word document: {0}")]
pub struct DocxError(String);

const BODY_SIZE: usize = 24; // half-points: 12 pt
const NOTE_SIZE: usize = 18;
/// Twentieths of a point: the hanging indent of the paragraph number.
const LABEL_INDENT: i32 = 2160;
const SUB_INDENT: i32 = 2880;

/// A redline as a `.docx` with tracked changes.
pub fn redline_docx(view: &RedlineView, fallback_author: &str) -> Result<Vec<u8>, DocxError> {
    let mut docx = Docx::new()
        .default_fonts(
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
                .cs("Times New Roman")
                .east_asia("Times New Roman"),
        )
        .default_size(BODY_SIZE)
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_safe_text(&view.symbol).size(NOTE_SIZE)),
            ),
        );
    docx = docx
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_safe_text(&view.title).bold().size(28)),
        )
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(
            Run::new().add_safe_text(format!(
                "{}: {} compared with {}",
                view.heading, view.from_label, view.to_label
            )),
        ))
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .add_safe_text(&view.summary)
                    .size(NOTE_SIZE)
                    .color("555555"),
            ),
        );
    for part in &view.parts {
        if let Some(heading) = &part.heading {
            docx = docx
                .add_paragraph(Paragraph::new().add_run(Run::new().add_safe_text(heading).bold()));
        }
        for clause in &part.clauses {
            for paragraph in clause_paragraphs(clause, fallback_author) {
                docx = docx.add_paragraph(paragraph);
            }
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| DocxError(e.to_string()))?;
    Ok(bytes.into_inner())
}

fn clause_paragraphs(clause: &ClauseView, fallback_author: &str) -> Vec<Paragraph> {
    let author = clause.author.as_deref().unwrap_or(fallback_author);
    let date = clause.date.as_deref().unwrap_or("1970-01-01T00:00:00Z");
    let mut paragraphs = Vec::new();
    for (idx, line) in clause.lines.iter().enumerate() {
        let mut paragraph = if idx == 0 {
            Paragraph::new()
                .indent(
                    Some(LABEL_INDENT),
                    Some(SpecialIndentType::Hanging(LABEL_INDENT)),
                    None,
                    None,
                )
                .add_run(Run::new().add_safe_text(&clause.label).bold())
                .add_run(Run::new().add_tab())
        } else {
            Paragraph::new().indent(
                Some(SUB_INDENT),
                Some(SpecialIndentType::Hanging(720)),
                None,
                None,
            )
        };
        paragraph = paragraph
            .align(AlignmentType::Both)
            .line_spacing(LineSpacing::new().after(80));
        for run in line {
            paragraph = match run.kind {
                RunKind::Equal => {
                    paragraph.add_run(styled(Run::new().add_safe_text(&run.text), run))
                }
                RunKind::Inserted => paragraph.add_insert(
                    Insert::new(styled(Run::new().add_safe_text(&run.text), run))
                        .author(author)
                        .date(date),
                ),
                RunKind::Deleted => paragraph.add_delete(
                    Delete::new()
                        .add_run(styled(Run::new().add_safe_delete_text(&run.text), run))
                        .author(author)
                        .date(date),
                ),
            };
        }
        paragraphs.push(paragraph);
    }
    for note in clause.notes.iter().chain(&clause.attribution) {
        paragraphs.push(
            Paragraph::new()
                .indent(Some(LABEL_INDENT), None, None, None)
                .line_spacing(LineSpacing::new().after(40))
                .add_run(
                    Run::new()
                        .add_safe_text(note)
                        .size(NOTE_SIZE)
                        .color("555555"),
                ),
        );
    }
    paragraphs
}

fn styled(mut docx_run: Run, run: &StyledRun) -> Run {
    if run.italic {
        docx_run = docx_run.italic();
    }
    if run.bold {
        docx_run = docx_run.bold();
    }
    docx_run
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
    let mut docx = Docx::new()
        .default_fonts(
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
                .cs("Times New Roman")
                .east_asia("Times New Roman"),
        )
        .default_size(BODY_SIZE)
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
trait SafeText {
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
