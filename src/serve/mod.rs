//! `decl serve`: the negotiation in a browser. A second edge beside `cli`: it parses HTTP
//! requests, calls the same [`actions`](crate::actions) and [`views`](crate::views) the
//! command line calls, and renders pages with the tera templates the exports use.
//!
//! Every request opens the repository afresh (git2's `Repository` is not `Sync`, and the
//! command line may commit at any time), on a blocking thread. Writes are serialised by one
//! async mutex here and by the store's own file lock against other processes; each action is
//! one commit authored by the signed-in delegation. Nothing below this module knows about
//! HTTP; nothing here knows a rule of procedure.

pub mod auth;
mod pages;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset};

use crate::store::KeySource;

/// Who may read without signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAccess {
    /// Anyone who can reach the server may read; acting needs a sign-in.
    Public,
    /// Only signed-in delegations see anything but the sign-in page.
    SignedIn,
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The repository's working tree.
    pub root: PathBuf,
    pub bind: SocketAddr,
    pub read_access: ReadAccess,
    /// Mark the session cookie `Secure` (behind a TLS reverse proxy).
    pub secure_cookies: bool,
    pub key_source: KeySource,
    /// Record every action at this time instead of the clock's (tests, `DECL_TIMESTAMP`).
    pub fixed_time: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// What every request shares.
pub(crate) struct App {
    pub options: ServeOptions,
    pub sessions: auth::Sessions,
    /// Held by every write, so that two delegations acting at once are committed one after
    /// the other (the store's lock does the same against other processes).
    pub writes: tokio::sync::Mutex<()>,
}

impl App {
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.options
            .fixed_time
            .unwrap_or_else(|| chrono::Local::now().fixed_offset())
    }
}

/// Runs the server until interrupted. `ready` is called with the bound address (the port the
/// system chose for `:0`) once the server accepts connections.
pub fn serve(options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let bind = options.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|source| ServeError::Bind { addr: bind, source })?;
        ready(listener.local_addr()?);
        let app = Arc::new(App {
            options,
            sessions: auth::Sessions::default(),
            writes: tokio::sync::Mutex::new(()),
        });
        axum::serve(listener, router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::reading::text))
        .route("/rev/{name}", get(pages::reading::revision_text))
        .route("/compilation", get(pages::reading::compilation))
        .route("/clause/{id}", get(pages::reading::clause))
        .route("/clause/{id}/mark", post(pages::chair::mark_clause))
        .route("/mark", post(pages::chair::mark))
        .route("/compare", get(pages::reading::compare))
        .route("/amendments", get(pages::amendments::list))
        .route("/amendments/{id}", get(pages::amendments::amendment))
        .route("/amendments/{id}/{act}", post(pages::amendments::act))
        .route(
            "/propose",
            get(pages::propose::form).post(pages::propose::propose),
        )
        .route(
            "/revisions",
            get(pages::chair::revisions).post(pages::chair::cut),
        )
        .route("/exports", get(pages::downloads::exports))
        .route("/export/{file}", get(pages::downloads::export))
        .route(
            "/signin",
            get(pages::signin::link).post(pages::signin::signin),
        )
        .route("/signout", post(pages::signin::signout))
        .route("/static/serve.css", get(pages::assets::stylesheet))
        .route("/static/reload.js", get(pages::assets::reload_script))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Headers on every response: no framing, no sniffing, no referrer (a sign-in link must not
/// leak), scripts and styles from this server only.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // The shared document styles are inline in base.html; scripts may come only from here.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
