//! The amendments: the list, one amendment's page (its redline, record and the forms for
//! what the visitor may do), and the acts on it, from support to the chair's decision.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::error::PageError;
use super::page::{Page, blocking, may_act, write};
use super::{Form, field, given, redline_lines, wording_redline};
use crate::actions::{self, Action};
use crate::model::{Act, Amendment, AmendmentId, AmendmentStatus, Declaration, Delegation};
use crate::serve::App;
use crate::serve::auth::Session;
use crate::store::At;

fn amendment_row(declaration: &Declaration, amendment: &Amendment) -> Value {
    json!({
        "id": amendment.id.to_string(),
        "status": amendment.status.to_string(),
        "description": amendment.describe(declaration),
        "proposer": amendment.proposer.as_str(),
        "cosponsors": amendment.cosponsors.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "invited": amendment.invited.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "supporters": amendment.supporters().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "opponents": amendment.opponents().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "pending": amendment.is_pending(),
    })
}

pub async fn list(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| {
        let declaration = page.repo.load(&At::WorkTree)?;
        let mut amendments = page.repo.load_amendments(&At::WorkTree)?;
        amendments.sort_by_key(|a| (!a.is_pending(), a.id.to_string()));
        let rows: Vec<Value> = amendments
            .iter()
            .map(|a| amendment_row(&declaration, a))
            .collect();
        page.show(
            "serve/amendments.html",
            None,
            json!({"page_title": "Amendments", "amendments": rows}),
        )
    })
    .await
}

pub async fn amendment(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    blocking(app, headers, move |page| {
        amendment_page(page, &id, None, &Vec::new())
    })
    .await
}

fn parse_amendment_id(text: &str) -> Result<AmendmentId, PageError> {
    text.parse()
        .map_err(|e: crate::model::IdError| PageError::new(StatusCode::NOT_FOUND, e.to_string()))
}

/// The amendment's page; after a refused action, with the refusal and what the form held.
fn amendment_page(
    page: &Page,
    id: &str,
    error: Option<PageError>,
    form: &Form,
) -> Result<Response, PageError> {
    let repo = page.repo;
    let id = parse_amendment_id(id)?;
    let declaration = repo.load(&At::WorkTree)?;
    let Some(amendment) = repo.load_amendment(&At::WorkTree, &id)? else {
        let ids = repo.amendment_ids(&At::WorkTree)?;
        let ids: Vec<String> = ids.iter().map(|a| a.to_string()).collect();
        return Err(PageError::new(
            StatusCode::NOT_FOUND,
            format!(
                "unknown amendment {id}{}",
                crate::model::suggest::did_you_mean(
                    &id.to_string(),
                    ids.iter().map(String::as_str)
                )
            ),
        ));
    };
    let record: Vec<Value> = amendment
        .record
        .iter()
        .map(|entry| {
            json!({"action": entry.action.to_string(), "by": entry.by.as_str(),
                   "at": entry.at.format("%Y-%m-%d %H:%M").to_string(),
                   "reason": entry.reason, "text": entry.text, "span": entry.span,
                   "revision": entry.revision})
        })
        .collect();
    let visitor = page.visitor;
    let code = visitor.code();
    let pending = amendment.status == AmendmentStatus::Tabled;
    let is_proposer = code == Some(&amendment.proposer);
    let may = |rule: fn(&Delegation) -> bool| visitor.delegation.as_ref().is_some_and(rule);
    let clause = amendment.clause().clone();
    let clause_label = declaration
        .number_of(&clause)
        .map_or_else(|| clause.to_string(), |n| n.to_string());
    let current_text = amendment
        .change
        .target()
        .and_then(|target| declaration.clauses.get(target))
        .map(|c| c.wording())
        .unwrap_or_default();
    // The chair edits the paragraph as it would read with the amendment, and sees its redline
    // against the current text before deciding.
    let modified_text = match field(form, "text") {
        Some(text) => text.replace("\r\n", "\n"),
        None => amendment
            .result_wording(&current_text)
            .unwrap_or(current_text.clone()),
    };
    let preview_lines: Vec<Value> = if field(form, "preview").is_some() {
        let new = crate::model::amendment::normalise_wording(&modified_text);
        wording_redline(&current_text, &new)
    } else {
        Vec::new()
    };
    let stance = code.and_then(|code| amendment.stance_of(code));
    page.show(
        "serve/amendment.html",
        error.as_ref(),
        json!({
            "page_title": format!("Amendment {id}"),
            "amendment": amendment_row(&declaration, &amendment),
            "justification": amendment.justification,
            "clause": clause.as_str(),
            "clause_label": clause_label,
            "clause_exists": declaration.clauses.contains_key(&clause),
            "stale": amendment.is_stale(&declaration),
            "lines": redline_lines(&declaration, &amendment),
            "record": record,
            "error": error.as_ref().map(|e| &e.message),
            "hint": error.as_ref().and_then(|e| e.hint.as_ref()),
            "modified_text": modified_text,
            "modifiable": amendment.change.text().is_some(),
            "preview_lines": preview_lines,
            "reason": field(form, "reason").unwrap_or_default(),
            "stance": stance.map(|stance| match stance {
                crate::model::Stance::Supports => "supports",
                crate::model::Stance::Cosponsors => "co-sponsors",
                crate::model::Stance::Opposes => "opposes",
            }),
            "can": {
                "support": pending && stance.is_none() && may(Delegation::may_cosponsor) && !is_proposer,
                "cosponsor": pending && stance != Some(crate::model::Stance::Cosponsors) && stance != Some(crate::model::Stance::Opposes) && may(Delegation::may_cosponsor) && !is_proposer,
                "retract": pending && stance.is_some(),
                "withdraw": pending && is_proposer,
                "decide": pending && may(Delegation::may_decide),
                "reopen": (amendment.awaits_application() || amendment.status == AmendmentStatus::Rejected) && may(Delegation::may_decide),
            },
        }),
    )
}

