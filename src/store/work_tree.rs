//! The working tree and the index: which of decl's files differ from HEAD (edits made by hand,
//! looked for only among the paths a change writes), and bringing the files a commit changed
//! up to date on disk, each written atomically (a temporary file in `.git/decl-tmp/`, then a
//! rename), with their index entries, so that `git status` is clean afterwards.
//!
//! The index's format is left to `git_index`; when to write, and the journal that makes a
//! killed write finish, to `transaction`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{Oid, StatusOptions};

use super::git_index::{GitIndex, NewEntry, Staged};
use super::{DECL_PATHS, DeclRepo, StoreError, crash_point};

impl DeclRepo {
    /// The files decl owns that differ from HEAD in the working tree.
    pub fn uncommitted_changes(&self) -> Result<Vec<String>, StoreError> {
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        for path in DECL_PATHS {
            options.pathspec(path);
        }
        let statuses = self.repo.statuses(Some(&mut options))?;
        Ok(statuses
            .iter()
            .filter(|entry| !entry.status().is_ignored())
            .map(|entry| String::from_utf8_lossy(entry.path_bytes()).into_owned())
            .collect())
    }

    /// Which of `paths` differ from HEAD in the index or the working tree (or exist there
    /// untracked). Only those paths are looked at, however large the repository: a status of
    /// every file costs an lstat per file and grew with the negotiation.
    pub(super) fn uncommitted_changes_among<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p String>,
    ) -> Result<Vec<String>, StoreError> {
        let paths: Vec<&String> = paths.into_iter().collect();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        match GitIndex::read(self.repo.path()) {
            Some(index) => self.changed_against(&index, &paths),
            None => self.changed_by_libgit2_status(&paths),
        }
    }

    /// What `git status` would say of `paths`, from decl's own reading of the index: a path
    /// is changed when the index differs from HEAD there (staged), the file differs from the
    /// index (hashed: they are a few small files), or an untracked, unignored file is there.
    fn changed_against(
        &self,
        index: &GitIndex,
        paths: &[&String],
    ) -> Result<Vec<String>, StoreError> {
        let head_tree = match self.repo.head() {
            Ok(head) => Some(head.peel_to_tree()?),
            Err(_) => None,
        };
        let mut changed = Vec::new();
        for &path in paths {
            let in_head = head_tree
                .as_ref()
                .and_then(|tree| tree.get_path(Path::new(path)).ok())
                .filter(|entry| entry.kind() == Some(git2::ObjectType::Blob))
                .map(|entry| entry.id());
            let full = self.root.join(path);
            let on_disk = match std::fs::symlink_metadata(&full) {
                Ok(metadata) => Some(metadata),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => return Err(StoreError::io(full, error)),
            };
            let differs = match index.staged(path) {
                Staged::Conflicted => true,
                Staged::File(id) => {
                    Some(id) != in_head
                        || match &on_disk {
                            Some(metadata) if metadata.is_file() => {
                                Oid::hash_file(git2::ObjectType::Blob, &full)? != id
                            }
                            _ => true,
                        }
                }
                Staged::Missing => {
                    in_head.is_some()
                        || (on_disk.is_some()
                            && !self.repo.status_should_ignore(Path::new(path))?)
                }
            };
            if differs {
                changed.push(path.clone());
            }
        }
        Ok(changed)
    }

    /// The same through libgit2's status, for an index [`GitIndex`] leaves to it.
    fn changed_by_libgit2_status(&self, paths: &[&String]) -> Result<Vec<String>, StoreError> {
        let mut options = StatusOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .disable_pathspec_match(true);
        for path in paths {
            options.pathspec(path);
        }
        let statuses = self.repo.statuses(Some(&mut options))?;
        Ok(statuses
            .iter()
            .filter(|entry| !entry.status().is_ignored())
            .map(|entry| String::from_utf8_lossy(entry.path_bytes()).into_owned())
            .collect())
    }
}

/// Writes each changed file atomically (temporary file, then rename) and records it in the
/// index, so `git status` is clean afterwards. `None` removes the file.
pub(super) fn update_work_tree(
    store: &DeclRepo,
    writes: &BTreeMap<String, Option<Vec<u8>>>,
) -> Result<(), StoreError> {
    let root = &store.root;
    let index = GitIndex::read(store.repo.path());
    let mut entries = Vec::with_capacity(writes.len());
    for (idx, (path, content)) in writes.iter().enumerate() {
        if idx == 1 {
            crash_point("mid-files");
        }
        let full = root.join(path);
        match content {
            Some(bytes) => {
                write_atomically(&store.temp_dir(), &full, bytes)?;
                let metadata = std::fs::metadata(&full).map_err(|e| StoreError::io(&full, e))?;
                let id = Oid::hash_object(git2::ObjectType::Blob, bytes)?;
                entries.push((path.as_str(), Some(NewEntry { id, metadata })));
            }
            None => {
                match std::fs::remove_file(&full) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => return Err(StoreError::io(full, error)),
                }
                entries.push((path.as_str(), None));
            }
        }
    }
    match index {
        Some(index) => {
            index
                .write_updated(store.repo.path(), &entries)
                .map_err(|error| match error.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        StoreError::IndexLocked(store.repo.path().join("index.lock"))
                    }
                    _ => StoreError::io(store.repo.path().join("index"), error),
                })
        }
        None => record_in_index_by_libgit2(store, &entries),
    }
}

/// The same through libgit2, for an index [`GitIndex`] leaves to it (and a repository without
/// one yet).
fn record_in_index_by_libgit2(
    store: &DeclRepo,
    entries: &[(&str, Option<NewEntry>)],
) -> Result<(), StoreError> {
    let mut index = store.repo.index()?;
    for (path, entry) in entries {
        let path = Path::new(path);
        match entry {
            Some(_) => index.add_path(path)?,
            None => {
                if index.get_path(path, 0).is_some() {
                    index.remove_path(path)?;
                }
            }
        }
    }
    index.write()?;
    Ok(())
}

/// `.git/decl-tmp/`: where files are written before they are renamed into place.
pub(super) const TEMP_DIR: &str = "decl-tmp";

impl DeclRepo {
    fn temp_dir(&self) -> PathBuf {
        self.repo.path().join(TEMP_DIR)
    }

    /// Removes temporary files a killed command left behind (only ever under the write lock).
    pub(super) fn clear_temp_dir(&self) {
        if let Ok(entries) = std::fs::read_dir(self.temp_dir()) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A temporary file in `dir`, to be renamed over a user's file: created readable as any new
/// file would be (0666 less the umask), not 0600 as temporary files are by default.
pub(crate) fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Writes `bytes` to `path` through a temporary file in `temp_dir` (in `.git`, so that a
/// process killed half-way leaves no stray file among the clauses), then renames it into place:
/// a reader sees the old file or the new one, never half of one.
pub(super) fn write_atomically(
    temp_dir: &Path,
    path: &Path,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    std::fs::create_dir_all(temp_dir).map_err(|e| StoreError::io(temp_dir, e))?;
    let mut temp = temp_file_in(temp_dir).map_err(|e| StoreError::io(temp_dir, e))?;
    temp.write_all(bytes).map_err(|e| StoreError::io(path, e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| StoreError::io(path, e))?;
    temp.persist(path)
        .map_err(|e| StoreError::io(path, e.error))?;
    Ok(())
}
