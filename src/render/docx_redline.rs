//! A redline as a Word document whose tracked changes are the redline.
//!
//! The document is the whole compared text, so that Word's (or LibreOffice's, or pandoc's)
//! Accept All gives the newer text and Reject All the older one, paragraph numbers included:
//!
//! - changed words are `w:ins`/`w:del`, authored by the delegation whose amendment made them
//!   and dated when it was applied;
//! - a paragraph number that changed is the old number deleted and the new one inserted;
//! - an inserted or deleted clause or sub-paragraph has its paragraph mark tracked too, so that
//!   neither Accept nor Reject leaves an empty paragraph behind;
//! - a moved clause is a tracked move: its old wording at its old place in `w:moveFrom`, its
//!   new wording at its new place in `w:moveTo`, inside named move ranges, with the words that
//!   changed in the move as deletions at the old place and insertions at the new one;
//! - what a reader of the other formats sees under a clause (moves, status, the amendments
//!   behind it) is a Word comment, which no Accept or Reject turns into text.
//!
//! The document properties carry the title, the secretariat as author, the two revisions'
//! dates and the language (right-to-left paragraphs for Arabic).

use docx_rs::{
    AlignmentType, Comment, Delete, Header, Insert, LineSpacing, MoveFrom, MoveTo, Paragraph, Run,
    SpecialIndentType, XMLDocx,
};

use super::docx::{DocxError, NOTE_SIZE, SafeText, new_document};
use super::emphasis::{RunKind, StyledRun};
use super::redline_doc::{ClauseView, RedlineView};

/// Twentieths of a point: the hanging indent of the paragraph number.
const LABEL_INDENT: i32 = 2160;
const SUB_INDENT: i32 = 2880;
/// Ids of the comments and move ranges decl writes: far above the ids docx-rs gives tracked
/// changes (a counter from 0), since all annotations of a document share one id space.
const COMMENT_IDS: usize = 1_000_000;
const MOVE_RANGE_IDS: usize = 2_000_000;

/// How a clause's entry stands in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// Present in both texts at this place: its words compared.
    InPlace,
    Inserted,
    Deleted,
    /// The old place of a moved clause.
    MovedFrom,
    /// The new place of a moved clause.
    MovedTo,
}

impl Entry {
    fn of(clause: &ClauseView) -> Entry {
        match clause.change {
            "moved-away" => Entry::MovedFrom,
            "inserted" => Entry::Inserted,
            "deleted" => Entry::Deleted,
            _ if clause.moved => Entry::MovedTo,
            _ => Entry::InPlace,
        }
    }

    /// What a paragraph mark inside or at the end of the entry is: one that Reject All must
    /// take away (inserted), one that Accept All must (deleted), or one that stays.
    fn mark(self, break_kind: RunKind) -> RunKind {
        match self {
            Entry::InPlace => break_kind,
            Entry::Inserted | Entry::MovedTo => RunKind::Inserted,
            Entry::Deleted | Entry::MovedFrom => RunKind::Deleted,
        }
    }
}

/// A change's author and date.
struct Credit<'a> {
    author: &'a str,
    date: &'a str,
}

