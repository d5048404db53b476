//! Reading the history for `decl verify`: each commit's author, signature and changed files,
//! gathered as the model's [`CommitFacts`] for its rules to judge.
//!
//! Works in a bare repository too, because the pre-receive hook runs `decl verify` on the
//! server, where the pushed objects wait in git's quarantine directory (named by the
//! environment git sets for the hook).

use std::path::Path;

use git2::{Commit, Oid, Repository, Tree};

use super::merge::{changed_files, merge_trees};
use super::{StoreError, signing, yaml};
use crate::model::declaration::DeclarationMeta;
use crate::model::key::check_signature;
use crate::model::validate::{DELEGATIONS_FILE, amendment_of_path};
use crate::model::verify::{CommitFacts, FileChange};
use crate::model::{Amendment, Clause, ClauseId, DelegationsFile, SignatureCheck};

/// A repository opened only to read its history: bare or not.
pub struct History {
    repo: Repository,
}

impl History {
    /// Opens the repository containing `start`, or the one git names in the environment
    /// (`GIT_DIR`, and the quarantine's object directories) when run from a hook.
    pub fn open(start: &Path) -> Result<Self, StoreError> {
        let repo = if std::env::var_os("GIT_DIR").is_some() {
            Repository::open_from_env()
        } else {
            Repository::discover(start)
        }
        .map_err(|_| StoreError::NotFound(start.to_owned()))?;
        Ok(History { repo })
    }

    /// The facts of every commit in `range` (`A..B`, or one revision and all its ancestors;
    /// HEAD when `None`), oldest first.
    pub fn facts(&self, range: Option<&str>) -> Result<Vec<CommitFacts>, StoreError> {
        let repo = &self.repo;
        let mut walk = repo.revwalk()?;
        let unknown = |name: &str| StoreError::UnknownRevision {
            name: name.to_owned(),
            hint: String::new(),
        };
        match range {
            Some(range) if range.contains("..") => {
                walk.push_range(range).map_err(|_| unknown(range))?
            }
            Some(rev) => {
                let commit = repo
                    .revparse_single(rev)
                    .and_then(|object| object.peel_to_commit())
                    .map_err(|_| unknown(rev))?;
                walk.push(commit.id())?;
            }
            None => {
                if walk.push_head().is_err() {
                    return Err(StoreError::NoCommits);
                }
            }
        }
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        let mut all = Vec::new();
        for oid in walk {
            all.push(self.commit_facts(&repo.find_commit(oid?)?)?);
        }
        Ok(all)
    }

    fn commit_facts(&self, commit: &Commit<'_>) -> Result<CommitFacts, StoreError> {
        let repo = &self.repo;
        let tree = commit.tree()?;
        let first_parent = commit.parent(0).ok();
        // Rights come from the delegations file before the commit; the first commit, which
        // creates it, is judged by its own.
        let rights_tree = match &first_parent {
            Some(parent) => parent.tree()?,
            None => tree.clone(),
        };
        let delegations = read_blob(repo, &rights_tree, DELEGATIONS_FILE)?
            .and_then(|bytes| yaml::parse::<DelegationsFile>(DELEGATIONS_FILE, &bytes).ok())
            .map(|file| file.delegations)
            .unwrap_or_default();
        let author = commit.author();
        let email = author.email().unwrap_or_default().to_owned();
        let name = author.name().unwrap_or_default().to_owned();
        let actor = delegations
            .iter()
            .find(|d| d.email().eq_ignore_ascii_case(&email))
            .cloned();
        let signature = match signing::commit_signature(repo, commit.id())? {
            None => SignatureCheck::Unsigned,
            Some((armoured, content)) => check_signature(&armoured, &content),
        };

        let mut unmergeable = None;
        let compare_with = if commit.parent_count() > 1 {
            match self.decl_merge(commit)? {
                Ok(merged) => Some(repo.find_tree(merged)?),
                Err(why) => {
                    unmergeable = Some(why);
                    Some(tree.clone())
                }
            }
        } else {
            match &first_parent {
                Some(parent) => Some(parent.tree()?),
                None => None,
            }
        };
        let mut changes = Vec::new();
        for (path, _) in changed_files(repo, compare_with.as_ref(), Some(&tree))? {
            if let Some(change) = classify(repo, &path, compare_with.as_ref(), &tree)? {
                changes.push(change);
            }
        }
        Ok(CommitFacts {
            commit: commit.id().to_string(),
            summary: commit
                .summary()
                .ok()
                .flatten()
                .unwrap_or_default()
                .to_owned(),
            author: format!("{name} <{email}>"),
            actor,
            signature,
            changes,
            unmergeable,
        })
    }

