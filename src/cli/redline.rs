//! `decl redline`: compare two revisions, or two files, word by word.

use std::path::PathBuf;

use super::output::{Document, deliver, refuse_binary_on_terminal};
use super::{CommandError, Context, Ui};
use crate::model::ClauseId;
use crate::redline::{RedlineOptions, redline};
use crate::render::emphasis::{RunKind, StyledRun, plain_runs};
use crate::render::redline_doc::{ClauseView, PartView, RedlineView, Scope, split_lines};
use crate::store::DeclRepo;

/// Compare two revisions clause by clause, word by word
///
/// FROM defaults to the last revision (tag) and TO to the working tree. Clauses are matched by
/// id: renumbering is shown, not counted as a change; each change is attributed to the
/// amendments applied in between.
#[derive(Debug, clap::Args)]
pub struct RedlineArgs {
    /// The earlier revision (tag or commit); default: the last revision
    pub from: Option<String>,
    /// The later revision; default: the working tree
    pub to: Option<String>,
    /// Only this clause
    #[arg(long)]
    pub clause: Option<ClauseId>,
    /// Show every clause (with --files: every paragraph), changed or not
    #[arg(long)]
    pub all: bool,
    /// Show whitespace-only changes
    #[arg(long)]
    pub whitespace: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = RedlineFormat::Term)]
    pub format: RedlineFormat,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compare two text files instead of revisions
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with_all = ["from", "to", "clause"])]
    pub files: Option<Vec<PathBuf>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RedlineFormat {
    /// Colours on a terminal, CriticMarkup {--deleted--}{++inserted++} otherwise
    Term,
    /// Markdown with <ins> and <del>
    Md,
    /// A self-contained, printable HTML page
    Html,
    /// A Word document with tracked changes, each authored by its delegation
    Docx,
    /// A tagged, accessible PDF (PDF/UA-1): changes coloured, underlined or struck, and
    /// attributed in footnotes
    Pdf,
}

pub fn run(args: RedlineArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let options = RedlineOptions {
        show_whitespace: args.whitespace,
        ..RedlineOptions::default()
    };
    // A Word redline is the whole text, so that Reject All gives back the older one.
    let scope = if args.all || args.clause.is_some() || args.format == RedlineFormat::Docx {
        Scope::Everything
    } else {
        Scope::Changes
    };
    let (view, repo) = match &args.files {
        Some(files) => (
            files_view(&files[0], &files[1], &options, scope, context)?,
            None,
        ),
        None => {
            let repo = context.repo()?;
            (revisions_view(&repo, &args, &options, scope)?, Some(repo))
        }
    };
    deliver_view(
        &view,
        args.format,
        args.output.as_deref(),
        repo.as_ref(),
        context,
        ui,
    )
}

/// Renders `view` in `format` and writes it to `output` (or standard output): shared by every
/// command that shows a redline (`redline`, `amend show`).
pub fn deliver_view(
    view: &RedlineView,
    format: RedlineFormat,
    output: Option<&std::path::Path>,
    repo: Option<&DeclRepo>,
    context: &Context,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    // A repository may replace the built-in templates; two files compared have none.
    let template_override = |name: &str| -> Result<Option<String>, CommandError> {
        match repo {
            Some(repo) => Ok(repo.template_override(name)?),
            None => Ok(None),
        }
    };
    let content = match format {
        RedlineFormat::Term => {
            // Wrapped for a reader at a terminal; written to a pipe or a file, each paragraph
            // stays one line, as `git diff` leaves it, so that it can be searched and re-read.
            let width = (ui.is_terminal() && output.is_none()).then(|| ui.width());
            view.terminal(ui.color() && output.is_none(), width)
        }
        RedlineFormat::Md => view.markdown(),
        RedlineFormat::Html => view
            .html(template_override("redline.html")?.as_deref())
            .map_err(|e| CommandError::user(e.to_string()))?,
        RedlineFormat::Docx => {
            refuse_binary_on_terminal("Word", "redline.docx", output, ui)?;
            let bytes = crate::render::docx_redline::redline_docx(view, "decl")
                .map_err(|e| CommandError::user(e.to_string()))?;
            return deliver(Document::Binary(bytes), output, context, ui);
        }
        RedlineFormat::Pdf => {
            refuse_binary_on_terminal("PDF", "redline.pdf", output, ui)?;
            let bytes = crate::render::pdf::redline_pdf(
                view,
                template_override("redline.typ")?.as_deref(),
                crate::render::pdf::PdfStandard::Accessible,
            )
            .map_err(super::export::pdf_error)?;
            return deliver(Document::Binary(bytes), output, context, ui);
        }
    };
    let document = match format {
        RedlineFormat::Term => Document::Text(content),
        _ => Document::Data(content),
    };
    deliver(document, output, context, ui)
}

