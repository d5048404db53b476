//! `decl export`: the final text in the formats a conference needs.

use std::path::PathBuf;

use super::output::{Document, deliver, refuse_binary_on_terminal};
use super::{CommandError, Context, Ui};
use crate::render::pdf::{PdfError, PdfStandard};

/// Export the adopted text (PDF, Markdown, HTML, plain text, Word, Akoma Ntoso, JSON)
///
/// Without --rev, exports the `adopted` revision if there is one, else the working tree (which
/// needs --draft). Refuses, listing what stands in the way by paragraph number, while any clause
/// is not agreed or holds square brackets, or any amendment is still open; --draft exports
/// anyway and marks the result as a draft on every page.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The revision to export (default: adopted)
    #[arg(long)]
    pub rev: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExportFormat::Html)]
    pub format: ExportFormat,
    /// The language to export (one of the declaration's languages; default: the source)
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With --format html or pdf: a template (tera for HTML, typst for PDF) to use instead of
    /// the built-in one
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// With --format pdf: the copy for the archive, PDF/A-2a as well as PDF/UA-1
    #[arg(long)]
    pub archive: bool,
    /// Export a text that is not final, marked DRAFT on every page
    #[arg(long)]
    pub draft: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Markdown
    Md,
    /// A self-contained, printable HTML page
    Html,
    /// Plain text wrapped at 80 columns
    Txt,
    /// A Word document with numbered paragraphs and styles
    Docx,
    /// Akoma Ntoso 3.0 XML
    Akn,
    /// The official document as a tagged, accessible PDF (PDF/UA-1), fonts embedded
    Pdf,
    /// The numbered structure as JSON
    Json,
}

pub fn run(args: ExportArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    if args.template.is_some() && !matches!(args.format, ExportFormat::Html | ExportFormat::Pdf) {
        return Err(CommandError::user(
            "--template applies to --format html and --format pdf",
        ));
    }
    if args.archive && args.format != ExportFormat::Pdf {
        return Err(CommandError::user("--archive applies to --format pdf"));
    }
    match args.format {
        ExportFormat::Docx => {
            refuse_binary_on_terminal("Word", "declaration.docx", args.output.as_deref(), ui)?
        }
        ExportFormat::Pdf => {
            refuse_binary_on_terminal("PDF", "declaration.pdf", args.output.as_deref(), ui)?
        }
        _ => {}
    }
    let read_template = |path: &PathBuf| {
        std::fs::read_to_string(context.resolve_path(path))
            .map_err(|e| CommandError::user(format!("cannot read {}: {e}", path.display())))
    };
    let view = crate::views::export(
        &repo,
        &crate::views::ExportRequest {
            rev: args.rev.clone(),
            lang: args.lang.clone(),
            draft: args.draft,
        },
    )?;
    let document = match args.format {
        ExportFormat::Md => Document::Data(view.markdown()),
        ExportFormat::Txt => Document::Data(view.plain(80)),
        ExportFormat::Json => Document::Data(view.json()),
        ExportFormat::Akn => Document::Data(crate::render::akn::akoma_ntoso(
            &view,
            &context.now().date_naive().to_string(),
        )),
        ExportFormat::Html => {
            let template = match &args.template {
                Some(path) => Some(read_template(path)?),
                None => repo.template_override("export.html")?,
            };
            Document::Data(
                view.html(template.as_deref())
                    .map_err(|e| CommandError::user(e.to_string()))?,
            )
        }
        ExportFormat::Pdf => {
            let template = match &args.template {
                Some(path) => Some(read_template(path)?),
                None => repo.template_override("export.typ")?,
            };
            let standard = if args.archive {
                PdfStandard::Archive
            } else {
                PdfStandard::Accessible
            };
            Document::Binary(
                crate::render::pdf::export_pdf(&view, template.as_deref(), standard)
                    .map_err(pdf_error)?,
            )
        }
        ExportFormat::Docx => Document::Binary(
            crate::render::docx::export_docx(&view)
                .map_err(|e| CommandError::user(e.to_string()))?,
        ),
    };
    deliver(document, args.output.as_deref(), context, ui)
}

/// A PDF that cannot be made: the text's fault (missing glyphs) or the template's.
pub(super) fn pdf_error(error: PdfError) -> CommandError {
    let hint = match &error {
        PdfError::MissingGlyphs { .. } => Some(
            "decl embeds fonts for Latin, Cyrillic and Arabic; check the text for stray characters",
        ),
        PdfError::Template {
            overridden: true, ..
        } => Some("check the template in templates/, or remove it to use the built-in one"),
        PdfError::Template {
            overridden: false, ..
        } => Some("this is a fault in decl's own template: please report it"),
        _ => None,
    };
    let command_error = CommandError::user(error.to_string());
    match hint {
        Some(hint) => command_error.hint(hint),
        None => command_error,
    }
}
