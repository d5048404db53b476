//! The routes: each reads the request, runs the library on a blocking thread, and renders a
//! page (or a redirect, or a download). Refusals are pages with the reason and a 4xx status.
//!
//! One file per thing a visitor does: [`page`] turns every request into a [`Page`](page::Page)
//! (who is asking, the form's checks, the write lock, rendering); [`error`] says how a
//! refusal from the library becomes a page; [`reading`] shows the text, a clause and
//! comparisons; [`amendments`] the amendments and the acts on them; [`propose`] the proposal
//! form; [`chair`] the chair's and secretariat's own work (marking clauses, cutting
//! revisions); [`downloads`] the exports; [`signin`] sessions; [`assets`] the static files.
//! What several pages need (form fields, revision names, redline lines) is here.

pub(super) mod amendments;
pub(super) mod assets;
pub(super) mod chair;
pub(super) mod downloads;
mod error;
mod page;
pub(super) mod propose;
pub(super) mod reading;
pub(super) mod signin;

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::model::{Amendment, Clause, ClauseId, Declaration};
use crate::redline::{RedlineOptions, redline};
use crate::render::emphasis::{mark_brackets, styled_runs};
use crate::render::redline_doc::split_lines;
use crate::store::DeclRepo;
use crate::views::RedlineRequest;
use error::PageError;

pub(super) use page::not_found;

/// A form as posted: its fields in order (a field may repeat, as the co-sponsors do).
type Form = Vec<(String, String)>;

/// A field's value as sent.
fn field<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A non-empty field's value, trimmed.
fn given<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    field(form, name).map(str::trim).filter(|v| !v.is_empty())
}

/// A clause id from an address; one that cannot be an id is a page that is not there.
fn parse_clause(text: &str) -> Result<ClauseId, PageError> {
    text.parse()
        .map_err(|e: crate::model::IdError| PageError::new(StatusCode::NOT_FOUND, e.to_string()))
}

/// The revisions a comparison's address names (`?from=rev1&to=rev2`); empty means the default.
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

/// The amendment's redline against the text it changes, as lines of styled runs.
fn redline_lines(declaration: &Declaration, amendment: &Amendment) -> Vec<Value> {
    match amendment.wordings(declaration) {
        Some((old, new)) => wording_redline(&old, &new),
        None => Vec::new(),
    }
}

/// The redline of wording `new` against `old`, as lines of styled runs (the paragraph, then
/// one line per sub-paragraph) for the `runs` macro.
fn wording_redline(old: &str, new: &str) -> Vec<Value> {
    let result = redline(old, new, &RedlineOptions::default());
    split_lines(mark_brackets(styled_runs(&result.segments)))
        .into_iter()
        .map(|line| json!(line))
        .collect()
}

/// The start of a clause's paragraph as a delegate reads it (without the Markdown stars), to
/// name it in a list.
fn excerpt(clause: &Clause) -> String {
    let plain = crate::render::inline::plain_text(&clause.text);
    let mut excerpt: String = plain.chars().take(70).collect();
    if plain.chars().count() > 70 {
        excerpt.push('…');
    }
    excerpt
}

/// Every revision, oldest first, with the one before it (for "compare with the one before").
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
