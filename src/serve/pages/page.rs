//! What every request goes through: who is asking ([`Visitor`], from the session cookie),
//! the [`Page`] a route's work is handed, the blocking thread it runs on, the checks before a
//! write (origin, CSRF token, the write lock, a delegation that signs its own commits), and
//! rendering a page with what every page shows.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::error::PageError;
use super::{Form, field};
use crate::model::{DeclarationMeta, Delegation, DelegationCode};
use crate::serve::auth::{self, COOKIE, Session};
use crate::serve::{App, ReadAccess};
use crate::store::{At, DeclRepo};

/// The visitor: a session if signed in (its token still valid), and the delegation.
pub(super) struct Visitor {
    pub session_id: Option<String>,
    pub session: Option<Session>,
    pub delegation: Option<Delegation>,
    /// The declaration's title and symbol, read with the delegations, for every page's frame.
    pub meta: Option<DeclarationMeta>,
}

impl Visitor {
    pub fn code(&self) -> Option<&DelegationCode> {
        self.delegation.as_ref().map(|d| &d.code)
    }
}

/// One request's world: the server, the repository and who is asking.
pub(super) struct Page<'a> {
    pub app: &'a App,
    pub repo: &'a DeclRepo,
    pub visitor: &'a Visitor,
}

impl Page<'_> {
    /// Renders `template` for this visitor; the status is 200 unless `error` says otherwise.
    pub fn show(
        &self,
        template: &str,
        error: Option<&PageError>,
        context: Value,
    ) -> Result<Response, PageError> {
        let status = error.map_or(StatusCode::OK, |e| e.status);
        render(
            self.app,
            Some(self.repo),
            Some(self.visitor),
            template,
            status,
            context,
        )
    }

    /// After an action: the message for the next page, and a redirect there (POST, then GET).
    pub fn done(&self, message: String, to: &str) -> Response {
        if let Some(id) = &self.visitor.session_id {
            self.app.sessions.set_flash(id, message);
        }
        Redirect::to(to).into_response()
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Opens the repository and finds who is asking; a session whose token was revoked or has
/// expired ends here.
fn visitor(app: &App, headers: &HeaderMap) -> Result<(DeclRepo, Visitor), PageError> {
    let mut repo = DeclRepo::discover(&app.options.root)?;
    repo.sign_with(app.options.key_source.clone());
    let now = app.now();
    let session_id = session_cookie(headers);
    let session = session_id
        .as_deref()
        .and_then(|id| app.sessions.get(id, now));
    let session = match session {
        Some(session) => {
            let tokens = repo.access_tokens()?;
            let valid = tokens
                .iter()
                .any(|t| t.id == session.token_id && auth::is_valid(t, now));
            if !valid && let Some(id) = &session_id {
                app.sessions.close(id);
            }
            valid.then_some(session)
        }
        None => None,
    };
    // The outline (title, delegations) is read once, for who is asking and for the page's
    // frame. A signed-in visitor needs it; an anonymous one gets a page even if it is broken.
    let outline = match &session {
        Some(_) => Some(repo.load_with(&At::WorkTree, &Default::default())?),
        None => repo.load_with(&At::WorkTree, &Default::default()).ok(),
    };
    let delegation = session.as_ref().and_then(|session| {
        outline
            .as_ref()
            .and_then(|o| o.delegation(&session.delegation).cloned())
    });
    Ok((
        repo,
        Visitor {
            session_id,
            session,
            delegation,
            meta: outline.map(|o| o.meta),
        },
    ))
}

/// Runs `work` on a blocking thread with the repository and the visitor.
pub(super) async fn blocking<F>(app: Arc<App>, headers: HeaderMap, work: F) -> Response
where
    F: FnOnce(&Page) -> Result<Response, PageError> + Send + 'static,
{
    let result = tokio::task::spawn_blocking(move || {
        let (repo, visitor) = match visitor(&app, &headers) {
            Ok(found) => found,
            Err(error) => return error_page(&app, None, error),
        };
        if app.options.read_access == ReadAccess::SignedIn && visitor.session.is_none() {
            return Redirect::to("/signin").into_response();
        }
        let page = Page {
            app: &app,
            repo: &repo,
            visitor: &visitor,
        };
        match work(&page) {
            Ok(response) => response,
            Err(error) => error_page(&app, Some((&repo, &visitor)), error),
        }
    })
    .await;
    result.unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response())
}

