//! The read-only views every front end shows: a redline between two revisions, the
//! compilation text, an export of a revision, a clause's blame.
//!
//! Each one reads what it needs through the [`store`](crate::store) and hands it to a
//! [`render`](crate::render) view, so the command line (`decl redline`, `decl compile`,
//! `decl export`, `decl blame`) and the web server (`decl serve`) show the same thing from the
//! same code. Where the output goes, and how errors are reported, stays with the caller.

use std::collections::{BTreeSet, HashSet};

use crate::model::adoption::{Translation, export_blockers};
use crate::model::blame::{BlameSpan, blame};
use crate::model::credit::{Maker, applied_steps};
use crate::model::suggest::did_you_mean;
use crate::model::{Amendment, ClauseId, Part};
use crate::redline::RedlineOptions;
use crate::redline::document::{Summary, compare, moved_between, sort_as_applied};
use crate::render::compile::CompilationView;
use crate::render::export::ExportView;
use crate::render::redline_doc::{RedlineView, Scope};
use crate::store::{At, DeclRepo, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something asked for does not exist (a clause, a language); `hint` is "did you mean".
    #[error("{what}{hint}")]
    NotFound { what: String, hint: String },
    /// The request cannot be met as asked; `hint` says what would work.
    #[error("{message}")]
    Refused {
        message: String,
        hint: Option<String>,
    },
}

impl ViewError {
    fn refused(message: impl Into<String>, hint: Option<&str>) -> Self {
        ViewError::Refused {
            message: message.into(),
            hint: hint.map(str::to_owned),
        }
    }
}

/// What a redline between revisions compares.
#[derive(Debug, Clone, Default)]
pub struct RedlineRequest {
    /// The earlier revision (tag or commit); `None`: the last revision.
    pub from: Option<String>,
    /// The later revision; `None`: the working tree.
    pub to: Option<String>,
    /// Only this clause.
    pub clause: Option<ClauseId>,
}

/// The redline between two revisions, each change attributed to the amendments applied in
/// between.
pub fn redline_between(
    repo: &DeclRepo,
    request: &RedlineRequest,
    options: &RedlineOptions,
    scope: Scope,
) -> Result<RedlineView, ViewError> {
    let revisions = repo.revisions()?;
    let label_of = |rev: &str| {
        revisions
            .iter()
            .find(|tag| tag.name == rev)
            .map_or_else(|| rev.to_owned(), |tag| tag.label.clone())
    };
    let from = match &request.from {
        Some(from) => from.clone(),
        None => match repo.current_revision()? {
            Some((tag, _)) => tag.name,
            None => {
                return Err(ViewError::refused(
                    "there is no revision yet to compare with",
                    Some("name one: decl redline FROM [TO]"),
                ));
            }
        },
    };
    let (to_at, to_label) = match &request.to {
        Some(to) => (At::Rev(to.clone()), label_of(to)),
        None => (At::WorkTree, "the current text".to_owned()),
    };
    let from_at = At::Rev(from.clone());
    // Showing only the changes between two commits, read only the clauses whose files differ
    // (and the moved ones): a large declaration is mostly clauses a revision did not touch.
    let differing = match (scope, &request.clause) {
        (Scope::Changes, None) => repo.clauses_differing(&from_at, &to_at)?,
        _ => None,
    };
    let (old, new, unchanged_unread) = match differing {
        Some(mut read) => {
            let no_clauses = BTreeSet::new();
            let mut old_outline = repo.load_with(&from_at, &no_clauses)?;
            let mut new_outline = repo.load_with(&to_at, &no_clauses)?;
            read.extend(moved_between(&old_outline, &new_outline));
            let unread: HashSet<ClauseId> = [Part::Preamble, Part::Operative]
                .into_iter()
                .flat_map(|part| {
                    old_outline
                        .order(part)
                        .iter()
                        .chain(new_outline.order(part))
                })
                .filter(|id| !read.contains(*id))
                .cloned()
                .collect();
            repo.load_clauses_into(&from_at, &mut old_outline, &read)?;
            repo.load_clauses_into(&to_at, &mut new_outline, &read)?;
            (old_outline, new_outline, unread)
        }
        None => (repo.load(&from_at)?, repo.load(&to_at)?, HashSet::new()),
    };
    let applied = repo.amendments_applied_between(&from_at, &to_at)?;
    let mut document = compare(&old, &new, &applied, &unchanged_unread, options);
    if let Some(clause) = &request.clause {
        if !old.clauses.contains_key(clause) && !new.clauses.contains_key(clause) {
            return Err(ViewError::NotFound {
                what: format!("unknown clause {clause}"),
                hint: did_you_mean(
                    clause.as_str(),
                    new.clauses
                        .keys()
                        .chain(old.clauses.keys())
                        .map(|k| k.as_str()),
                ),
            });
        }
        document.clauses.retain(|c| &c.id == clause);
        document.summary = Summary::of(&document.clauses);
    }
    let mut view = RedlineView::new(&new.meta, &document, &label_of(&from), &to_label, scope);
    let date_of = |rev: &str| -> Option<String> {
        revisions
            .iter()
            .find(|tag| tag.name == rev)
            .map(|tag| tag.time.to_rfc3339())
    };
    view.from_date = date_of(from.as_str());
    view.to_date = match request.to.as_deref() {
        Some(to) => date_of(to),
        None => None,
    };
    view.issued_by = new
        .delegations
        .iter()
        .find(|delegation| delegation.role == crate::model::Role::Secretariat)
        .map(|delegation| delegation.name.clone());
    Ok(view)
}

