//! Where a revision's files are read from: the working tree, or a git tree (any commit or tag)
//! read straight from the object database, without a checkout; or files held in memory, for
//! checking files that are not on disk (the fuzz target).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, Tree};

use super::StoreError;

pub(crate) enum Source<'r> {
    WorkTree(PathBuf),
    Tree(&'r Repository, Tree<'r>),
    /// Repository-relative paths (`clauses/op-x.yaml`) and their bytes.
    Files(BTreeMap<String, Vec<u8>>),
}

impl Source<'_> {
    /// The bytes of a file, or `None` when it does not exist.
    pub(crate) fn read(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Source::WorkTree(root) => match std::fs::read(root.join(path)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(error) => Err(StoreError::io(root.join(path), error)),
            },
            Source::Tree(repo, tree) => {
                let Ok(entry) = tree.get_path(Path::new(path)) else {
                    return Ok(None);
                };
                if entry.kind() != Some(ObjectType::Blob) {
                    return Ok(None);
                }
                let blob = repo.find_blob(entry.id())?;
                Ok(Some(blob.content().to_vec()))
            }
            Source::Files(files) => Ok(files.get(path).cloned()),
        }
    }

    /// The names of the entries of a directory (files only), sorted; empty when it is missing.
    pub(crate) fn list(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        let mut names = Vec::new();
        match self {
            Source::WorkTree(root) => {
                let entries = match std::fs::read_dir(root.join(dir)) {
                    Ok(entries) => entries,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(error) => return Err(StoreError::io(root.join(dir), error)),
                };
                for entry in entries {
                    let entry = entry.map_err(|error| StoreError::io(root.join(dir), error))?;
                    if entry.file_type().is_ok_and(|t| t.is_file()) {
                        names.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            Source::Tree(repo, tree) => {
                let Ok(entry) = tree.get_path(Path::new(dir)) else {
                    return Ok(names);
                };
                if entry.kind() != Some(ObjectType::Tree) {
                    return Ok(names);
                }
                let subtree = repo.find_tree(entry.id())?;
                for entry in subtree.iter() {
                    if entry.kind() == Some(ObjectType::Blob) {
                        names.push(String::from_utf8_lossy(entry.name_bytes()).into_owned());
                    }
                }
            }
            Source::Files(files) => {
                // The files directly in `dir`, as a directory listing would show them.
                let prefix = if dir == "." {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                names.extend(
                    files
                        .keys()
                        .filter_map(|path| path.strip_prefix(&prefix))
                        .filter(|name| !name.is_empty() && !name.contains('/'))
                        .map(str::to_owned),
                );
            }
        }
        // Hidden files are an editor's or the system's (`.op-x.yaml.swp`, `.DS_Store`).
        names.retain(|name| !name.starts_with('.'));
        names.sort();
        Ok(names)
    }
}
