//! What stands between a text and its adoption, and the translations of an adopted text.
//!
//! The secretariat may only issue a final text when every clause is agreed, no square
//! brackets remain, no amendment is still open, and every translation matches the wording it
//! translates; [`export_blockers`] lists what stands in the way, by paragraph number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::amendment::Amendment;
use super::declaration::{ClauseStatus, Declaration};
use super::id::ClauseId;

/// `translations/<lang>/<clause-id>.yaml`: one clause in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseTranslation {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subparagraphs: Vec<String>,
    /// The sha-256 of the source wording this translates; a different hash means the source
    /// changed since and the translation is out of date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_hash: Option<String>,
}

/// `translations/<lang>/declaration.yaml`: the title, place and chapeau in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaTranslation {
    pub title: String,
    pub short_title: String,
    pub conference: String,
    pub place: String,
    pub chapeau: String,
}

/// Every translation into one language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Translation {
    pub language: String,
    pub meta: Option<MetaTranslation>,
    pub clauses: BTreeMap<ClauseId, ClauseTranslation>,
}

/// A clause whose translation cannot be used as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranslationGap {
    Missing(ClauseId),
    Outdated(ClauseId),
    MissingHeading,
}

impl Translation {
    /// The clauses (and headings) whose translation is missing or older than the source.
    pub fn gaps(&self, declaration: &Declaration) -> Vec<TranslationGap> {
        let mut gaps = Vec::new();
        if self.meta.is_none() {
            gaps.push(TranslationGap::MissingHeading);
        }
        for (_, id, clause) in declaration.numbered() {
            match self.clauses.get(id) {
                None => gaps.push(TranslationGap::Missing(id.clone())),
                Some(translation)
                    if translation.source_hash.as_deref()
                        != Some(clause.wording_hash().as_str()) =>
                {
                    gaps.push(TranslationGap::Outdated(id.clone()))
                }
                Some(_) => {}
            }
        }
        gaps
    }
}

/// Everything that prevents issuing `declaration` as a final text, each as a sentence that
/// starts with the paragraph number.
pub fn export_blockers(declaration: &Declaration, amendments: &[Amendment]) -> Vec<String> {
    let mut blockers = Vec::new();
    for (number, id, clause) in declaration.numbered() {
        if clause.status != ClauseStatus::Agreed {
            blockers.push(format!("{number} ({id}) is {}, not agreed", clause.status));
        }
        let spans = clause.brackets().map(|spans| spans.len()).unwrap_or(1);
        if spans > 0 {
            blockers.push(format!(
                "{number} ({id}) still holds {spans} square-bracketed span{}",
                if spans == 1 { "" } else { "s" }
            ));
        }
    }
    for amendment in amendments {
        let what = amendment.describe(declaration);
        if amendment.status == super::AmendmentStatus::Tabled {
            blockers.push(format!("{} ({what}) is still tabled", amendment.id));
        } else if amendment.awaits_application() {
            blockers.push(format!(
                "{} ({what}) is accepted but not yet applied: cut a revision",
                amendment.id
            ));
        }
    }
    blockers
}

impl std::fmt::Display for TranslationGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TranslationGap::Missing(id) => write!(f, "{id} has no translation"),
            TranslationGap::Outdated(id) => {
                write!(f, "{id}'s translation is older than its current wording")
            }
            TranslationGap::MissingHeading => write!(
                f,
                "the title and chapeau have no translation (declaration.yaml)"
            ),
        }
    }
}