    /// The tree decl's merge of a merge commit's two parents gives, or why there is none.
    fn decl_merge(&self, commit: &Commit<'_>) -> Result<Result<Oid, String>, StoreError> {
        let repo = &self.repo;
        if commit.parent_count() != 2 {
            return Ok(Err("decl makes merges of exactly two parents".into()));
        }
        let ours = commit.parent(0)?;
        let theirs = commit.parent(1)?;
        let base = match repo.merge_base(ours.id(), theirs.id()) {
            Ok(base) => Some(repo.find_commit(base)?.tree()?),
            Err(_) => None,
        };
        Ok(
            match merge_trees(repo, base.as_ref(), &ours.tree()?, &theirs.tree()?)? {
                Ok(tree) => Ok(tree),
                Err(conflicts) => Err(format!(
                    "its parents conflict ({}), so it is not a merge decl would make",
                    conflicts
                        .iter()
                        .map(|c| c.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
        )
    }
}

/// What kind of decl file `path` is, with the versions the rules need; `None` for files
/// that are not decl's (a README, templates).
fn classify(
    repo: &Repository,
    path: &str,
    before: Option<&Tree<'_>>,
    after: &Tree<'_>,
) -> Result<Option<FileChange>, StoreError> {
    let read_before = |path: &str| -> Result<Option<Vec<u8>>, StoreError> {
        match before {
            Some(tree) => read_blob(repo, tree, path),
            None => Ok(None),
        }
    };
    if path == DELEGATIONS_FILE {
        return Ok(Some(FileChange::Delegations));
    }
    if path == crate::model::validate::DECLARATION_FILE {
        let parse = |bytes: Option<Vec<u8>>| {
            bytes.and_then(|bytes| yaml::parse::<DeclarationMeta>(path, &bytes).ok())
        };
        let before = parse(read_before(path)?);
        let after = parse(read_blob(repo, after, path)?);
        let adopts = match (before, after) {
            (Some(before), Some(after)) => {
                before.adopted.is_none()
                    && after.adopted.is_some()
                    && DeclarationMeta {
                        adopted: None,
                        ..after
                    } == before
            }
            _ => false,
        };
        return Ok(Some(FileChange::Meta { adopts }));
    }
    if path.starts_with("translations/") {
        return Ok(Some(FileChange::Translation {
            path: path.to_owned(),
        }));
    }
    if let Some(id) = path
        .strip_prefix("clauses/")
        .and_then(|name| name.strip_suffix(".yaml"))
        .and_then(|stem| stem.parse::<ClauseId>().ok())
    {
        let parse = |bytes: Option<Vec<u8>>| {
            bytes.and_then(|bytes| yaml::parse::<Clause>(path, &bytes).ok())
        };
        return Ok(Some(FileChange::Clause {
            id,
            before: parse(read_before(path)?),
            after: parse(read_blob(repo, after, path)?),
        }));
    }
    if path.starts_with("amendments/") {
        let unreadable = || {
            Ok(Some(FileChange::UnreadableAmendment {
                path: path.to_owned(),
            }))
        };
        let Some(id) = amendment_of_path(path) else {
            return unreadable();
        };
        let parse = |bytes: Option<Vec<u8>>| -> Result<Option<Amendment>, ()> {
            match bytes {
                None => Ok(None),
                Some(bytes) => yaml::parse::<Amendment>(path, &bytes)
                    .ok()
                    .filter(|amendment| amendment.id == id)
                    .map(Some)
                    .ok_or(()),
            }
        };
        let after_amendment = match parse(read_blob(repo, after, path)?) {
            Ok(amendment) => amendment,
            Err(()) => return unreadable(),
        };
        // An unreadable earlier version was reported when it was written.
        let before_amendment = parse(read_before(path)?).unwrap_or(None);
        return Ok(Some(FileChange::Amendment {
            id,
            before: before_amendment,
            after: after_amendment,
        }));
    }
    Ok(None)
}

fn read_blob(
    repo: &Repository,
    tree: &Tree<'_>,
    path: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => {
            Ok(Some(repo.find_blob(entry.id())?.content().to_vec()))
        }
        _ => Ok(None),
    }
}
