//! PDF: the official document and the redline, typeset inside decl by the typst engine.
//!
//! A view ([`ExportView`], [`RedlineView`]) is serialised to JSON and handed to a typst
//! template as the virtual file `/data.json`; the template reads it with `json(..)`. No text of
//! the declaration is ever spliced into typst markup, so wording such as `#`, `*`, `]` or `$`
//! prints as written and cannot run as code. The templates (`templates/export.typ`,
//! `templates/redline.typ`) are embedded, and a repository may replace them by name as it
//! replaces the HTML ones. The fonts are embedded too ([`FONT_FILES`]: Libertinus Serif for
//! Latin and Cyrillic, Amiri for Arabic), so the output is the same on every machine; text
//! that no embedded font can show is refused with the paragraphs and characters concerned
//! instead of printing empty boxes.
//!
//! The PDF is always tagged (structure, reading order, language and title) and, by default,
//! checked by the engine against PDF/UA-1; [`PdfStandard::Archive`] adds PDF/A-2a.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use super::export::ExportView;
use super::redline_doc::RedlineView;

/// The built-in typst templates, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("export.typ", include_str!("templates/export.typ")),
    ("redline.typ", include_str!("templates/redline.typ")),
];

/// The embedded fonts (SIL Open Font License; see `assets/fonts/OFL.txt`).
pub const FONT_FILES: &[(&str, &[u8])] = &[
    (
        "LibertinusSerif-Regular.otf",
        include_bytes!("../../assets/fonts/LibertinusSerif-Regular.otf"),
    ),
    (
        "LibertinusSerif-Bold.otf",
        include_bytes!("../../assets/fonts/LibertinusSerif-Bold.otf"),
    ),
    (
        "LibertinusSerif-Italic.otf",
        include_bytes!("../../assets/fonts/LibertinusSerif-Italic.otf"),
    ),
    (
        "LibertinusSerif-BoldItalic.otf",
        include_bytes!("../../assets/fonts/LibertinusSerif-BoldItalic.otf"),
    ),
    (
        "Amiri-Regular.ttf",
        include_bytes!("../../assets/fonts/Amiri-Regular.ttf"),
    ),
    (
        "Amiri-Bold.ttf",
        include_bytes!("../../assets/fonts/Amiri-Bold.ttf"),
    ),
];

/// Which PDF standards the output is checked against and declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfStandard {
    /// PDF/UA-1: tagged, accessible (the default).
    #[default]
    Accessible,
    /// PDF/UA-1 and PDF/A-2a: the copy for the archive.
    Archive,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("template {name}{}: {message}", if *.overridden { "" } else { " (built in)" })]
    Template {
        name: String,
        message: String,
        /// Whether the repository's own `templates/<name>` was used.
        overridden: bool,
    },
    #[error("unknown template {0}")]
    UnknownTemplate(String),
    #[error(
        "no embedded font has the characters {chars} used in {places}; the PDF would print empty boxes"
    )]
    MissingGlyphs { chars: String, places: String },
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The final text as an official document.
pub fn export_pdf(
    view: &ExportView,
    template: Option<&str>,
    standard: PdfStandard,
) -> Result<Vec<u8>, PdfError> {
    let mut texts = vec![
        ("the heading".to_owned(), view.title.clone()),
        ("the heading".to_owned(), view.conference.clone()),
        ("the heading".to_owned(), view.place.clone()),
        ("the heading".to_owned(), view.dates_text.clone()),
        ("the heading".to_owned(), view.symbol.clone()),
        ("the heading".to_owned(), view.short_title.clone()),
        ("the chapeau".to_owned(), runs_text(&view.chapeau)),
    ];
    for paragraph in view.preamble.iter().chain(&view.operative) {
        let mut text = runs_text(&paragraph.runs);
        for sub in &paragraph.subparagraphs {
            text.push_str(&runs_text(&sub.runs));
        }
        texts.push((format!("{} ({})", paragraph.citation, paragraph.id), text));
    }
    check_glyphs(&texts)?;
    compile("export.typ", template, view, standard)
}

/// A redline: insertions underlined, deletions struck through, each change attributed.
pub fn redline_pdf(
    view: &RedlineView,
    template: Option<&str>,
    standard: PdfStandard,
) -> Result<Vec<u8>, PdfError> {
    let mut texts = vec![
        ("the heading".to_owned(), view.title.clone()),
        ("the heading".to_owned(), view.from_label.clone()),
        ("the heading".to_owned(), view.to_label.clone()),
    ];
    for clause in view.parts.iter().flat_map(|part| &part.clauses) {
        let mut text: String = clause
            .lines
            .iter()
            .flatten()
            .map(|run| run.text.as_str())
            .collect();
        for note in clause.notes.iter().chain(&clause.attribution) {
            text.push_str(note);
        }
        texts.push((clause.label.clone(), text));
    }
    check_glyphs(&texts)?;
    compile("redline.typ", template, view, standard)
}

