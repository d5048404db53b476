//! The chair's and the secretariat's own work, beside their decisions on amendments (which
//! [`amendments`](super::amendments) owns): the revisions page with the form that cuts one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::error::PageError;
use super::page::{Page, blocking, may_act, write};
use super::{Form, field, given, revision_names};
use crate::actions::{self, Action};
use crate::serve::App;
use crate::store::At;

pub async fn revisions(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| revisions_page(page, &Vec::new(), None)).await
}

fn revisions_page(
    page: &Page,
    form: &Form,
    error: Option<PageError>,
) -> Result<Response, PageError> {
    let amendments = page.repo.load_amendments(&At::WorkTree)?;
    let accepted: Vec<String> = amendments
        .iter()
        .filter(|a| a.awaits_application())
        .map(|a| a.id.to_string())
        .collect();
    page.show(
        "serve/revisions.html",
        error.as_ref(),
        json!({"page_title": "Revisions", "revisions": revision_names(page.repo)?,
               "accepted": accepted, "error": error.as_ref().map(|e| &e.message),
               "name": field(form, "name").unwrap_or_default(),
               "label": field(form, "label").unwrap_or_default()}),
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
        };
        match actions::perform(page.repo, &session.delegation, page.app.now(), action) {
            Ok(outcome) => Ok(page.done(outcome.summary, "/revisions")),
            Err(error) => revisions_page(page, form, Some(error.into())),
        }
    })
    .await
}
