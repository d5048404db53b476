//! Downloads: the adopted text (or the current one, marked DRAFT) as HTML, Word and Akoma
//! Ntoso, and a comparison of two revisions as a Word redline.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::PageError;
use super::page::blocking;
use super::{redline_request, revision_names};
use crate::redline::RedlineOptions;
use crate::render::redline_doc::Scope;
use crate::serve::App;
use crate::views::{self, ExportRequest};

pub async fn exports(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| {
        let adopted = page.repo.revisions()?.iter().any(|t| t.name == "adopted");
        page.show(
            "serve/exports.html",
            None,
            json!({"page_title": "Downloads", "adopted": adopted,
                   "revisions": revision_names(page.repo)?}),
        )
    })
    .await
}

pub async fn export(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    blocking(app, headers, move |page| {
        let (app, repo) = (page.app, page.repo);
        let download = |bytes: Vec<u8>, content_type: &'static str, name: &str| {
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                .unwrap_or(HeaderValue::from_static("attachment"));
            Ok((
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response())
        };
        if file == "redline.docx" {
            let request = redline_request(&query);
            // The whole text, as `decl redline --format docx` gives it: Reject All then gives
            // back the older text.
            let view = views::redline_between(
                repo,
                &request,
                &RedlineOptions::default(),
                Scope::Everything,
            )?;
            let bytes = crate::render::docx_redline::redline_docx(&view, "decl")
                .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            return download(
                bytes,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "redline.docx",
            );
        }
        // The adopted text when there is one; until then the working text, marked DRAFT.
        let adopted = repo.revisions()?.iter().any(|t| t.name == "adopted");
        let view = views::export(
            repo,
            &ExportRequest {
                rev: None,
                lang: None,
                draft: !adopted,
            },
        )?;
        match file.as_str() {
            "declaration.html" => download(
                view.html(None)?.into_bytes(),
                "text/html; charset=utf-8",
                "declaration.html",
            ),
            "declaration.docx" => download(
                crate::render::docx::export_docx(&view).map_err(|e| {
                    PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
                })?,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "declaration.docx",
            ),
            "declaration.akn.xml" => download(
                crate::render::akn::akoma_ntoso(&view, &app.now().date_naive().to_string())
                    .into_bytes(),
                "application/xml",
                "declaration.akn.xml",
            ),
            _ => Err(PageError::new(
                StatusCode::NOT_FOUND,
                format!("there is no download called {file:?}"),
            )),
        }
    })
    .await
}