/// The compilation text at `rev` (default: the working tree): every pending amendment under
/// its clause.
pub fn compilation(repo: &DeclRepo, rev: Option<&str>) -> Result<CompilationView, ViewError> {
    let at = match rev {
        Some(rev) => At::Rev(rev.to_owned()),
        None => At::WorkTree,
    };
    let declaration = repo.load(&at)?;
    let amendments = repo.load_pending_amendments(&at)?;
    let based_on = match (rev, repo.current_revision()?) {
        (Some(rev), _) => rev.to_owned(),
        (None, Some((tag, 0))) => tag.label,
        (None, Some((tag, since))) => format!(
            "{} and {since} later change{}",
            tag.label,
            if since == 1 { "" } else { "s" }
        ),
        (None, None) => "the current text".into(),
    };
    Ok(CompilationView::new(&declaration, &amendments, &based_on))
}

/// What an export asks for.
#[derive(Debug, Clone, Default)]
pub struct ExportRequest {
    /// The revision (default: `adopted`).
    pub rev: Option<String>,
    /// The language (default: the source language).
    pub lang: Option<String>,
    /// Export a text that is not final, marked as a draft.
    pub draft: bool,
}

/// The export of a revision, refused (listing what stands in the way) while the text is not
/// final, unless the request is for a draft.
pub fn export(repo: &DeclRepo, request: &ExportRequest) -> Result<ExportView, ViewError> {
    let revisions = repo.revisions()?;
    let (at, revision_label) = match &request.rev {
        Some(rev) => (
            At::Rev(rev.clone()),
            revisions
                .iter()
                .find(|t| &t.name == rev)
                .map_or_else(|| rev.clone(), |t| t.label.clone()),
        ),
        None => match revisions.iter().find(|t| t.name == "adopted") {
            Some(tag) => (At::Rev(tag.name.clone()), tag.label.clone()),
            None if request.draft => (At::WorkTree, "working text".to_owned()),
            None => {
                return Err(ViewError::refused(
                    "there is no adopted text yet (no `adopted` revision)",
                    Some("name a revision with --rev, or export the working text with --draft"),
                ));
            }
        },
    };
    let declaration = repo.load(&at)?;
    let amendments = repo.load_amendments(&at)?;
    let mut blockers = export_blockers(&declaration, &amendments);
    let source_language = declaration
        .meta
        .languages
        .first()
        .cloned()
        .unwrap_or_else(|| "en".into());
    let translation: Option<Translation> = match request.lang.as_deref() {
        None => None,
        Some(lang) if lang == source_language => None,
        Some(lang) => {
            if !declaration.meta.languages.iter().any(|l| l == lang) {
                return Err(ViewError::refused(
                    format!(
                        "{lang} is not one of the declaration's languages ({})",
                        declaration.meta.languages.join(", ")
                    ),
                    None,
                ));
            }
            // Translations of an adopted text are made after adoption: read the latest ones,
            // and check each against the wording being exported.
            let Some(translation) = repo.load_translation(&At::WorkTree, lang)? else {
                return Err(ViewError::Refused {
                    message: format!("there is no {lang} translation (translations/{lang}/)"),
                    hint: Some(format!(
                        "the secretariat records one with: decl translation import {lang} DIR --as CODE"
                    )),
                });
            };
            blockers.extend(
                translation
                    .gaps(&declaration)
                    .iter()
                    .map(|gap| format!("{lang}: {gap}")),
            );
            Some(translation)
        }
    };
    if !blockers.is_empty() && !request.draft {
        let list: Vec<String> = blockers.iter().map(|b| format!("  {b}")).collect();
        return Err(ViewError::refused(
            format!(
                "{revision_label} is not ready to be issued as a final text:\n{}",
                list.join("\n")
            ),
            Some("export it anyway, marked as a draft, with --draft"),
        ));
    }
    Ok(ExportView::new(
        &declaration,
        translation.as_ref(),
        &revision_label,
        request.draft,
    ))
}