/// Refuses text that no embedded font covers, naming the characters and where they are.
fn check_glyphs(texts: &[(String, String)]) -> Result<(), PdfError> {
    let fonts = fonts();
    let covered = |c: char| {
        c.is_whitespace()
            || c.is_control()
            // Joiners, marks and invisible formatting need no glyph of their own.
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
            || fonts.iter().any(|font| font.info().coverage.contains(c as u32))
    };
    let mut missing = BTreeSet::new();
    let mut places = Vec::new();
    for (place, text) in texts {
        let mut found = false;
        for c in text.chars().filter(|&c| !covered(c)) {
            missing.insert(c);
            found = true;
        }
        if found && !places.contains(place) {
            places.push(place.clone());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let chars: Vec<String> = missing
        .iter()
        .map(|c| format!("{c} (U+{:04X})", *c as u32))
        .collect();
    Err(PdfError::MissingGlyphs {
        chars: chars.join(", "),
        places: places.join(", "),
    })
}

fn runs_text(runs: &[super::inline::InlineRun]) -> String {
    runs.iter().map(|run| run.text.as_str()).collect()
}

/// The embedded fonts, parsed once per process.
fn fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        FONT_FILES
            .iter()
            .flat_map(|(_, data)| Font::iter(Bytes::new(*data)))
            .collect()
    })
}

fn compile(
    name: &str,
    override_source: Option<&str>,
    data: &impl Serialize,
    standard: PdfStandard,
) -> Result<Vec<u8>, PdfError> {
    let built_in = BUILT_IN
        .iter()
        .find(|(built_in, _)| *built_in == name)
        .map(|(_, source)| *source)
        .ok_or_else(|| PdfError::UnknownTemplate(name.to_owned()))?;
    let json = serde_json::to_vec(data).expect("plain data serialises");
    let world = DeclWorld::new(override_source.unwrap_or(built_in), json);
    let template_error = |diagnostics: &[SourceDiagnostic]| PdfError::Template {
        name: name.to_owned(),
        message: describe(&world, diagnostics),
        overridden: override_source.is_some(),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled
        .output
        .map_err(|diagnostics| template_error(&diagnostics[..]))?;
    // Warnings about fonts mean glyphs or styles the document asked for are not there.
    let font_warnings: Vec<SourceDiagnostic> = compiled
        .warnings
        .iter()
        .filter(|w| w.severity == Severity::Warning && w.message.contains("font"))
        .cloned()
        .collect();
    if !font_warnings.is_empty() {
        return Err(template_error(&font_warnings));
    }
    let standards = match standard {
        PdfStandard::Accessible => vec![typst_pdf::PdfStandard::Ua_1],
        PdfStandard::Archive => vec![typst_pdf::PdfStandard::Ua_1, typst_pdf::PdfStandard::A_2a],
    };
    let options = typst_pdf::PdfOptions {
        standards: typst_pdf::PdfStandards::new(&standards)
            .map_err(|e| PdfError::Pdf(e.message().to_string()))?,
        creator: typst::foundations::Smart::Custom(Some("decl".into())),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|diagnostics| template_error(&diagnostics[..]))
}

/// Diagnostics as one message: each with its line in the template when it has one.
fn describe(world: &DeclWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let described: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut text = diagnostic.message.to_string();
            let line = diagnostic
                .span
                .id()
                .filter(|id| *id == world.main)
                .and_then(|_| {
                    let range = world.range(diagnostic.span)?;
                    world.source.lines().byte_to_line(range.start)
                });
            if let Some(line) = line {
                text = format!("line {}: {text}", line + 1);
            }
            for hint in &diagnostic.hints {
                text.push_str(&format!(" (hint: {})", hint.v));
            }
            text
        })
        .collect();
    described.join("; ")
}

/// The whole world typst sees: one template, one data file, the embedded fonts.
struct DeclWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    main: FileId,
    data: FileId,
    source: Source,
    json: Bytes,
}

impl DeclWorld {
    fn new(template: &str, json: Vec<u8>) -> Self {
        let id = |path: &str| {
            RootedPath::new(
                VirtualRoot::Project,
                VirtualPath::new(path).expect("a constant, valid path"),
            )
            .intern()
        };
        let main = id("/main.typ");
        DeclWorld {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(fonts())),
            main,
            data: id("/data.json"),
            source: Source::new(main, template.to_owned()),
            json: Bytes::new(json),
        }
    }
}

impl World for DeclWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data {
            Ok(self.json.clone())
        } else if id == self.main {
            Ok(Bytes::from_string(self.source.clone()))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The output depends on its input only: the date printed comes from the data.
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(
        id.get()
            .vpath()
            .get_with_slash()
            .trim_start_matches('/')
            .into(),
    )
}

#[cfg(test)]
mod tests;