/// A redline as a `.docx` with tracked changes.
pub fn redline_docx(view: &RedlineView, fallback_author: &str) -> Result<Vec<u8>, DocxError> {
    let issued_by = view.issued_by.as_deref().unwrap_or(fallback_author);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let issued_on = view.to_date.clone().unwrap_or(now);
    let rtl = view.dir == "rtl";
    let mut docx = new_document().header(
        Header::new()
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_safe_text(&view.symbol).size(NOTE_SIZE)),
            )
            .add_paragraph(
                Paragraph::new().align(AlignmentType::Right).add_run(
                    Run::new()
                        .add_safe_text(format!(
                            "{}: {} compared with {}",
                            view.heading, view.from_label, view.to_label
                        ))
                        .size(NOTE_SIZE),
                ),
            ),
    );
    // The summary is a comment on the title: the body holds only the compared text.
    let summary = Comment::new(COMMENT_IDS)
        .author(issued_by)
        .date(&issued_on)
        .add_paragraph(Paragraph::new().add_run(Run::new().add_safe_text(format!(
            "{}: {} compared with {}. {}.",
            view.heading, view.from_label, view.to_label, view.summary
        ))));
    docx = docx.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_comment_start(summary)
            .add_run(Run::new().add_safe_text(&view.title).bold().size(28))
            .add_comment_end(COMMENT_IDS),
    );
    let mut next_comment = COMMENT_IDS + 1;
    let mut moves: Vec<&str> = Vec::new();
    for part in &view.parts {
        if let Some(heading) = &part.heading {
            docx = docx.add_paragraph(direction(
                Paragraph::new().add_run(Run::new().add_safe_text(heading).bold()),
                rtl,
            ));
        }
        for clause in &part.clauses {
            let credit = Credit {
                author: clause.author.as_deref().unwrap_or(issued_by),
                date: clause.date.as_deref().unwrap_or(&issued_on),
            };
            let entry = Entry::of(clause);
            let mut paragraphs = clause_paragraphs(clause, entry, &credit, rtl);
            let remarks: Vec<&String> = clause.notes.iter().chain(&clause.attribution).collect();
            if !remarks.is_empty() {
                let mut comment = Comment::new(next_comment)
                    .author(issued_by)
                    .date(&issued_on);
                for remark in remarks {
                    comment = comment
                        .add_paragraph(Paragraph::new().add_run(Run::new().add_safe_text(remark)));
                }
                let first = paragraphs.remove(0);
                paragraphs.insert(0, prepend(first, |p| p.add_comment_start(comment)));
                let last = paragraphs.pop().expect("a clause has a paragraph");
                paragraphs.push(last.add_comment_end(next_comment));
                next_comment += 1;
            }
            if matches!(entry, Entry::MovedFrom | Entry::MovedTo) {
                let index = match moves.iter().position(|id| *id == clause.id) {
                    Some(index) => index,
                    None => {
                        moves.push(&clause.id);
                        moves.len() - 1
                    }
                };
                let (range_id, name) = move_range(entry, index);
                let first = paragraphs.remove(0);
                paragraphs.insert(0, prepend(first, |p| p.add_bookmark_start(range_id, name)));
                let last = paragraphs.pop().expect("a clause has a paragraph");
                paragraphs.push(last.add_bookmark_end(range_id));
            }
            for paragraph in paragraphs {
                docx = docx.add_paragraph(paragraph);
            }
        }
    }
    let mut xml = docx.build();
    xml.document = move_ranges(&xml.document, moves.len(), issued_by, &issued_on);
    xml.doc_props.core = core_properties(view, issued_by, &issued_on);
    set_language(&mut xml, &view.lang, rtl);
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(|e| DocxError(e.to_string()))?;
    Ok(bytes.into_inner())
}

/// The Word paragraphs of one clause entry: the first with its number, one per sub-paragraph.
fn clause_paragraphs(
    clause: &ClauseView,
    entry: Entry,
    credit: &Credit,
    rtl: bool,
) -> Vec<Paragraph> {
    let lines = word_lines(&clause.runs, entry);
    let mut paragraphs = Vec::new();
    for (idx, (runs, end)) in lines.iter().enumerate() {
        let mut paragraph = if idx == 0 {
            add_label(
                Paragraph::new().indent(
                    Some(LABEL_INDENT),
                    Some(SpecialIndentType::Hanging(LABEL_INDENT)),
                    None,
                    None,
                ),
                clause,
                entry,
                credit,
            )
        } else {
            Paragraph::new().indent(
                Some(SUB_INDENT),
                Some(SpecialIndentType::Hanging(720)),
                None,
                None,
            )
        };
        paragraph = direction(
            paragraph
                .align(AlignmentType::Both)
                .line_spacing(LineSpacing::new().after(80)),
            rtl,
        );
        for run in runs {
            // A change credited on its own (an amendment among several, the chair's wording)
            // is authored by whoever made it; others by the clause's amendments together.
            let own = run
                .credit
                .and_then(|i| clause.credits.get(i))
                .map(|c| Credit {
                    author: &c.author,
                    date: c.date.as_deref().unwrap_or(credit.date),
                });
            paragraph = add_run(paragraph, run, entry, own.as_ref().unwrap_or(credit));
        }
        paragraph = match entry.mark(*end) {
            RunKind::Inserted => paragraph.insert(credit.author, credit.date),
            RunKind::Deleted => paragraph.delete(credit.author, credit.date),
            RunKind::Equal => paragraph,
        };
        paragraphs.push(paragraph);
    }
    paragraphs
}