/// A write: checks the form's origin and CSRF token, takes the write lock, then runs `work`.
pub(super) async fn write<F>(app: Arc<App>, headers: HeaderMap, body: Bytes, work: F) -> Response
where
    F: FnOnce(&Page, &Session, &Form) -> Result<Response, PageError> + Send + 'static,
{
    let form: Form = form_urlencoded::parse(&body).into_owned().collect();
    if let Err(error) = same_origin(&headers) {
        return error_page(&app, None, error);
    }
    let guard = app.clone();
    let _writing = guard.writes.lock().await;
    blocking(app, headers, move |page| {
        let Some(session) = &page.visitor.session else {
            return Err(PageError::new(
                StatusCode::UNAUTHORIZED,
                "sign in to act: your session has ended, or you never signed in",
            ));
        };
        let sent = field(&form, "csrf").unwrap_or_default();
        if !auth::csrf_matches(session, sent) {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "this form is out of date or did not come from this site (bad CSRF token): \
                 reload the page and try again",
            ));
        }
        work(page, session, &form)
    })
    .await
}

/// A delegation with keys in `delegations.yaml` must sign its own commits (`decl verify`
/// holds it to that); the server cannot sign for it, so it reads here but acts elsewhere.
pub(super) fn signs_its_own(delegation: &Delegation) -> bool {
    !delegation.keys.is_empty()
}

/// Refuses an action (not signing out) by a delegation that signs its own commits.
pub(super) fn may_act(page: &Page) -> Result<(), PageError> {
    match &page.visitor.delegation {
        Some(delegation) if signs_its_own(delegation) => Err(PageError {
            status: StatusCode::FORBIDDEN,
            message: format!(
                "{} signs its actions with its own key (delegations.yaml), which this server \
                 does not hold: nothing was done",
                delegation.code
            ),
            hint: Some(format!(
                "act from the command line with your key: decl --key KEY ... --as {}",
                delegation.code
            )),
        }),
        _ => Ok(()),
    }
}

/// Refuses a form posted from another site, where the browser says so.
pub(super) fn same_origin(headers: &HeaderMap) -> Result<(), PageError> {
    let refuse = || {
        PageError::new(
            StatusCode::FORBIDDEN,
            "this form was sent from another site, so nothing was done",
        )
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(refuse());
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        // Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` even for its
        // own forms; Sec-Fetch-Site (above) and the CSRF token still hold.
        let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
        if origin != "null" && origin_host != host {
            return Err(refuse());
        }
    }
    Ok(())
}

/// Renders `template` with what every page shows (who is signed in, the form token, the
/// declaration's title) added to `context`.
pub(super) fn render(
    app: &App,
    repo: Option<&DeclRepo>,
    visitor: Option<&Visitor>,
    template: &str,
    status: StatusCode,
    mut context: Value,
) -> Result<Response, PageError> {
    let meta = match visitor.and_then(|v| v.meta.clone()) {
        Some(meta) => Some(meta),
        None => repo
            .and_then(|repo| repo.load_with(&At::WorkTree, &Default::default()).ok())
            .map(|d| d.meta),
    };
    let object = context.as_object_mut().expect("page contexts are objects");
    let language = meta
        .as_ref()
        .and_then(|m| m.languages.first().cloned())
        .unwrap_or_else(|| "en".into());
    object.entry("lang").or_insert(json!(language.clone()));
    object
        .entry("dir")
        .or_insert(json!(crate::render::redline_doc::direction(&language)));
    object.insert(
        "site_title".into(),
        json!(meta.as_ref().map_or("decl", |m| m.short_title.as_str())),
    );
    object.entry("short_title").or_insert(json!(
        meta.as_ref().map_or("decl", |m| m.short_title.as_str())
    ));
    object
        .entry("symbol")
        .or_insert(json!(meta.as_ref().map_or("", |m| m.symbol.as_str())));
    if let Some(visitor) = visitor {
        if let Some(delegation) = &visitor.delegation {
            object.insert(
                "user".into(),
                json!({
                    "code": delegation.code.as_str(),
                    "name": delegation.name,
                    "role": delegation.role.to_string(),
                    "may_decide": delegation.may_decide(),
                    "may_negotiate": delegation.may_negotiate(),
                    "signs_its_own": signs_its_own(delegation),
                }),
            );
        }
        if let Some(session) = &visitor.session {
            object.insert("csrf".into(), json!(session.csrf));
        }
        if let Some(id) = &visitor.session_id
            && let Some(flash) = app.sessions.take_flash(id)
        {
            object.insert("flash".into(), json!(flash));
        }
    }
    let html = crate::render::templates::render(template, None, &context)?;
    Ok((
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

pub(super) fn error_page(
    app: &App,
    found: Option<(&DeclRepo, &Visitor)>,
    error: PageError,
) -> Response {
    let context = json!({
        "page_title": error.status.canonical_reason().unwrap_or("Error"),
        "status": error.status.as_u16(),
        "message": error.message,
        "hint": error.hint,
    });
    render(
        app,
        found.map(|f| f.0),
        found.map(|f| f.1),
        "serve/error.html",
        error.status,
        context,
    )
    .unwrap_or_else(|e| (error.status, e.message).into_response())
}

/// Any address no route answers.
pub async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |_| {
        Err(PageError::new(
            StatusCode::NOT_FOUND,
            "there is no such page here",
        ))
    })
    .await
}
