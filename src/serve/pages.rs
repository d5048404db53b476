//! The routes: each reads the request, runs the library on a blocking thread, and renders a
//! page (or a redirect, or a download). Refusals are pages with the reason and a 4xx status.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::auth::{self, COOKIE, Session};
use super::{App, ReadAccess};
use crate::actions::{self, Action, ActionError, Adoption, Proposal, Target};
use crate::model::{
    Act, Amendment, AmendmentId, AmendmentStatus, ClauseId, Declaration, DeclarationMeta,
    Delegation, DelegationCode, Part, Position, RuleError,
};
use crate::redline::{RedlineOptions, redline};
use crate::render::compile::CompilationView;
use crate::render::emphasis::{mark_brackets, styled_runs};
use crate::render::redline_doc::{Scope, split_lines};
use crate::store::{At, DeclRepo, StoreError};
use crate::views::{self, ExportRequest, RedlineRequest, ViewError};

type Form = Vec<(String, String)>;

/// A page that could not be shown as asked: its status, message and hint.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
    hint: Option<String>,
}

impl PageError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
            hint: None,
        }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        let status = match &error {
            StoreError::UnknownRevision { .. } => StatusCode::NOT_FOUND,
            StoreError::Dirty(_)
            | StoreError::Busy(_)
            | StoreError::IndexLocked(_)
            | StoreError::TagExists(_) => StatusCode::CONFLICT,
            StoreError::BadTagName(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        PageError::new(status, error.to_string())
    }
}