/// The runs of an entry split at line breaks, each line with the kind of the break that ends
/// it (the last: `Equal`, the clause's own paragraph end). The old place of a move shows the
/// old side only, the new place the new side only.
fn word_lines(runs: &[StyledRun], entry: Entry) -> Vec<(Vec<StyledRun>, RunKind)> {
    let shown = |run: &&StyledRun| match entry {
        Entry::MovedFrom => run.kind != RunKind::Inserted,
        Entry::MovedTo => run.kind != RunKind::Deleted,
        _ => true,
    };
    let mut lines: Vec<(Vec<StyledRun>, RunKind)> = vec![(Vec::new(), RunKind::Equal)];
    lines_of(runs.iter().filter(shown), &mut lines);
    // A paragraph whose mark is deleted joins the next one in the newer text. Readers do not
    // all join alike (pandoc puts a space there), so no words are left to join: what the next
    // paragraph holds in the newer text is written before the deleted mark instead (its
    // unchanged words as inserted there and deleted below). Inserted marks, mirrored. From the
    // last paragraph up, so that words pass through paragraphs that are wholly deleted.
    // (An entry that is wholly inserted, deleted or moved has all its marks tracked alike.)
    let lines_to_rejoin = if entry == Entry::InPlace {
        lines.len()
    } else {
        0
    };
    for at in (0..lines_to_rejoin.saturating_sub(1)).rev() {
        let (moving, staying) = match lines[at].1 {
            RunKind::Deleted => (RunKind::Inserted, RunKind::Deleted),
            RunKind::Inserted => (RunKind::Deleted, RunKind::Inserted),
            RunKind::Equal => continue,
        };
        let mut below = Vec::new();
        for run in std::mem::take(&mut lines[at + 1].0) {
            match run.kind {
                kind if kind == moving => lines[at].0.push(run),
                RunKind::Equal => {
                    lines[at].0.push(StyledRun {
                        kind: moving,
                        ..run.clone()
                    });
                    below.push(StyledRun {
                        kind: staying,
                        ..run
                    });
                }
                _ => below.push(run),
            }
        }
        lines[at + 1].0 = below;
    }
    lines
}

fn lines_of<'a>(
    runs: impl Iterator<Item = &'a StyledRun>,
    lines: &mut Vec<(Vec<StyledRun>, RunKind)>,
) {
    for run in runs {
        let mut pieces = run.text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            if !piece.is_empty() {
                lines.last_mut().expect("never empty").0.push(StyledRun {
                    text: piece.to_owned(),
                    ..run.clone()
                });
            }
            if pieces.peek().is_some() {
                lines.last_mut().expect("never empty").1 = run.kind;
                lines.push((Vec::new(), RunKind::Equal));
            }
        }
    }
}

/// The paragraph number and the tab after it, tracked as the entry requires.
fn add_label(
    paragraph: Paragraph,
    clause: &ClauseView,
    entry: Entry,
    credit: &Credit,
) -> Paragraph {
    let label = |text: &str| Run::new().add_safe_text(text).bold().add_tab();
    let deleted_label = |text: &str| Run::new().add_safe_delete_text(text).bold().add_tab();
    let inserted = |paragraph: Paragraph, text: &str| {
        paragraph.add_insert(
            Insert::new(label(text))
                .author(credit.author)
                .date(credit.date),
        )
    };
    let deleted = |paragraph: Paragraph, text: &str| {
        paragraph.add_delete(
            Delete::new()
                .add_run(deleted_label(text))
                .author(credit.author)
                .date(credit.date),
        )
    };
    let (old, new) = (clause.old_number.as_deref(), clause.new_number.as_deref());
    match (entry, old, new) {
        (Entry::Inserted | Entry::MovedTo, _, Some(new)) => inserted(paragraph, new),
        (Entry::Deleted | Entry::MovedFrom, Some(old), _) => deleted(paragraph, old),
        (Entry::InPlace, Some(old), Some(new)) if old != new => {
            inserted(deleted(paragraph, old), new)
        }
        _ => paragraph.add_run(label(new.or(old).unwrap_or(&clause.label))),
    }
}

