//! `decl export`: the final text in the formats a conference needs.

use std::path::PathBuf;

use super::output::{Document, deliver};
use super::{CommandError, Context, Ui};

/// Export the adopted text (Markdown, HTML, plain text, Word, Akoma Ntoso, JSON)
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
    /// With --format html: a tera template to use instead of the built-in one
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
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
    /// The numbered structure as JSON
    Json,
}

pub fn run(args: ExportArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    if args.template.is_some() && args.format != ExportFormat::Html {
        return Err(CommandError::user("--template applies to --format html"));
    }
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
                Some(path) => Some(std::fs::read_to_string(context.resolve_path(path)).map_err(
                    |e| CommandError::user(format!("cannot read {}: {e}", path.display())),
                )?),
                None => repo.template_override("export.html")?,
            };
            Document::Data(
                view.html(template.as_deref())
                    .map_err(|e| CommandError::user(e.to_string()))?,
            )
        }
        ExportFormat::Docx => {
            if args.output.is_none() && ui.is_terminal() {
                return Err(
                    CommandError::user("a Word document is binary: write it to a file")
                        .hint("add -o declaration.docx"),
                );
            }
            Document::Binary(
                crate::render::docx::export_docx(&view)
                    .map_err(|e| CommandError::user(e.to_string()))?,
            )
        }
    };
    deliver(document, args.output.as_deref(), context, ui)
}
