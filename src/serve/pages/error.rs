//! How a refusal becomes a page: the library's errors as a status (403 for a rule about who
//! may act, 404 for what is not there, 409 for a conflict with the repository's state, 422
//! for a request that cannot be done), a message and a hint.

use axum::http::StatusCode;

use crate::actions::ActionError;
use crate::model::RuleError;
use crate::store::StoreError;
use crate::views::ViewError;

/// A page that could not be shown as asked: its status, message and hint.
#[derive(Debug)]
pub struct PageError {
    pub(super) status: StatusCode,
    pub(super) message: String,
    pub(super) hint: Option<String>,
}

impl PageError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
            hint: None,
        }
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        PageError::new(store_status(&error), error.to_string())
    }
}

impl From<ActionError> for PageError {
    fn from(error: ActionError) -> Self {
        let status = match &error {
            ActionError::Store(store) => store_status(store),
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

/// A store error's status, whether a page was read or an action refused: the repository's
/// state against the request is a conflict (someone else is writing, edits by hand, a tag
/// that exists), a name git or decl cannot take is the request's fault.
fn store_status(error: &StoreError) -> StatusCode {
    match error {
        StoreError::UnknownRevision { .. } => StatusCode::NOT_FOUND,
        StoreError::Dirty(_)
        | StoreError::WouldOverwrite(_)
        | StoreError::Busy(_)
        | StoreError::IndexLocked(_)
        | StoreError::TagExists(_) => StatusCode::CONFLICT,
        StoreError::BadTagName(_) | StoreError::BadRevisionName(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
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
