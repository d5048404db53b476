//! Where a revision's files are read from: the working tree, or a git tree (any commit or tag)
//! read straight from the object database, without a checkout; or files held in memory, for
//! checking files that are not on disk (the fuzz target).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, Tree};

use super::StoreError;

pub(crate) enum Source<'r> {
    WorkTree(PathBuf),
    Tree(GitTree<'r>),
    /// Repository-relative paths (`clauses/op-x.yaml`) and their bytes.
    Files(BTreeMap<String, Vec<u8>>),
}

/// A commit's tree, with the directories already looked up kept parsed.
///
/// libgit2 keeps no parsed tree over 4 KiB in its cache, and `amendments/` holds one entry per
/// amendment: looking each file up from the root would parse that directory again for every
/// file read, which made reading all amendments quadratic.
pub(crate) struct GitTree<'r> {
    repo: &'r Repository,
    root: Tree<'r>,
    directories: RefCell<HashMap<String, Option<Tree<'r>>>>,
}

impl<'r> Source<'r> {
    /// Where decl keeps its own files for this repository (`.git/decl`): the parse cache.
    /// `None` for files held in memory, and for a linked worktree, whose `.git` is a file.
    pub(crate) fn cache_dir(&self) -> Option<PathBuf> {
        match self {
            Source::WorkTree(root) => {
                let git = root.join(".git");
                git.is_dir().then(|| git.join("decl"))
            }
            Source::Tree(tree) => Some(tree.repo.path().join("decl")),
            Source::Files(_) => None,
        }
    }

    pub(crate) fn tree(repo: &'r Repository, root: Tree<'r>) -> Self {
        Source::Tree(GitTree {
            repo,
            root,
            directories: RefCell::new(HashMap::new()),
        })
    }
}

impl<'r> GitTree<'r> {
    /// The tree of directory `dir` (`""` for the root), or `None` when there is none.
    fn directory(&self, dir: &str) -> Result<Option<Tree<'r>>, StoreError> {
        if dir.is_empty() {
            return Ok(Some(self.root.clone()));
        }
        if let Some(tree) = self.directories.borrow().get(dir) {
            return Ok(tree.clone());
        }
        let tree = match self.root.get_path(Path::new(dir)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Some(self.repo.find_tree(entry.id())?)
            }
            _ => None,
        };
        self.directories
            .borrow_mut()
            .insert(dir.to_owned(), tree.clone());
        Ok(tree)
    }
}

impl GitTree<'_> {
    /// The id of the blob at `path`, or `None` when there is none.
    fn blob_id(&self, path: &str) -> Result<Option<git2::Oid>, StoreError> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let Some(tree) = self.directory(dir)? else {
            return Ok(None);
        };
        Ok(tree
            .get_name(name)
            .filter(|entry| entry.kind() == Some(ObjectType::Blob))
            .map(|entry| entry.id()))
    }
}

