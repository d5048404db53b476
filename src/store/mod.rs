//! The declaration repository on disk: YAML files in a git repository, through git2.
//!
//! This is the only module that touches the file system or git. It reads a revision (the
//! working tree, or any commit or tag straight from the object database), validates it, and
//! writes changes as a [`Transaction`]: the changes are collected first, then become exactly one
//! commit authored by the acting delegation; on any error nothing is written. git2 types stay
//! inside this module.
//!
//! Each file owns one part. `repo` opens a repository and answers queries about any revision
//! ([`DeclRepo`], [`At`]: declarations, amendments, revision tags, a clause's history), reading
//! its files through `read` (YAML to model values, and every problem `decl check` reports).
//! `transaction` turns one action into one commit ([`Transaction`]: staging, the journal, the
//! commit and its tag published together, recovery after a killed command), and `work_tree`
//! brings the working tree and index up to date and finds edits made by hand. This file holds
//! what they share: [`StoreError`] and the repository's layout.

mod briefs;
mod bulk;
mod git_index;
mod history;
mod merge;
mod parse_cache;
mod read;
mod repo;
mod signing;
mod source;
mod sync;
pub mod tokens;
mod transaction;
mod work_tree;
pub mod yaml;

use std::path::PathBuf;

use git2::Oid;

use crate::model::validate::{DECLARATION_FILE, DELEGATIONS_FILE};
pub use bulk::Bulk;
pub use history::History;
pub use merge::MergeConflict;
pub use read::{
    DraftFiles, check_directory, check_files, load_directory, read_draft, read_translation_dir,
};
pub use repo::{At, ClauseCommit, DeclRepo, RevisionTag, applied_trailers};
pub use signing::KeySource;
pub use sync::{Integration, RevisionClash, SyncReport, Upstream};
pub use transaction::{NewTag, Transaction};
pub(crate) use work_tree::temp_file_in;
pub use yaml::Problem;

/// The directories and files decl owns in a repository.
const DECL_PATHS: &[&str] = &[
    DECLARATION_FILE,
    DELEGATIONS_FILE,
    "clauses",
    AMENDMENTS_DIR,
    "translations",
];

/// Where amendments are kept, one folder per proposing delegation.
const AMENDMENTS_DIR: &str = "amendments";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not a declaration repository (or any parent up to /): {0}")]
    NotFound(PathBuf),
    #[error("{0} is a bare git repository: decl needs a working tree")]
    Bare(PathBuf),
    #[error("{path} already exists and is not empty")]
    NotEmpty { path: PathBuf },
    #[error("unknown revision {name:?}{hint}")]
    UnknownRevision { name: String, hint: String },
    #[error("the repository has no commits yet")]
    NoCommits,
    #[error("the declaration is not valid:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
    #[error("the working tree has changes that are not committed:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Dirty(Vec<String>),
    #[error("this would overwrite changes in the working tree that are not committed:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    WouldOverwrite(Vec<String>),
    #[error("the repository is in the middle of a {0}: finish or abort it with git first")]
    Busy(String),
    #[error("another git process seems to be running in this repository ({0} exists)")]
    IndexLocked(PathBuf),
    #[error(
        "HEAD is detached: check out a branch (git switch main) before changing the declaration"
    )]
    DetachedHead,
    #[error("revision {0} already exists")]
    TagExists(String),
    #[error("{0:?} is not a valid revision name (use letters, digits, '-', '.' and '_')")]
    BadTagName(String),
    #[error("{0}")]
    BadRevisionName(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not serialise {file}: {source}")]
    Serialise {
        file: String,
        source: serde_yaml::Error,
    },
    #[error("{}: cannot sign with this key: {why}", .path.display())]
    Signing { path: PathBuf, why: String },
    #[error("the branch has no remote to sync with")]
    NoRemote,
    #[error("cannot reach {remote}: {message}")]
    Remote { remote: String, message: String },
    #[error("{upstream} cannot be merged: the two clones changed the same thing differently:\n{}\nnothing was changed here", sync::describe_conflicts(.conflicts))]
    SyncConflicts {
        upstream: String,
        conflicts: Vec<MergeConflict>,
    },
    #[error("{} cut differently here and on {remote}:\n{}\nnothing was changed here", sync::describe_revisions(.clashes), sync::describe_clashes(.clashes, .remote))]
    RevisionClash {
        remote: String,
        clashes: Vec<RevisionClash>,
    },
    #[error("the remote refused the push: {0}")]
    PushRejected(String),
    #[error("could not sign the commit: {0}")]
    SignFailed(String),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

impl StoreError {
    fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

fn oid_string(oid: Oid) -> String {
    oid.to_string()
}

/// A test-only hook: `DECL_TEST_CRASH_AT=<point>` aborts the process there, as a power cut or
/// `kill -9` would, so the tests can prove that the next command recovers.
fn crash_point(point: &str) {
    if cfg!(debug_assertions) && std::env::var("DECL_TEST_CRASH_AT").is_ok_and(|at| at == point) {
        std::process::abort();
    }
}
