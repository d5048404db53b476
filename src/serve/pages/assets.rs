//! The stylesheet and the reload script, built into the binary.

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/serve.css"),
    )
        .into_response()
}

pub async fn reload_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/reload.js"),
    )
        .into_response()
}