fn add_run(paragraph: Paragraph, run: &StyledRun, entry: Entry, credit: &Credit) -> Paragraph {
    let text = || styled(Run::new().add_safe_text(&run.text), run);
    match (run.kind, entry) {
        (RunKind::Equal, Entry::MovedFrom) => paragraph.add_move_from(
            MoveFrom::new()
                .add_run(text())
                .author(credit.author)
                .date(credit.date),
        ),
        (RunKind::Equal, Entry::MovedTo) => {
            paragraph.add_move_to(MoveTo::new(text()).author(credit.author).date(credit.date))
        }
        (RunKind::Equal, _) => paragraph.add_run(text()),
        (RunKind::Inserted, _) => {
            paragraph.add_insert(Insert::new(text()).author(credit.author).date(credit.date))
        }
        (RunKind::Deleted, _) => paragraph.add_delete(
            Delete::new()
                .add_run(styled(Run::new().add_safe_delete_text(&run.text), run))
                .author(credit.author)
                .date(credit.date),
        ),
    }
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

fn direction(mut paragraph: Paragraph, rtl: bool) -> Paragraph {
    if rtl {
        paragraph.property = paragraph.property.bidi(true);
    }
    paragraph
}

/// Puts what `add` adds to a paragraph before everything else in `paragraph` (docx-rs only
/// appends): a comment's or a move range's start.
fn prepend(mut paragraph: Paragraph, add: impl FnOnce(Paragraph) -> Paragraph) -> Paragraph {
    let added = add(Paragraph::new()).children;
    paragraph.children.splice(0..0, added);
    paragraph
}

/// The id and placeholder name of a move range: docx-rs writes no move ranges, so a bookmark
/// with this name stands in for one until [`move_ranges`] turns it into the real mark.
fn move_range(entry: Entry, index: usize) -> (usize, String) {
    match entry {
        Entry::MovedFrom => (MOVE_RANGE_IDS + 2 * index, format!("decl-moveFrom-{index}")),
        _ => (
            MOVE_RANGE_IDS + 2 * index + 1,
            format!("decl-moveTo-{index}"),
        ),
    }
}

/// Replaces the placeholder bookmarks of `n_moves` moves by `w:moveFromRangeStart`/`End` and
/// `w:moveToRangeStart`/`End`, named `move1`, `move2`, ... as Word names them.
fn move_ranges(document: &[u8], n_moves: usize, author: &str, date: &str) -> Vec<u8> {
    let mut xml = String::from_utf8_lossy(document).into_owned();
    let author = quick_xml::escape::escape(author);
    let date = quick_xml::escape::escape(date);
    for index in 0..n_moves {
        for (entry, element) in [(Entry::MovedFrom, "moveFrom"), (Entry::MovedTo, "moveTo")] {
            let (id, name) = move_range(entry, index);
            xml = xml
                .replacen(
                    &format!(r#"<w:bookmarkStart w:id="{id}" w:name="{name}" />"#),
                    &format!(
                        r#"<w:{element}RangeStart w:id="{id}" w:author="{author}" w:date="{date}" w:name="move{}" />"#,
                        index + 1
                    ),
                    1,
                )
                .replacen(
                    &format!(r#"<w:bookmarkEnd w:id="{id}" />"#),
                    &format!(r#"<w:{element}RangeEnd w:id="{id}" />"#),
                    1,
                );
        }
    }
    xml.into_bytes()
}

/// `docProps/core.xml`: docx-rs writes "unknown" and 1970 and offers no setter.
fn core_properties(view: &RedlineView, author: &str, modified: &str) -> Vec<u8> {
    let escape = |text: &str| quick_xml::escape::escape(super::akn::xml_safe(text)).into_owned();
    let created = view.from_date.as_deref().unwrap_or(modified);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title>",
            "<dc:subject>{subject}</dc:subject>",
            "<dc:creator>{author}</dc:creator>",
            "<cp:lastModifiedBy>{author}</cp:lastModifiedBy>",
            "<dc:description>{description}</dc:description>",
            "<dc:language>{language}</dc:language>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>"#,
            "</cp:coreProperties>"
        ),
        title = escape(&view.title),
        subject = escape(&format!(
            "{}: {} compared with {}",
            view.heading, view.from_label, view.to_label
        )),
        author = escape(author),
        description = escape(&view.summary),
        language = escape(&view.lang),
        created = escape(created),
        modified = escape(modified),
    )
    .into_bytes()
}

/// The text's language on the default run properties (`w:lang`, with `w:bidi` for a
/// right-to-left language), which spelling and hyphenation follow.
fn set_language(xml: &mut XMLDocx, language: &str, rtl: bool) {
    let language = quick_xml::escape::escape(language);
    let lang = if rtl {
        format!(r#"<w:lang w:val="{language}" w:bidi="{language}" />"#)
    } else {
        format!(r#"<w:lang w:val="{language}" />"#)
    };
    let styles = String::from_utf8_lossy(&xml.styles).into_owned();
    // w:lang comes late in a run's properties: just before they close.
    if let Some(defaults) = styles.find("<w:rPrDefault>")
        && let Some(close) = styles[defaults..].find("</w:rPr>")
    {
        let at = defaults + close;
        xml.styles = [&styles[..at], &lang, &styles[at..]].concat().into_bytes();
    }
}