impl Source<'_> {
    /// The bytes of a file, or `None` when it does not exist.
    pub(crate) fn read(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Source::WorkTree(root) => {
                refuse_symlinks(root, path)?;
                match std::fs::read(root.join(path)) {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(error) => Err(StoreError::io(root.join(path), error)),
                }
            }
            Source::Tree(git) => match git.blob_id(path)? {
                Some(id) => Ok(Some(git.repo.find_blob(id)?.content().to_vec())),
                None => Ok(None),
            },
            Source::Files(files) => Ok(files.get(path).cloned()),
        }
    }

    /// The git blob id of the file at `path`, known without reading it; `None` when it is
    /// missing or the source is not a git tree.
    pub(crate) fn blob_id(&self, path: &str) -> Result<Option<git2::Oid>, StoreError> {
        match self {
            Source::Tree(git) => git.blob_id(path),
            _ => Ok(None),
        }
    }

    /// Whether the file at `path` may differ between `self` and `other`: false only when both
    /// are git trees holding the same blob there, which is known without reading it.
    pub(crate) fn may_differ(&self, other: &Source<'_>, path: &str) -> Result<bool, StoreError> {
        let (Source::Tree(mine), Source::Tree(theirs)) = (self, other) else {
            return Ok(true);
        };
        Ok(mine.blob_id(path)? != theirs.blob_id(path)?)
    }

    /// The names of the files in a directory, sorted; empty when it is missing.
    pub(crate) fn list(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        self.entries(dir, EntryKind::File)
    }

    /// The names of the folders in a directory, sorted; empty when it is missing.
    pub(crate) fn list_folders(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        self.entries(dir, EntryKind::Folder)
    }

    /// Whether anything under folder `dir` may differ between `self` and `other`: false only
    /// when both are git trees holding the same tree there.
    pub(crate) fn folder_may_differ(
        &self,
        other: &Source<'_>,
        dir: &str,
    ) -> Result<bool, StoreError> {
        let (Source::Tree(mine), Source::Tree(theirs)) = (self, other) else {
            return Ok(true);
        };
        let id = |git: &GitTree<'_>| -> Result<Option<git2::Oid>, StoreError> {
            Ok(git.directory(dir)?.map(|tree| tree.id()))
        };
        Ok(id(mine)? != id(theirs)?)
    }

    fn entries(&self, dir: &str, kind: EntryKind) -> Result<Vec<String>, StoreError> {
        let mut names = Vec::new();
        match self {
            Source::WorkTree(root) => {
                refuse_symlinks(root, dir)?;
                let entries = match std::fs::read_dir(root.join(dir)) {
                    Ok(entries) => entries,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(error) => return Err(StoreError::io(root.join(dir), error)),
                };
                for entry in entries {
                    let entry = entry.map_err(|error| StoreError::io(root.join(dir), error))?;
                    let wanted = entry.file_type().is_ok_and(|t| match kind {
                        // A linked file is listed so that reading it refuses it by name.
                        EntryKind::File => t.is_file() || t.is_symlink(),
                        EntryKind::Folder => t.is_dir(),
                    });
                    if wanted {
                        names.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
            }
            Source::Tree(git) => {
                let wanted = match kind {
                    EntryKind::File => ObjectType::Blob,
                    EntryKind::Folder => ObjectType::Tree,
                };
                if let Some(subtree) = git.directory(dir)? {
                    for entry in subtree.iter() {
                        if entry.kind() == Some(wanted) {
                            names.push(String::from_utf8_lossy(entry.name_bytes()).into_owned());
                        }
                    }
                }
            }
            Source::Files(files) => {
                // What a directory listing would show: a file directly in `dir`, or the first
                // folder on the way to a file further down.
                let prefix = if dir == "." {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                for rest in files.keys().filter_map(|path| path.strip_prefix(&prefix)) {
                    match (kind, rest.split_once('/')) {
                        (EntryKind::File, None) if !rest.is_empty() => names.push(rest.to_owned()),
                        (EntryKind::Folder, Some((folder, _))) if !folder.is_empty() => {
                            names.push(folder.to_owned())
                        }
                        _ => {}
                    }
                }
            }
        }
        // Hidden files are an editor's or the system's (`.op-x.yaml.swp`, `.DS_Store`); a
        // hidden `.yaml` (`.op-x.yaml`, `..yaml`) looks like a decl file someone meant, so it
        // stays, for the reader to refuse by name rather than skip in silence.
        names.retain(|name| !name.starts_with('.') || name.ends_with(".yaml"));
        names.sort();
        names.dedup();
        Ok(names)
    }
}

/// Refuses a path in the work tree that goes through a symbolic link: a `clauses/` folder or
/// a clause file linked elsewhere would have decl read, and the chair decide, text that is
/// not in the repository.
fn refuse_symlinks(root: &std::path::Path, path: &str) -> Result<(), StoreError> {
    let mut at = root.to_path_buf();
    for (idx, component) in path.split('/').enumerate() {
        if component.is_empty() || component == "." {
            continue;
        }
        at.push(component);
        if std::fs::symlink_metadata(&at).is_ok_and(|meta| meta.file_type().is_symlink()) {
            let linked: Vec<&str> = path.split('/').take(idx + 1).collect();
            return Err(StoreError::Invalid(vec![super::yaml::Problem::at(
                &linked.join("/"),
                (1, 1),
                "is a symbolic link: decl reads only files inside the repository; put the file or folder itself there",
            )]));
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum EntryKind {
    File,
    Folder,
}