// ---- acting ----

pub async fn act(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((id, act)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    write(app, headers, body, move |page, session, form| {
        may_act(page)?;
        let amendment_id = parse_amendment_id(&id)?;
        let reason = given(form, "reason").map(str::to_owned);
        let act = match act.as_str() {
            "support" => Act::Support,
            "oppose" => Act::Oppose { reason },
            "cosponsor" => Act::Cosponsor,
            "withdraw" => Act::Withdraw,
            "retract" => Act::Retract,
            "accept" => Act::Accept { modified: None },
            "accept-modified" => match given(form, "text") {
                // Showing the redline of the chair's wording commits nothing.
                Some(_) if field(form, "preview").is_some() => {
                    return amendment_page(page, &id, None, form);
                }
                Some(text) => {
                    let action = Action::AcceptAsModified {
                        id: amendment_id,
                        paragraph: text.replace("\r\n", "\n"),
                    };
                    return finish(page, session, action, &id, form);
                }
                None => {
                    let error = PageError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "accepting as modified needs the modified wording",
                    );
                    return amendment_page(page, &id, Some(error), form);
                }
            },
            "reject" => Act::Reject { reason },
            "reopen" => Act::Reopen { reason },
            "rebase" => {
                let action = Action::Rebase { id: amendment_id };
                return finish(page, session, action, &id, form);
            }
            _ => {
                return Err(PageError::new(
                    StatusCode::NOT_FOUND,
                    format!("there is no action {act:?} on an amendment"),
                ));
            }
        };
        let action = Action::Act {
            id: amendment_id,
            act,
        };
        finish(page, session, action, &id, form)
    })
    .await
}

/// Performs an action on amendment `id` and goes back to its page, or shows the page with
/// the refusal (the repository unchanged: an action that fails makes no commit).
fn finish(
    page: &Page,
    session: &Session,
    action: Action,
    id: &str,
    form: &Form,
) -> Result<Response, PageError> {
    match actions::perform(page.repo, &session.delegation, page.app.now(), action) {
        Ok(outcome) => {
            let mut message = outcome.summary;
            if !outcome.competing.is_empty() {
                let ids: Vec<String> = outcome.competing.iter().map(|i| i.to_string()).collect();
                message.push_str(&format!(
                    ". Still to decide on this clause: {}",
                    ids.join(", ")
                ));
            }
            Ok(page.done(message, &format!("/amendments/{id}")))
        }
        Err(error) => amendment_page(page, id, Some(error.into()), form),
    }
}
