//! Signing in and out: a token (from a link or the form) exchanged for a session cookie, by a
//! same-origin POST only.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::error::PageError;
use super::page::{error_page, render, same_origin, write};
use super::{Form, field};
use crate::serve::App;
use crate::serve::auth::{self, COOKIE};
use crate::store::DeclRepo;

/// The link a token holder follows. It only asks: signing in takes the confirming POST of the
/// form it shows (same origin only), so a link followed from another site, or planted in a
/// colleague's browser, signs nobody in as anybody.
pub async fn link(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = query.get("token").cloned();
    tokio::task::spawn_blocking(move || {
        let result = (|| -> Result<Response, PageError> {
            let repo = DeclRepo::discover(&app.options.root).ok();
            let mut context = json!({"page_title": "Sign in"});
            let mut status = StatusCode::OK;
            if let (Some(token), Some(repo)) = (&token, &repo) {
                let tokens = repo.access_tokens()?;
                match auth::find(&tokens, token, app.now()) {
                    Some(found) => {
                        let name = repo
                            .load(&crate::store::At::WorkTree)
                            .ok()
                            .and_then(|d| d.delegation(&found.delegation).map(|d| d.name.clone()))
                            .unwrap_or_else(|| found.delegation.to_string());
                        context["confirm"] = json!({
                            "code": found.delegation.to_string(),
                            "name": name,
                            "token": token,
                        });
                    }
                    None => {
                        status = StatusCode::UNAUTHORIZED;
                        context["error"] = json!(INVALID_TOKEN);
                    }
                }
            }
            let mut response = render(
                &app,
                repo.as_ref(),
                None,
                "serve/signin.html",
                status,
                context,
            )?;
            // The page holds the token: no cache may keep it.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        })();
        result.unwrap_or_else(|e| error_page(&app, None, e))
    })
    .await
    .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

const INVALID_TOKEN: &str = "this sign-in token is not valid: it may have expired or been revoked; \
                             ask the secretariat for a new link";

pub async fn signin(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(error) = same_origin(&headers) {
        return error_page(&app, None, error);
    }
    let form: Form = form_urlencoded::parse(&body).into_owned().collect();
    let token = field(&form, "token").unwrap_or_default().to_owned();
    tokio::task::spawn_blocking(move || sign_in(&app, &token))
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn sign_in(app: &App, token: &str) -> Response {
    let result = (|| -> Result<Response, PageError> {
        let repo = DeclRepo::discover(&app.options.root)?;
        let now = app.now();
        let tokens = repo.access_tokens()?;
        let Some(found) = auth::find(&tokens, token, now) else {
            let error = PageError::new(StatusCode::UNAUTHORIZED, INVALID_TOKEN);
            return render(
                app,
                Some(&repo),
                None,
                "serve/signin.html",
                error.status,
                json!({"page_title": "Sign in", "error": error.message}),
            );
        };
        let session_id = app
            .sessions
            .open(found, now)
            .map_err(|e| PageError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        app.sessions
            .set_flash(&session_id, format!("Signed in as {}.", found.delegation));
        let secure = if app.options.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!("{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Strict{secure}");
        let mut response = Redirect::to("/").into_response();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        Ok(response)
    })();
    result.unwrap_or_else(|error| error_page(app, None, error))
}

pub async fn signout(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    write(app, headers, body, |page, _session, _form| {
        if let Some(id) = &page.visitor.session_id {
            page.app.sessions.close(id);
        }
        let mut response = Redirect::to("/signin").into_response();
        response.headers_mut().insert(
            header::SET_COOKIE,
            HeaderValue::from_static("decl_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
        );
        Ok(response)
    })
    .await
}
