//! The chair's and the secretariat's own work, beside their decisions on amendments (which
//! [`amendments`](super::amendments) owns): marking clauses draft, bracketed, agreed ad
//! referendum or agreed (from the current text, several at once, or from a clause's page),
//! and cutting a revision (from the revisions page, which the current text links to).
//!
//! The forms are shown only to a delegation that may decide; whoever posts them, the rule is
//! [`actions`]'s, which refuses anyone else (403) as it does on the command line.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::error::PageError;
use super::page::{Page, blocking, may_act, write};
use super::{Form, excerpt, field, given, parse_clause, reading, revision_names};
use crate::actions::{self, Action, Adoption};
use crate::model::{ClauseId, ClauseStatus, Declaration};
use crate::serve::App;
use crate::serve::auth::Session;
use crate::store::At;

pub async fn revisions(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| revisions_page(page, &Vec::new(), None)).await
}

fn revisions_page(
    page: &Page,
    form: &Form,
    error: Option<PageError>,
) -> Result<Response, PageError> {
    let accepted = awaiting_application(page)?;
    page.show(
        "serve/revisions.html",
        error.as_ref(),
        json!({"page_title": "Revisions", "revisions": revision_names(page.repo)?,
               "accepted": accepted, "error": error.as_ref().map(|e| &e.message),
               "hint": error.as_ref().and_then(|e| e.hint.as_ref()),
               "name": field(form, "name").unwrap_or_default(),
               "label": field(form, "label").unwrap_or_default(),
               "final": given(form, "final").is_some(),
               "force": given(form, "force").is_some()}),
    )
}

pub async fn cut(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    write(app, headers, body, |page, session, form| {
        may_act(page)?;
        let Some(name) = given(form, "name") else {
            let error = PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "name the revision (e.g. rev2)",
            );
            return revisions_page(page, form, Some(error));
        };
        let action = Action::Cut {
            name: name.to_owned(),
            label: given(form, "label").map(str::to_owned),
            adoption: match (given(form, "final"), given(form, "force")) {
                (None, _) => Adoption::None,
                (Some(_), None) => Adoption::Final,
                (Some(_), Some(_)) => Adoption::FinalForced,
            },
        };
        match actions::perform(page.repo, &session.delegation, page.app.now(), action) {
            Ok(outcome) => Ok(page.done(outcome.summary, "/revisions")),
            Err(error) => revisions_page(page, form, Some(error.into())),
        }
    })
    .await
}

/// The statuses the marking forms offer, in the order a clause goes through them, with what
/// a delegate calls each.
const STATUSES: &[(ClauseStatus, &str)] = &[
    (ClauseStatus::Draft, "Draft"),
    (ClauseStatus::Bracketed, "Bracketed (text not yet agreed)"),
    (ClauseStatus::AgreedAdRef, "Agreed ad referendum"),
    (ClauseStatus::Agreed, "Agreed"),
];

/// Marks the clauses ticked on the current text's form (`clause`, repeated) with `status`.
pub async fn mark(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    write(app, headers, body, |page, session, form| {
        may_act(page)?;
        let refused = |error| reading::text_page(page, None, Some(error), form);
        let clauses = form
            .iter()
            .filter(|(name, value)| name == "clause" && !value.is_empty())
            .map(|(_, value)| {
                value.parse().map_err(|e: crate::model::IdError| {
                    PageError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("paragraph: {e}"))
                })
            })
            .collect::<Result<Vec<ClauseId>, _>>();
        let action = match clauses.and_then(|clauses| marking(form, clauses)) {
            Ok(action) => action,
            Err(error) => return refused(error),
        };
        perform_marking(page, session, action, "/", refused)
    })
    .await
}

/// Marks one clause with `status`, from its page.
pub async fn mark_clause(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    write(app, headers, body, move |page, session, form| {
        may_act(page)?;
        let id = parse_clause(&id)?;
        let refused = |error| reading::clause_page(page, &id, Some(error), form);
        let action = match marking(form, vec![id.clone()]) {
            Ok(action) => action,
            Err(error) => return refused(error),
        };
        perform_marking(page, session, action, &format!("/clause/{id}"), refused)
    })
    .await
}

/// The marking form of the current text, for a visitor who may decide (`None` for anyone
/// else): every clause in order with its status, ticked as `form` sent them, the statuses,
/// and the amendments the next revision will apply.
pub(super) fn marking_form(
    page: &Page,
    declaration: &Declaration,
    form: &Form,
) -> Result<Option<Value>, PageError> {
    if !may_decide(page) {
        return Ok(None);
    }
    let ticked: Vec<&str> = form
        .iter()
        .filter(|(name, _)| name == "clause")
        .map(|(_, value)| value.as_str())
        .collect();
    let clauses: Vec<Value> = declaration
        .numbered()
        .map(|(number, id, clause)| {
            json!({"id": id.as_str(), "number": number.to_string(), "excerpt": excerpt(clause),
                   "status": clause.status.to_string(),
                   "ticked": ticked.contains(&id.as_str())})
        })
        .collect();
    Ok(Some(json!({
        "clauses": clauses,
        "statuses": status_choices(field(form, "status")),
        "accepted": awaiting_application(page)?,
    })))
}

/// The statuses a clause's page offers a visitor who may decide (`None` for anyone else),
/// the one `form` sent chosen, else the clause's own.
pub(super) fn status_form(page: &Page, current: ClauseStatus, form: &Form) -> Option<Value> {
    may_decide(page).then(|| {
        let current = current.to_string();
        status_choices(Some(field(form, "status").unwrap_or(&current)))
    })
}

/// The amendments accepted and not yet applied: what the next cut will apply. Read among the
/// pending ones only, since the current text shows it to the chair on every reload.
fn awaiting_application(page: &Page) -> Result<Vec<String>, PageError> {
    Ok(page
        .repo
        .load_pending_amendments(&At::WorkTree)?
        .iter()
        .filter(|a| a.awaits_application())
        .map(|a| a.id.to_string())
        .collect())
}

/// Whether the visitor is the chair or the secretariat, to whom the forms are shown.
fn may_decide(page: &Page) -> bool {
    page.visitor
        .delegation
        .as_ref()
        .is_some_and(|d| d.may_decide())
}

fn status_choices(chosen: Option<&str>) -> Value {
    STATUSES
        .iter()
        .map(|(status, label)| {
            let value = status.to_string();
            json!({"value": value, "label": label, "chosen": chosen == Some(value.as_str())})
        })
        .collect()
}

/// The mark a form asks for: its `status` on `clauses`, or why the form does not say.
fn marking(form: &Form, clauses: Vec<ClauseId>) -> Result<Action, PageError> {
    let bad = |message: String| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, message);
    let status = given(form, "status")
        .ok_or_else(|| bad("choose a status to mark with".into()))?
        .parse()
        .map_err(bad)?;
    if clauses.is_empty() {
        return Err(bad("tick at least one paragraph to mark".into()));
    }
    Ok(Action::Mark { status, clauses })
}

/// Performs a mark and goes to `back`, or shows the refusal on the page the form was on (the
/// repository unchanged: an action that fails makes no commit).
fn perform_marking(
    page: &Page,
    session: &Session,
    action: Action,
    back: &str,
    refused: impl FnOnce(PageError) -> Result<Response, PageError>,
) -> Result<Response, PageError> {
    match actions::perform(page.repo, &session.delegation, page.app.now(), action) {
        Ok(outcome) => Ok(page.done(outcome.summary, back)),
        Err(error) => refused(error.into()),
    }
}
