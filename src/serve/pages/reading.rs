//! Reading the negotiation: the current text and each revision's, the compilation text, a
//! clause with its history and who wrote what, and the comparison of two revisions.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::error::PageError;
use super::page::{Page, blocking};
use super::{Form, chair, parse_clause, redline_request, revision_names};
use crate::actions;
use crate::model::ClauseId;
use crate::redline::RedlineOptions;
use crate::render::compile::CompilationView;
use crate::render::redline_doc::Scope;
use crate::serve::App;
use crate::store::At;
use crate::views;

pub async fn text(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| {
        text_page(page, None, None, &Vec::new())
    })
    .await
}

pub async fn revision_text(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    blocking(app, headers, move |page| {
        text_page(page, Some(name), None, &Vec::new())
    })
    .await
}

/// The text of revision `rev`, or the current text; the current text has the chair's
/// marking form for a chair, holding what `form` sent when `error` refused it.
pub(super) fn text_page(
    page: &Page,
    rev: Option<String>,
    error: Option<PageError>,
    form: &Form,
) -> Result<Response, PageError> {
    let revisions = page.repo.revisions()?;
    let (at, label) = match &rev {
        Some(name) => {
            let Some(tag) = revisions.iter().find(|t| &t.name == name) else {
                return Err(PageError::new(
                    StatusCode::NOT_FOUND,
                    format!(
                        "unknown revision {name:?}{}",
                        crate::model::suggest::did_you_mean(
                            name,
                            revisions.iter().map(|t| t.name.as_str())
                        )
                    ),
                ));
            };
            (At::Rev(tag.name.clone()), tag.label.clone())
        }
        None => (At::WorkTree, "the current text".to_owned()),
    };
    let declaration = page.repo.load(&at)?;
    let view = CompilationView::new(&declaration, &[], &label);
    let marking = match rev {
        None => chair::marking_form(page, &declaration, form)?,
        Some(_) => None,
    };
    page.show(
        "serve/text.html",
        error.as_ref(),
        json!({
            "page_title": if rev.is_some() { label.clone() } else { "Current text".into() },
            "label": label,
            "current": rev.is_none(),
            "view": view,
            "revisions": revision_names(page.repo)?,
            "marking": marking,
            "error": error.as_ref().map(|e| &e.message),
            "hint": error.as_ref().and_then(|e| e.hint.as_ref()),
        }),
    )
}

pub async fn compilation(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| {
        let view = views::compilation(page.repo, None)?;
        page.show(
            "serve/compilation.html",
            None,
            json!({"page_title": "Compilation text", "view": view}),
        )
    })
    .await
}

pub async fn clause(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    blocking(app, headers, move |page| {
        let id = parse_clause(&id)?;
        clause_page(page, &id, None, &Vec::new())
    })
    .await
}

/// A clause with its amendments, who wrote what and its history; with the chair's status
/// form for a chair, holding what `form` sent when `error` refused it.
pub(super) fn clause_page(
    page: &Page,
    id: &ClauseId,
    error: Option<PageError>,
    form: &Form,
) -> Result<Response, PageError> {
    let repo = page.repo;
    let declaration = repo.load(&At::WorkTree)?;
    let clause = actions::find_clause(&declaration, id)?;
    let amendments = repo.load_amendments(&At::WorkTree)?;
    let mut view = CompilationView::new(&declaration, &amendments, "the current text");
    for part in &mut view.parts {
        part.clauses.retain(|c| c.id == id.as_str());
    }
    view.parts.retain(|p| !p.clauses.is_empty());
    let history: Vec<Value> = repo
        .clause_history(id)?
        .into_iter()
        .map(|entry| {
            json!({"commit": &entry.commit[..10], "author": entry.author,
                   "date": entry.time.format("%Y-%m-%d %H:%M").to_string(),
                   "summary": entry.summary, "revisions": entry.revisions})
        })
        .collect();
    let blame: Vec<Value> = views::clause_blame(repo, id)?
        .into_iter()
        .map(|span| json!({"text": span.text, "origin": span.origin}))
        .collect();
    let label = declaration
        .number_of(id)
        .map_or_else(|| id.to_string(), |n| n.to_string());
    page.show(
        "serve/clause.html",
        error.as_ref(),
        json!({"page_title": format!("{label} ({id})"), "id": id.as_str(), "label": label,
               "view": view, "history": history, "blame": blame,
               "status": clause.status.to_string(),
               "statuses": chair::status_form(page, clause.status, form),
               "error": error.as_ref().map(|e| &e.message),
               "hint": error.as_ref().and_then(|e| e.hint.as_ref())}),
    )
}

pub async fn compare(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    blocking(app, headers, move |page| {
        let request = redline_request(&query);
        let (view, problem) = match views::redline_between(
            page.repo,
            &request,
            &RedlineOptions::default(),
            Scope::Changes,
        ) {
            Ok(view) => (Some(view), None),
            Err(error) => (None, Some(PageError::from(error))),
        };
        page.show(
            "serve/compare.html",
            problem.as_ref(),
            json!({"page_title": "Compare revisions", "view": view,
                   "error": problem.as_ref().map(|p| &p.message),
                   "from": request.from, "to": request.to,
                   "revisions": revision_names(page.repo)?}),
        )
    })
    .await
}