/// For each span of a clause's current wording, the change that put it there ("TUR-3 TUR in
/// rev1", or the author and revision of a change made outside an amendment).
pub fn clause_blame(repo: &DeclRepo, id: &ClauseId) -> Result<Vec<BlameSpan<String>>, ViewError> {
    let history = repo.clause_history(id)?;
    if history.first().is_none_or(|latest| latest.clause.is_none()) {
        let declaration = repo.load(&At::WorkTree)?;
        return Err(ViewError::NotFound {
            what: format!("clause {id} does not exist at HEAD"),
            hint: did_you_mean(id.as_str(), declaration.clauses.keys().map(|k| k.as_str())),
        });
    }
    let amendments = repo.load_amendments_by_id(
        &At::WorkTree,
        history.iter().flat_map(|entry| &entry.amendments),
    )?;
    // Newest first, as the history comes, and only since the clause last came into existence.
    let since_created: Vec<_> = history
        .iter()
        .map_while(|entry| entry.clause.as_ref().map(|clause| (entry, clause)))
        .collect();
    let mut versions: Vec<(String, String)> = Vec::new();
    for (entry, clause) in since_created.into_iter().rev() {
        let wording = clause.wording();
        let revision = entry.revisions.first().cloned();
        if entry.amendments.is_empty() {
            let origin = format!(
                "{} ({})",
                entry.author,
                revision.unwrap_or_else(|| entry.commit[..10].to_owned())
            );
            versions.push((wording, origin));
            continue;
        }
        // A cut: each amendment's proposal, and the chair's wording where the chair accepted
        // it as modified, is a step of its own, so each word is credited to whoever wrote it.
        let mut applied: Vec<&Amendment> = entry
            .amendments
            .iter()
            .filter_map(|id| amendments.iter().find(|a| &a.id == id))
            .collect();
        sort_as_applied(&mut applied);
        let in_revision = revision.map(|r| format!(" in {r}")).unwrap_or_default();
        let start = versions
            .last()
            .map(|(text, _)| text.clone())
            .unwrap_or_default();
        for (text, maker) in applied_steps(&start, &applied) {
            let origin = match maker {
                Maker::Proposal(i) => {
                    format!("{} {}{in_revision}", applied[i].id, applied[i].proposer)
                }
                Maker::ChairModifying(i) => {
                    format!("Chair, modifying {}{in_revision}", applied[i].id)
                }
            };
            versions.push((text, origin));
        }
        if versions.last().is_none_or(|(text, _)| *text != wording) {
            let ids: Vec<String> = entry
                .amendments
                .iter()
                .map(|id| match amendments.iter().find(|a| &a.id == id) {
                    Some(a) => format!("{id} {}", a.proposer),
                    None => id.to_string(),
                })
                .collect();
            versions.push((wording, format!("{}{in_revision}", ids.join(", "))));
        }
    }
    Ok(blame(&versions))
}
