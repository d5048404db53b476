//! Proposing an amendment: the form (starting from a clause's wording), its preview as a
//! redline, and the proposal it describes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::error::PageError;
use super::page::{Page, blocking, may_act, write};
use super::{Form, excerpt, field, given, redline_lines};
use crate::actions::{self, Action, Proposal, Target};
use crate::model::{ClauseId, DelegationCode, Part, Position};
use crate::serve::App;
use crate::store::At;

pub async fn form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    blocking(app, headers, move |page| {
        let mut form: Form = query.into_iter().collect();
        if let Some(clause) = field(&form, "clause").map(str::to_owned)
            && field(&form, "text").is_none()
        {
            // Replacing a clause starts from its current wording.
            let declaration = page.repo.load(&At::WorkTree)?;
            if let Some(existing) = clause
                .parse::<ClauseId>()
                .ok()
                .and_then(|id| declaration.clauses.get(&id).cloned())
            {
                form.push(("text".into(), existing.wording()));
            }
        }
        propose_page(page, &form, None, None)
    })
    .await
}

/// The proposal form, holding what was typed; with the refusal, or with the preview.
fn propose_page(
    page: &Page,
    form: &Form,
    error: Option<PageError>,
    preview: Option<Vec<Value>>,
) -> Result<Response, PageError> {
    let declaration = page.repo.load(&At::WorkTree)?;
    let clauses: Vec<Value> = declaration
        .numbered()
        .map(|(number, id, clause)| {
            json!({"id": id.as_str(), "label": format!("{number}: {}", excerpt(clause))})
        })
        .collect();
    let others: Vec<Value> = declaration
        .delegations
        .iter()
        .filter(|d| d.may_cosponsor() && Some(&d.code) != page.visitor.code())
        .map(|d| json!({"code": d.code.as_str(), "name": d.name}))
        .collect();
    let chosen: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "cosponsor")
        .map(|(_, v)| v.as_str())
        .collect();
    page.show(
        "serve/propose.html",
        error.as_ref(),
        json!({
            "page_title": "Propose an amendment",
            "operations": OPERATIONS
                .iter()
                .map(|(value, label)| json!({"value": value, "label": label}))
                .collect::<Vec<_>>(),
            "clauses": clauses,
            "delegations": others,
            "error": error.as_ref().map(|e| &e.message),
            "preview": preview,
            "form": {
                "operation": field(form, "operation").unwrap_or("replace"),
                "clause": field(form, "clause").unwrap_or_default(),
                "span": field(form, "span").unwrap_or_default(),
                "text": field(form, "text").unwrap_or_default(),
                "justification": field(form, "justification").unwrap_or_default(),
                "anchor": field(form, "anchor").unwrap_or_default(),
                "new_id": field(form, "new_id").unwrap_or_default(),
                "cosponsors": chosen,
            },
        }),
    )
}

/// The operations the proposal form offers, as `proposal_from` reads them.
const OPERATIONS: &[(&str, &str)] = &[
    ("replace", "Replace the wording of a paragraph"),
    ("delete", "Delete a paragraph"),
    ("insert-after", "Insert a new paragraph after another"),
    ("insert-before", "Insert a new paragraph before another"),
    (
        "insert-end-preamble",
        "Insert a new paragraph at the end of the preamble",
    ),
    (
        "insert-end-operative",
        "Insert a new paragraph at the end of the operative part",
    ),
    ("move-after", "Move a paragraph after another"),
    ("move-before", "Move a paragraph before another"),
];

/// The proposal a form describes, or why it does not describe one.
fn proposal_from(form: &Form) -> Result<Proposal, PageError> {
    let bad = |message: String| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, message);
    let clause = || -> Result<ClauseId, PageError> {
        let text = given(form, "clause").ok_or_else(|| bad("choose a paragraph".into()))?;
        text.parse()
            .map_err(|e: crate::model::IdError| bad(format!("paragraph: {e}")))
    };
    let anchor = || -> Result<ClauseId, PageError> {
        let text = given(form, "anchor")
            .ok_or_else(|| bad("choose the paragraph the new one goes next to".into()))?;
        text.parse()
            .map_err(|e: crate::model::IdError| bad(format!("paragraph: {e}")))
    };
    let operation = given(form, "operation").unwrap_or("replace");
    let target = match operation {
        "replace" => Target::Replace(clause()?),
        "delete" => Target::Delete(clause()?),
        "insert-after" => Target::Insert(Position::After(anchor()?)),
        "insert-before" => Target::Insert(Position::Before(anchor()?)),
        "insert-end-preamble" => Target::Insert(Position::End(Part::Preamble)),
        "insert-end-operative" => Target::Insert(Position::End(Part::Operative)),
        "move-after" => Target::Move(clause()?, Position::After(anchor()?)),
        "move-before" => Target::Move(clause()?, Position::Before(anchor()?)),
        other => return Err(bad(format!("unknown operation {other:?}"))),
    };
    let takes_text = matches!(target, Target::Replace(_) | Target::Insert(_));
    let text = if takes_text {
        field(form, "text").map(|t| t.replace("\r\n", "\n").trim().to_owned())
    } else {
        None
    };
    let cosponsors = form
        .iter()
        .filter(|(k, v)| k == "cosponsor" && !v.is_empty())
        .map(|(_, v)| {
            v.parse()
                .map_err(|e: crate::model::IdError| bad(format!("co-sponsor: {e}")))
        })
        .collect::<Result<Vec<DelegationCode>, _>>()?;
    let new_id = match given(form, "new_id") {
        Some(text) if matches!(target, Target::Insert(_)) => Some(
            text.parse()
                .map_err(|e: crate::model::IdError| bad(format!("new paragraph's id: {e}")))?,
        ),
        _ => None,
    };
    Ok(Proposal {
        span: given(form, "span")
            .filter(|_| matches!(target, Target::Replace(_)))
            .map(str::to_owned),
        target,
        text,
        justification: given(form, "justification").map(str::to_owned),
        cosponsors,
        new_id,
    })
}

pub async fn propose(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    write(app, headers, body, |page, session, form| {
        may_act(page)?;
        let proposal = match proposal_from(form) {
            Ok(proposal) => proposal,
            Err(error) => return propose_page(page, form, Some(error), None),
        };
        let (repo, now) = (page.repo, page.app.now());
        if field(form, "intent") == Some("preview") {
            return match actions::preview(repo, &session.delegation, now, proposal) {
                Ok((amendment, declaration)) => {
                    let mut lines = redline_lines(&declaration, &amendment);
                    if lines.is_empty() {
                        // A deletion or a move has no wording to compare: say what it does.
                        lines.push(
                            json!([{"kind": "equal", "text": amendment.describe(&declaration),
                                           "italic": false, "bold": false, "bracketed": false}]),
                        );
                    }
                    propose_page(page, form, None, Some(lines))
                }
                Err(error) => propose_page(page, form, Some(error.into()), None),
            };
        }
        match actions::perform(repo, &session.delegation, now, Action::Propose(proposal)) {
            Ok(outcome) => {
                let id = outcome
                    .amendment
                    .map(|id| id.to_string())
                    .unwrap_or_default();
                Ok(page.done(outcome.summary, &format!("/amendments/{id}")))
            }
            Err(error) => propose_page(page, form, Some(error.into()), None),
        }
    })
    .await
}
