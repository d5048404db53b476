//! decl's own merge of two trees: one file per amendment, merged by the model, and every
//! other file taken from whichever side changed it.
//!
//! `decl sync` uses it to integrate a clone with its remote, and `decl verify` uses it again
//! to check that a merge commit holds exactly what decl would have made of its parents.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository, Tree};

use super::{StoreError, yaml};
use crate::model::Amendment;
use crate::model::sync::merge_amendment;

/// A file both sides changed in ways decl cannot combine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeConflict {
    pub path: String,
    pub reason: String,
}

/// The blob id of every file that differs between `from` and `to` (`None`: removed in `to`).
pub(crate) fn changed_files(
    repo: &Repository,
    from: Option<&Tree<'_>>,
    to: Option<&Tree<'_>>,
) -> Result<BTreeMap<String, Option<Oid>>, StoreError> {
    let diff = repo.diff_tree_to_tree(from, to, None)?;
    let mut changed = BTreeMap::new();
    for delta in diff.deltas() {
        let file = if delta.new_file().id().is_zero() {
            delta.old_file()
        } else {
            delta.new_file()
        };
        let Some(path) = file.path().and_then(Path::to_str) else {
            continue;
        };
        let new_id = delta.new_file().id();
        changed.insert(path.to_owned(), (!new_id.is_zero()).then_some(new_id));
    }
    Ok(changed)
}

/// Merges `theirs` into `ours` against `base`: the merged tree's id, or every conflict.
pub(crate) fn merge_trees(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    ours: &Tree<'_>,
    theirs: &Tree<'_>,
) -> Result<Result<Oid, Vec<MergeConflict>>, StoreError> {
    let our_changes = changed_files(repo, base, Some(ours))?;
    let their_changes = changed_files(repo, base, Some(theirs))?;
    let mut builder = git2::build::TreeUpdateBuilder::new();
    let mut conflicts = Vec::new();
    for (path, their_blob) in &their_changes {
        let Some(our_blob) = our_changes.get(path) else {
            match their_blob {
                Some(blob) => builder.upsert(path.as_str(), *blob, git2::FileMode::Blob),
                None => builder.remove(path.as_str()),
            };
            continue;
        };
        if our_blob == their_blob {
            continue;
        }
        let conflict = |reason: String| MergeConflict {
            path: path.clone(),
            reason,
        };
        let (Some(our_blob), Some(their_blob)) = (our_blob, their_blob) else {
            conflicts.push(conflict(
                "one clone removed it while the other changed it".into(),
            ));
            continue;
        };
        if !(path.starts_with("amendments/") && path.ends_with(".yaml")) {
            conflicts.push(conflict("both clones changed it differently".into()));
            continue;
        }
        let read = |blob: Oid| -> Result<Result<Amendment, String>, StoreError> {
            let blob = repo.find_blob(blob)?;
            Ok(
                yaml::parse::<Amendment>(path, blob.content()).map_err(|problems| {
                    problems
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                }),
            )
        };
        let base_amendment = match base.map(|tree| tree.get_path(Path::new(path))) {
            Some(Ok(entry)) => read(entry.id())?.ok(),
            _ => None,
        };
        let merged = match (read(*our_blob)?, read(*their_blob)?) {
            (Ok(ours), Ok(theirs)) => merge_amendment(base_amendment.as_ref(), &ours, &theirs),
            (Err(why), _) | (_, Err(why)) => Err(why),
        };
        match merged {
            Ok(amendment) => {
                let text =
                    serde_yaml::to_string(&amendment).map_err(|source| StoreError::Serialise {
                        file: path.clone(),
                        source,
                    })?;
                let blob = repo.blob(text.as_bytes())?;
                builder.upsert(path.as_str(), blob, git2::FileMode::Blob);
            }
            Err(reason) => conflicts.push(conflict(reason)),
        }
    }
    if !conflicts.is_empty() {
        return Ok(Err(conflicts));
    }
    Ok(Ok(builder.create_updated(repo, ours)?))
}