fn revisions_view(
    repo: &DeclRepo,
    args: &RedlineArgs,
    options: &RedlineOptions,
    scope: Scope,
) -> Result<RedlineView, CommandError> {
    let request = crate::views::RedlineRequest {
        from: args.from.clone(),
        to: args.to.clone(),
        clause: args.clause.clone(),
    };
    Ok(crate::views::redline_between(
        repo, &request, options, scope,
    )?)
}

fn files_view(
    old_path: &std::path::Path,
    new_path: &std::path::Path,
    options: &RedlineOptions,
    scope: Scope,
    context: &Context,
) -> Result<RedlineView, CommandError> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(context.resolve_path(path))
            .map_err(|e| CommandError::user(format!("cannot read {}: {e}", path.display())))
    };
    let (old, new) = (read(old_path)?, read(new_path)?);
    let result = redline(&old, &new, options);
    let stats = result.stats();
    let clauses = paragraph_views(split_lines(plain_runs(&result.segments)), scope);
    Ok(RedlineView {
        title: format!(
            "{} compared with {}",
            old_path.display(),
            new_path.display()
        ),
        short_title: new_path.display().to_string(),
        symbol: String::new(),
        heading: "Redline".into(),
        from_label: old_path.display().to_string(),
        to_label: new_path.display().to_string(),
        summary: format!(
            "{} word{} inserted, {} word{} deleted",
            stats.words_inserted,
            if stats.words_inserted == 1 { "" } else { "s" },
            stats.words_deleted,
            if stats.words_deleted == 1 { "" } else { "s" }
        ),
        lang: "en".into(),
        dir: "ltr".into(),
        parts: vec![PartView {
            heading: None,
            clauses,
        }],
        from_date: None,
        to_date: None,
        issued_by: None,
    })
}

/// A compared file's paragraphs (its non-blank lines) as numbered items, like clauses: "¶ 12",
/// numbered in the new text, or in the old one for a deleted paragraph. Only the changed ones
/// unless `scope` asks for everything.
fn paragraph_views(lines: Vec<Vec<StyledRun>>, scope: Scope) -> Vec<ClauseView> {
    let has_text = |line: &[StyledRun], side: RunKind| {
        line.iter()
            .any(|run| run.kind != side && !run.text.trim().is_empty())
    };
    let (mut old_number, mut new_number) = (0, 0);
    let mut views = Vec::new();
    for line in lines {
        let in_old = has_text(&line, RunKind::Inserted);
        let in_new = has_text(&line, RunKind::Deleted);
        if !in_old && !in_new {
            continue;
        }
        old_number += usize::from(in_old);
        new_number += usize::from(in_new);
        let change = match (in_old, in_new) {
            (false, _) => "inserted",
            (_, false) => "deleted",
            _ if line.iter().any(|run| run.kind != RunKind::Equal) => "changed",
            _ => "unchanged",
        };
        if change == "unchanged" && scope == Scope::Changes {
            continue;
        }
        let label = match (in_old, in_new) {
            (true, true) if old_number != new_number => {
                format!("¶ {new_number} (was ¶ {old_number})")
            }
            (_, true) => format!("¶ {new_number}"),
            _ => format!("¶ {old_number} of the old text, deleted"),
        };
        views.push(ClauseView {
            id: format!("p{}", views.len() + 1),
            label,
            change,
            moved: false,
            old_number: None,
            new_number: None,
            runs: line.clone(),
            lines: vec![line],
            notes: Vec::new(),
            attribution: Vec::new(),
            author: None,
            date: None,
            credits: Vec::new(),
        });
    }
    views
}