impl From<ActionError> for PageError {
    fn from(error: ActionError) -> Self {
        let status = match &error {
            ActionError::Store(store) => return PageError::from_store_ref(store, &error),
            ActionError::Rule(
                RuleError::NotChairOrSecretariat { .. } | RuleError::Observer { .. },
            ) => StatusCode::FORBIDDEN,
            ActionError::UnknownAmendment { .. } | ActionError::UnknownClause { .. } => {
                StatusCode::NOT_FOUND
            }
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let hints = error.hints();
        PageError {
            hint: (!hints.is_empty()).then(|| hints.join("; ")),
            ..PageError::new(status, error.to_string())
        }
    }
}

impl PageError {
    fn from_store_ref(store: &StoreError, error: &ActionError) -> Self {
        let status = PageError::from(StoreError::NoCommits).status;
        let status = match store {
            StoreError::TagExists(_) | StoreError::Dirty(_) | StoreError::Busy(_) => {
                StatusCode::CONFLICT
            }
            StoreError::BadTagName(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::UnknownRevision { .. } => StatusCode::NOT_FOUND,
            _ => status,
        };
        PageError::new(status, error.to_string())
    }
}

impl From<ViewError> for PageError {
    fn from(error: ViewError) -> Self {
        match error {
            ViewError::Store(store) => store.into(),
            ViewError::NotFound { .. } => PageError::new(StatusCode::NOT_FOUND, error.to_string()),
            ViewError::Refused { message, hint } => PageError {
                status: StatusCode::CONFLICT,
                message,
                hint,
            },
        }
    }
}

impl From<crate::render::templates::RenderError> for PageError {
    fn from(error: crate::render::templates::RenderError) -> Self {
        PageError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

/// The visitor: a session if signed in (its token still valid), and the delegation.
struct Visitor {
    session_id: Option<String>,
    session: Option<Session>,
    delegation: Option<Delegation>,
    /// The declaration's title and symbol, read with the delegations, for every page's frame.
    meta: Option<DeclarationMeta>,
}

impl Visitor {
    fn code(&self) -> Option<&DelegationCode> {
        self.delegation.as_ref().map(|d| &d.code)
    }
}

/// One request's world: the server, the repository and who is asking.
struct Page<'a> {
    app: &'a App,
    repo: &'a DeclRepo,
    visitor: &'a Visitor,
}

impl Page<'_> {
    /// Renders `template` for this visitor; the status is 200 unless `error` says otherwise.
    fn show(
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
    fn done(&self, message: String, to: &str) -> Response {
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
async fn blocking<F>(app: Arc<App>, headers: HeaderMap, work: F) -> Response
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
async fn write<F>(app: Arc<App>, headers: HeaderMap, body: Bytes, work: F) -> Response
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
fn signs_its_own(delegation: &Delegation) -> bool {
    !delegation.keys.is_empty()
}

/// Refuses an action (not signing out) by a delegation that signs its own commits.
fn may_act(page: &Page) -> Result<(), PageError> {
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
fn same_origin(headers: &HeaderMap) -> Result<(), PageError> {
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

fn field<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A non-empty field's value, trimmed.
fn given<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    field(form, name).map(str::trim).filter(|v| !v.is_empty())
}

/// Renders `template` with what every page shows (who is signed in, the form token, the
/// declaration's title) added to `context`.
fn render(
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

fn error_page(app: &App, found: Option<(&DeclRepo, &Visitor)>, error: PageError) -> Response {
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

fn revision_names(repo: &DeclRepo) -> Result<Value, PageError> {
    let tags = repo.revisions()?;
    Ok(tags
        .iter()
        .enumerate()
        .map(|(idx, tag)| {
            json!({"name": tag.name, "label": tag.label,
                   "date": tag.time.format("%Y-%m-%d %H:%M").to_string(), "by": tag.tagger,
                   "previous": idx.checked_sub(1).map(|before| tags[before].name.clone())})
        })
        .collect())
}

// ---- reading ----

pub async fn text(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |page| text_page(page, None)).await
}

pub async fn revision_text(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    blocking(app, headers, move |page| text_page(page, Some(name))).await
}

fn text_page(page: &Page, rev: Option<String>) -> Result<Response, PageError> {
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
    page.show(
        "serve/text.html",
        None,
        json!({
            "page_title": if rev.is_some() { label.clone() } else { "Current text".into() },
            "label": label,
            "current": rev.is_none(),
            "view": view,
            "revisions": revision_names(page.repo)?,
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

fn parse_clause(text: &str) -> Result<ClauseId, PageError> {
    text.parse()
        .map_err(|e: crate::model::IdError| PageError::new(StatusCode::NOT_FOUND, e.to_string()))
}

pub async fn clause(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    blocking(app, headers, move |page| {
        let repo = page.repo;
        let id = parse_clause(&id)?;
        let declaration = repo.load(&At::WorkTree)?;
        actions::find_clause(&declaration, &id)?;
        let amendments = repo.load_amendments(&At::WorkTree)?;
        let mut view = CompilationView::new(&declaration, &amendments, "the current text");
        for part in &mut view.parts {
            part.clauses.retain(|c| c.id == id.as_str());
        }
        view.parts.retain(|p| !p.clauses.is_empty());
        let history: Vec<Value> = repo
            .clause_history(&id)?
            .into_iter()
            .map(|entry| {
                json!({"commit": &entry.commit[..10], "author": entry.author,
                       "date": entry.time.format("%Y-%m-%d %H:%M").to_string(),
                       "summary": entry.summary, "revisions": entry.revisions})
            })
            .collect();
        let blame: Vec<Value> = views::clause_blame(repo, &id)?
            .into_iter()
            .map(|span| json!({"text": span.text, "origin": span.origin}))
            .collect();
        let label = declaration
            .number_of(&id)
            .map_or_else(|| id.to_string(), |n| n.to_string());
        page.show(
            "serve/clause.html",
            None,
            json!({"page_title": format!("{label} ({id})"), "id": id.as_str(), "label": label,
                   "view": view, "history": history, "blame": blame}),
        )
    })
    .await
}

fn redline_request(query: &HashMap<String, String>) -> RedlineRequest {
    let pick = |name: &str| {
        query
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    RedlineRequest {
        from: pick("from"),
        to: pick("to"),
        clause: None,
    }
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

fn amendment_row(declaration: &Declaration, amendment: &Amendment) -> Value {
    json!({
        "id": amendment.id.to_string(),
        "status": amendment.status.to_string(),
        "description": amendment.describe(declaration),
        "proposer": amendment.proposer.as_str(),
        "cosponsors": amendment.cosponsors.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "supporters": amendment.supporters().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "opponents": amendment.opponents().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "pending": amendment.is_pending(),
    })
}

pub async fn amendments(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
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

/// The amendment's redline against the text it changes, as lines of styled runs.
fn redline_lines(declaration: &Declaration, amendment: &Amendment) -> Vec<Value> {
    match amendment.wordings(declaration) {
        Some((old, new)) => {
            let result = redline(&old, &new, &RedlineOptions::default());
            split_lines(mark_brackets(styled_runs(&result.segments)))
                .into_iter()
                .map(|line| json!(line))
                .collect()
        }
        None => Vec::new(),
    }
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
        let result = redline(&current_text, &new, &RedlineOptions::default());
        split_lines(mark_brackets(styled_runs(&result.segments)))
            .into_iter()
            .map(|line| json!(line))
            .collect()
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

pub async fn propose_form(
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
            // What a delegate reads, without the Markdown stars.
            let plain = crate::render::inline::plain_text(&clause.text);
            let mut excerpt: String = plain.chars().take(70).collect();
            if plain.chars().count() > 70 {
                excerpt.push('…');
            }
            json!({"id": id.as_str(), "label": format!("{number}: {excerpt}")})
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
            adoption: Adoption::None,
        };
        match actions::perform(page.repo, &session.delegation, page.app.now(), action) {
            Ok(outcome) => Ok(page.done(outcome.summary, "/revisions")),
            Err(error) => revisions_page(page, form, Some(error.into())),
        }
    })
    .await
}

// ---- exports ----

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
            let view =
                views::redline_between(repo, &request, &RedlineOptions::default(), Scope::Changes)?;
            let bytes = crate::render::docx::redline_docx(&view, "decl")
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

// ---- signing in ----

/// The link a token holder follows: exchanges the token for a session and moves on, so the
/// token leaves the address bar at once (and no page carrying it is ever shown).
pub async fn signin_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match query.get("token") {
        Some(token) => {
            let token = token.clone();
            tokio::task::spawn_blocking(move || sign_in(&app, &headers, &token))
                .await
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        None => tokio::task::spawn_blocking(move || {
            let repo = DeclRepo::discover(&app.options.root).ok();
            render(
                &app,
                repo.as_ref(),
                None,
                "serve/signin.html",
                StatusCode::OK,
                json!({"page_title": "Sign in"}),
            )
            .unwrap_or_else(|e| error_page(&app, None, e))
        })
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

pub async fn signin(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(error) = same_origin(&headers) {
        return error_page(&app, None, error);
    }
    let form: Form = form_urlencoded::parse(&body).into_owned().collect();
    let token = field(&form, "token").unwrap_or_default().to_owned();
    tokio::task::spawn_blocking(move || sign_in(&app, &headers, &token))
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn sign_in(app: &App, _headers: &HeaderMap, token: &str) -> Response {
    let result = (|| -> Result<Response, PageError> {
        let repo = DeclRepo::discover(&app.options.root)?;
        let now = app.now();
        let tokens = repo.access_tokens()?;
        let Some(found) = auth::find(&tokens, token, now) else {
            let error = PageError::new(
                StatusCode::UNAUTHORIZED,
                "this sign-in token is not valid: it may have expired or been revoked; \
                 ask the secretariat for a new link",
            );
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

// ---- assets and the rest ----

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("static/serve.css"),
    )
        .into_response()
}

pub async fn reload_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("static/reload.js"),
    )
        .into_response()
}

pub async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    blocking(app, headers, |_| {
        Err(PageError::new(
            StatusCode::NOT_FOUND,
            "there is no such page here",
        ))
    })
    .await
}
