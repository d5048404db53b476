//! The declaration repository on disk: YAML files in a git repository, through git2.
//!
//! This is the only module that touches the file system or git. It reads a revision (the
//! working tree, or any commit or tag straight from the object database), validates it, and
//! writes changes as a [`Transaction`]: the changes are collected first, then become exactly one
//! commit authored by the acting delegation; on any error nothing is written. git2 types stay
//! inside this module.

mod briefs;
mod bulk;
mod git_index;
mod history;
mod merge;
mod parse_cache;
mod signing;
mod source;
mod sync;
pub mod tokens;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use briefs::{Brief, Briefs, Wanted, contains};
use chrono::{DateTime, FixedOffset, TimeZone};
use git_index::{GitIndex, NewEntry, Staged};
use git2::{Oid, Repository, RepositoryState, Signature, StatusOptions, Time};
use parse_cache::parse_files;
use serde::Serialize;

use crate::model::adoption::{ClauseTranslation, MetaTranslation, Translation};
use crate::model::revision::revision_name_problem;
use crate::model::validate::{
    self, DECLARATION_FILE, DELEGATIONS_FILE, Finding, amendment_file, amendment_of_path,
    clause_file,
};
use crate::model::{
    Amendment, AmendmentId, Clause, ClauseId, Declaration, DeclarationMeta, Delegation,
    DelegationCode, DelegationsFile,
};
pub use bulk::Bulk;
pub use history::History;
pub use merge::MergeConflict;
pub use signing::KeySource;
use signing::Signer;
use source::Source;
pub use sync::{Integration, RevisionClash, SyncReport, Upstream};
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

/// Which text to read: the working tree, or a revision git can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    WorkTree,
    Rev(String),
}

/// A revision tag: `rev1`, with its label and the commit it names.
#[derive(Debug, Clone)]
pub struct RevisionTag {
    pub name: String,
    pub label: String,
    pub commit: String,
    pub time: DateTime<FixedOffset>,
    pub tagger: String,
}

/// One commit that changed a clause file.
#[derive(Debug, Clone)]
pub struct ClauseCommit {
    pub commit: String,
    pub author: String,
    pub author_email: String,
    pub time: DateTime<FixedOffset>,
    pub summary: String,
    /// The clause at that commit; `None` if the commit removed it.
    pub clause: Option<Clause>,
    /// Amendments this commit applied to the clause (from the commit's trailers).
    pub amendments: Vec<AmendmentId>,
    /// Revision tags naming this commit.
    pub revisions: Vec<String>,
}

/// A new annotated tag made together with a commit.
pub struct NewTag {
    pub name: String,
    pub label: String,
}

/// libgit2 re-hashes every object it reads to check its id; git does not (`git fsck` does).
/// Reading a long history, the hashing cost a third of `decl log`; an object's id is still
/// checked when it is written, and a damaged pack still fails to inflate.
fn read_objects_as_git_does() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
}

/// A declaration repository.
pub struct DeclRepo {
    repo: Repository,
    root: PathBuf,
    key_source: KeySource,
}

impl DeclRepo {
    /// Finds the repository containing `start`, as git does.
    pub fn discover(start: &Path) -> Result<Self, StoreError> {
        read_objects_as_git_does();
        let repo =
            Repository::discover(start).map_err(|_| StoreError::NotFound(start.to_owned()))?;
        let Some(root) = repo.workdir().map(Path::to_owned) else {
            return Err(StoreError::Bare(repo.path().to_owned()));
        };
        if !root.join(DECLARATION_FILE).exists() && repo.head().is_err() {
            return Err(StoreError::NotFound(start.to_owned()));
        }
        let store = DeclRepo {
            repo,
            root,
            key_source: KeySource::default(),
        };
        store.recover()?;
        Ok(store)
    }

    /// Finishes a command that was killed after it moved the branch but before it had updated
    /// the working tree (the journal says which files), or forgets one killed before it moved
    /// the branch (nothing was committed, nothing is left to undo).
    fn recover(&self) -> Result<(), StoreError> {
        let git_dir = self.repo.path();
        if Journal::read(git_dir).is_none() {
            return Ok(());
        }
        let _lock = self.lock()?;
        // Another process may have recovered while we waited for the lock.
        let Some(journal) = Journal::read(git_dir) else {
            return Ok(());
        };
        remove_index_lock_left_by(git_dir);
        let index_lock = git_dir.join("index.lock");
        if index_lock.exists() {
            // Someone else's: finishing now would leave files without their index entries.
            return Err(StoreError::IndexLocked(index_lock));
        }
        let head = self.repo.head().ok().and_then(|head| head.target());
        if head == Some(journal.commit) {
            let tree = self.repo.find_commit(journal.commit)?.tree()?;
            let source = Source::tree(&self.repo, tree);
            let mut writes = BTreeMap::new();
            for path in journal.paths {
                let content = source.read(&path)?;
                writes.insert(path, content);
            }
            update_work_tree(self, &writes)?;
        }
        Journal::remove(git_dir);
        Ok(())
    }

    /// The repository's write lock, held until the returned file is dropped. An OS lock is
    /// released when the process dies, so a killed command never leaves a stale lock behind;
    /// a second writer waits here until the first has committed.
    fn lock(&self) -> Result<File, StoreError> {
        let lock_path = self.repo.path().join("decl.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::io(&lock_path, e))?;
        lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
        Ok(lock)
    }

    /// Creates an empty git repository (branch `main`) in `dir`, which must be missing or empty.
    pub fn create(dir: &Path) -> Result<Self, StoreError> {
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
            if entries.next().is_some() {
                return Err(StoreError::NotEmpty {
                    path: dir.to_owned(),
                });
            }
        }
        let mut options = git2::RepositoryInitOptions::new();
        options.initial_head("main").mkpath(true);
        let repo = Repository::init_opts(dir, &options)?;
        configure_for_decl(&repo)?;
        let root = repo
            .workdir()
            .map(Path::to_owned)
            .unwrap_or_else(|| dir.to_owned());
        Ok(DeclRepo {
            repo,
            root,
            key_source: KeySource::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Sets where the key that signs this repository's new commits comes from (by default
    /// git's `user.signingkey`, when `gpg.format=ssh`).
    pub fn sign_with(&mut self, source: KeySource) {
        self.key_source = source;
    }

    fn signer(&self) -> Result<Option<Signer>, StoreError> {
        Signer::load(&self.repo, &self.key_source)
    }

    fn source(&self, at: &At) -> Result<Source<'_>, StoreError> {
        match at {
            At::WorkTree => Ok(Source::WorkTree(self.root.clone())),
            At::Rev(name) => Ok(Source::tree(&self.repo, self.commit_of(name)?.tree()?)),
        }
    }

    fn commit_of(&self, name: &str) -> Result<git2::Commit<'_>, StoreError> {
        let unknown = || {
            let tags = self.revisions().unwrap_or_default();
            StoreError::UnknownRevision {
                name: name.to_owned(),
                hint: crate::model::suggest::did_you_mean(
                    name,
                    tags.iter().map(|t| t.name.as_str()),
                ),
            }
        };
        let object = self.repo.revparse_single(name).map_err(|_| unknown())?;
        object.peel_to_commit().map_err(|_| unknown())
    }

    /// The full commit id a revision name resolves to.
    pub fn resolve(&self, name: &str) -> Result<String, StoreError> {
        Ok(self.commit_of(name)?.id().to_string())
    }

    /// Reads and validates the declaration (without amendments) at `at`.
    pub fn load(&self, at: &At) -> Result<Declaration, StoreError> {
        whole_declaration(&self.source(at)?)
    }

    /// Adds the clauses `ids` at `at` to a declaration read with fewer of them (by
    /// [`DeclRepo::load_with`]), without reading its other files again.
    pub fn load_clauses_into(
        &self,
        at: &At,
        declaration: &mut Declaration,
        ids: &BTreeSet<ClauseId>,
    ) -> Result<(), StoreError> {
        let names = ids
            .iter()
            .filter(|id| !declaration.clauses.contains_key(*id))
            .map(|id| format!("{id}.yaml"))
            .collect();
        let mut problems = Vec::new();
        let (clauses, _) = read_clauses(&self.source(at)?, names, &mut problems)?;
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        declaration.clauses.extend(clauses);
        Ok(())
    }

    /// The declaration at `at` with only the named clauses read (those that exist): its title,
    /// order and delegations, for a command that needs no more. Not cross-checked as a whole.
    pub fn load_with(
        &self,
        at: &At,
        clauses: &BTreeSet<ClauseId>,
    ) -> Result<Declaration, StoreError> {
        partial_declaration(&self.source(at)?, clauses)
    }

    /// The named amendments at `at` that exist there, in the order given.
    pub fn load_amendments_by_id<'a>(
        &self,
        at: &At,
        ids: impl IntoIterator<Item = &'a AmendmentId>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let source = self.source(at)?;
        let mut amendments = Vec::new();
        for id in ids {
            amendments.extend(read_amendment(&source, id)?);
        }
        Ok(amendments)
    }

    /// The clauses whose files differ between two commits (present on one side only, or with
    /// other content), known from the trees without reading a file; `None` when either side
    /// is the working tree, where only reading would tell.
    pub fn clauses_differing(
        &self,
        from: &At,
        to: &At,
    ) -> Result<Option<BTreeSet<ClauseId>>, StoreError> {
        if matches!(from, At::WorkTree) || matches!(to, At::WorkTree) {
            return Ok(None);
        }
        let (from_source, to_source) = (self.source(from)?, self.source(to)?);
        let mut names: BTreeSet<String> = from_source.list("clauses")?.into_iter().collect();
        names.extend(to_source.list("clauses")?);
        let mut differing = BTreeSet::new();
        for name in names {
            let Some(id) = name
                .strip_suffix(".yaml")
                .and_then(|stem| stem.parse::<ClauseId>().ok())
            else {
                continue;
            };
            if to_source.may_differ(&from_source, &clause_file(&id))? {
                differing.insert(id);
            }
        }
        Ok(Some(differing))
    }

    /// The amendments applied between two revisions: applied at `to` and not at `from`, the
    /// ones a redline between them attributes its changes to.
    ///
    /// Between two commits only the amendment files whose content differs are read, and of
    /// those only the ones that say "applied" are parsed: the rest of a large negotiation's
    /// twenty thousand amendments is never parsed.
    pub fn amendments_applied_between(
        &self,
        from: &At,
        to: &At,
    ) -> Result<Vec<Amendment>, StoreError> {
        let (from_source, to_source) = (self.source(from)?, self.source(to)?);
        let mut candidates = Vec::new();
        for (_, file) in amendment_files(&to_source)?.found {
            if !to_source.folder_may_differ(&from_source, parent_folder(&file))? {
                continue;
            }
            if !to_source.may_differ(&from_source, &file)? {
                continue;
            }
            if let Some(bytes) = to_source.read(&file)?
                && contains(&bytes, b"applied")
            {
                candidates.push(((), file, bytes));
            }
        }
        let mut applied = Vec::new();
        let mut earlier = Vec::new();
        for ((), file, _, parsed) in
            parse_files::<Amendment, _>(to_source.cache_dir(), "amendments", candidates)
        {
            let amendment = parsed.map_err(StoreError::Invalid)?;
            if amendment.status != crate::model::AmendmentStatus::Applied {
                continue;
            }
            // Most were decided and applied in between: their earlier version does not even
            // contain the word, and is not parsed.
            if let Some(before) = from_source.read(&file)?
                && contains(&before, b"applied")
            {
                earlier.push((applied.len(), file, before));
            }
            applied.push(Some(amendment));
        }
        for (idx, _, _, parsed) in
            parse_files::<Amendment, _>(from_source.cache_dir(), "amendments", earlier)
        {
            if parsed.map_err(StoreError::Invalid)?.status == crate::model::AmendmentStatus::Applied
            {
                applied[idx] = None;
            }
        }
        let applied: Vec<Amendment> = applied.into_iter().flatten().collect();
        Ok(applied)
    }

    /// Reads every amendment at `at`, in id order.
    pub fn load_amendments(&self, at: &At) -> Result<Vec<Amendment>, StoreError> {
        every_amendment(&self.source(at)?)
    }

    /// The amendments at `at` still to be decided or applied (tabled or accepted), in id
    /// order. Of a long negotiation's amendments most were withdrawn, rejected or applied; a
    /// file that says neither "tabled" nor "accepted" (a status only) is not parsed.
    pub fn load_pending_amendments(&self, at: &At) -> Result<Vec<Amendment>, StoreError> {
        let (amendments, problems) = read_amendments_where(&self.source(at)?, Wanted::Pending)?;
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        Ok(amendments
            .into_iter()
            .filter(Amendment::is_pending)
            .collect())
    }

    /// Reads one amendment at `at`, or `None` if there is no such file.
    pub fn load_amendment(
        &self,
        at: &At,
        id: &AmendmentId,
    ) -> Result<Option<Amendment>, StoreError> {
        let source = self.source(at)?;
        read_amendment(&source, id)
    }

    /// The repository's own version of a built-in template (`templates/<name>` in the
    /// working tree), if it has one.
    pub fn template_override(&self, name: &str) -> Result<Option<String>, StoreError> {
        let path = self.root.join("templates").join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(StoreError::io(path, error)),
        }
    }

    /// One clause at `at`, or `None` if it has no file there.
    pub fn load_clause(&self, at: &At, id: &ClauseId) -> Result<Option<Clause>, StoreError> {
        let source = self.source(at)?;
        let file = clause_file(id);
        match source.read(&file)? {
            Some(bytes) => Ok(Some(
                yaml::parse::<Clause>(&file, &bytes).map_err(StoreError::Invalid)?,
            )),
            None => Ok(None),
        }
    }

    /// The translation into `language` at `at` (`translations/<language>/`), or `None` when
    /// there is none.
    pub fn load_translation(
        &self,
        at: &At,
        language: &str,
    ) -> Result<Option<Translation>, StoreError> {
        let source = self.source(at)?;
        let (translation, problems) = read_translation(&source, language)?;
        if problems.is_empty() {
            Ok(translation)
        } else {
            Err(StoreError::Invalid(problems))
        }
    }

    /// The ids of every amendment at `at`, from file names alone.
    pub fn amendment_ids(&self, at: &At) -> Result<Vec<AmendmentId>, StoreError> {
        let source = self.source(at)?;
        amendment_ids(&source)
    }

    /// Every problem in the declaration at `at`, sorted by file and position.
    pub fn check(&self, at: &At) -> Result<Vec<Problem>, StoreError> {
        check_source(&self.source(at)?)
    }

    /// Every tag naming a commit, oldest first.
    pub fn revisions(&self) -> Result<Vec<RevisionTag>, StoreError> {
        let mut tags = Vec::new();
        for name in self.repo.tag_names(None)?.iter().flatten().flatten() {
            let Ok(reference) = self.repo.find_reference(&format!("refs/tags/{name}")) else {
                continue;
            };
            let Ok(commit) = reference.peel_to_commit() else {
                continue;
            };
            let (label, tagger, time) = match reference.peel_to_tag() {
                Ok(tag) => {
                    let label = tag
                        .message()
                        .ok()
                        .flatten()
                        .unwrap_or(name)
                        .trim()
                        .to_owned();
                    let tagger = tag
                        .tagger()
                        .and_then(|s| s.name().ok().map(str::to_owned))
                        .unwrap_or_default();
                    let time = tag.tagger().map(|s| s.when()).unwrap_or(commit.time());
                    (label, tagger, time)
                }
                Err(_) => (name.to_owned(), String::new(), commit.time()),
            };
            tags.push(RevisionTag {
                name: name.to_owned(),
                label,
                commit: commit.id().to_string(),
                time: to_datetime(time),
                tagger,
            });
        }
        // Tags cut within the same second (a scripted replay, a fixed clock) are ordered by
        // ancestry: a revision comes after those its commit descends from. Counting those
        // ancestors gives a key, where a comparator asking git would not be a total order.
        let descends = |a: &RevisionTag, b: &RevisionTag| {
            let (Ok(a), Ok(b)) = (Oid::from_str(&a.commit), Oid::from_str(&b.commit)) else {
                return false;
            };
            a != b && self.repo.graph_descendant_of(a, b).unwrap_or(false)
        };
        let ancestors: Vec<usize> = tags
            .iter()
            .map(|tag| {
                tags.iter()
                    .filter(|other| other.time == tag.time && descends(tag, other))
                    .count()
            })
            .collect();
        let mut keyed: Vec<(usize, RevisionTag)> = ancestors.into_iter().zip(tags).collect();
        keyed.sort_by(|(a_rank, a), (b_rank, b)| {
            (a.time, a_rank, &a.name).cmp(&(b.time, b_rank, &b.name))
        });
        Ok(keyed.into_iter().map(|(_, tag)| tag).collect())
    }

    /// The latest revision tag that HEAD descends from, and the number of commits since.
    /// Walks only the commits after that tag.
    pub fn current_revision(&self) -> Result<Option<(RevisionTag, usize)>, StoreError> {
        let head = match self.repo.head() {
            Ok(head) => head.peel_to_commit()?.id(),
            Err(_) => return Ok(None),
        };
        let mut best: Option<(RevisionTag, usize)> = None;
        for tag in self.revisions()?.into_iter().rev() {
            let tag_commit = Oid::from_str(&tag.commit)?;
            if tag_commit != head && !self.repo.graph_descendant_of(head, tag_commit)? {
                continue;
            }
            let (ahead, _) = self.repo.graph_ahead_behind(head, tag_commit)?;
            if best
                .as_ref()
                .is_none_or(|(_, best_ahead)| ahead < *best_ahead)
            {
                best = Some((tag, ahead));
            }
            if ahead == 0 {
                break;
            }
        }
        Ok(best)
    }

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
    fn uncommitted_changes_among<'p>(
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

    /// The ids of the entry at `path` in two trees, or `None` when a directory on the way has
    /// the same id in both (so the entry is the same). Going down one directory at a time, as
    /// `git log -- <path>` does, most commits (which touch only `amendments/`) are settled by
    /// the small root tree, without reading the large `clauses/` tree.
    fn path_changed(
        &self,
        path: &Path,
        now: Oid,
        before: Option<Oid>,
    ) -> Result<Option<EntryPair>, StoreError> {
        let (mut now, mut before) = (Some(now), before);
        for component in path.components() {
            if now == before {
                return Ok(None);
            }
            let step = |tree: Option<Oid>| -> Result<Option<Oid>, StoreError> {
                // A path through a missing directory, or through a file, has no entry.
                let Some(Ok(tree)) = tree.map(|tree| self.repo.find_tree(tree)) else {
                    return Ok(None);
                };
                Ok(tree
                    .get_path(Path::new(component.as_os_str()))
                    .ok()
                    .map(|entry| entry.id()))
            };
            now = step(now)?;
            before = step(before)?;
        }
        Ok(Some((now, before)))
    }

    /// Every commit from HEAD back that changed `clauses/<id>.yaml`, newest first. Reads only
    /// the tree entries of that one path, as `git log -- <path>` does.
    pub fn clause_history(&self, id: &ClauseId) -> Result<Vec<ClauseCommit>, StoreError> {
        let path = clause_file(id);
        let path = Path::new(&path);
        let mut tags_by_commit: HashMap<String, Vec<String>> = HashMap::new();
        for tag in self.revisions()? {
            tags_by_commit.entry(tag.commit).or_default().push(tag.name);
        }
        let mut walk = self.repo.revwalk()?;
        if walk.push_head().is_err() {
            return Ok(Vec::new());
        }
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        let commits = CommitTrees::open(&self.repo);
        let mut history = Vec::new();
        for oid in walk {
            let oid = oid?;
            let (tree, parent) = commits.tree_and_first_parent(oid)?;
            let before = match parent {
                Some(parent) => Some(commits.tree_and_first_parent(parent)?.0),
                None => None,
            };
            let Some((now, before)) = self.path_changed(path, tree, before)? else {
                continue;
            };
            if now == before {
                continue;
            }
            let commit = self.repo.find_commit(oid)?;
            let clause = match now {
                Some(blob_id) => {
                    let blob = self.repo.find_blob(blob_id)?;
                    yaml::parse::<Clause>(&path.to_string_lossy(), blob.content()).ok()
                }
                None => None,
            };
            let message = commit.message().unwrap_or_default();
            let amendments = applied_trailers(message)
                .into_iter()
                .filter(|(_, clause)| clause == id)
                .map(|(amendment, _)| amendment)
                .collect();
            let author = commit.author();
            history.push(ClauseCommit {
                commit: oid_string(commit.id()),
                author: author.name().unwrap_or_default().to_owned(),
                author_email: author.email().unwrap_or_default().to_owned(),
                time: to_datetime(author.when()),
                summary: commit
                    .summary()
                    .ok()
                    .flatten()
                    .unwrap_or_default()
                    .to_owned(),
                clause,
                amendments,
                revisions: tags_by_commit
                    .get(&commit.id().to_string())
                    .cloned()
                    .unwrap_or_default(),
            });
        }
        Ok(history)
    }

    /// Starts a change: takes the repository's write lock. Changes a user made by hand are
    /// left alone: a commit is built from the last commit's tree and this change's files, so
    /// nothing else is swept into it, and it is refused only if it would overwrite one of
    /// them (see [`Transaction::commit`]).
    pub fn begin(&self) -> Result<Transaction<'_>, StoreError> {
        let lock = self.lock()?;
        self.clear_temp_dir();
        match self.repo.state() {
            RepositoryState::Clean => {}
            state => return Err(StoreError::Busy(format!("{state:?}").to_lowercase())),
        }
        let index_lock = self.repo.path().join("index.lock");
        if index_lock.exists() {
            return Err(StoreError::IndexLocked(index_lock));
        }
        let head = match self.repo.head() {
            Ok(head) => {
                if !head.is_branch() {
                    return Err(StoreError::DetachedHead);
                }
                Some(head.peel_to_commit()?.id())
            }
            Err(_) => None,
        };
        Ok(Transaction {
            store: self,
            _lock: lock,
            head,
            committed: std::cell::OnceCell::new(),
            writes: BTreeMap::new(),
        })
    }
}

/// A change being prepared: reads see the last commit plus what this transaction has written.
pub struct Transaction<'r> {
    store: &'r DeclRepo,
    _lock: File,
    head: Option<Oid>,
    /// The last commit's files, opened once: a revision cut rewrites thousands of them.
    committed: std::cell::OnceCell<Source<'r>>,
    writes: BTreeMap<String, Option<Vec<u8>>>,
}

impl<'r> Transaction<'r> {
    /// The commit this change builds on, if there is one.
    pub fn base_commit(&self) -> Option<String> {
        self.head.map(oid_string)
    }

    /// The last commit's files, opened once for every read of the transaction, so that a
    /// large directory (`amendments/`) is parsed once per action, not once per read.
    fn committed(&self) -> Result<&Source<'r>, StoreError> {
        if let Some(source) = self.committed.get() {
            return Ok(source);
        }
        let head = self.head.ok_or(StoreError::NoCommits)?;
        let tree = self.store.repo.find_commit(head)?.tree()?;
        Ok(self
            .committed
            .get_or_init(|| Source::tree(&self.store.repo, tree)))
    }

    /// Refuses a name that cannot tag a new revision: one git or a reader would take for
    /// something else (see [`revision_name_problem`]), a branch or remote's name, which the
    /// tag would shadow, or a revision that exists.
    pub fn check_new_revision_name(&self, name: &str) -> Result<(), StoreError> {
        let repo = &self.store.repo;
        if let Some(problem) = revision_name_problem(name) {
            return Err(StoreError::BadRevisionName(problem));
        }
        if !git2::Reference::is_valid_name(&format!("refs/tags/{name}")) {
            return Err(StoreError::BadTagName(name.to_owned()));
        }
        let branch = repo.find_branch(name, git2::BranchType::Local).is_ok();
        let remote = repo
            .remotes()?
            .iter()
            .any(|remote| matches!(remote, Ok(Some(remote)) if remote == name));
        if branch || remote {
            return Err(StoreError::BadRevisionName(format!(
                "{name:?} cannot name a revision: it is the name of a {} here, which the revision would shadow",
                if branch { "branch" } else { "remote" }
            )));
        }
        if repo.find_reference(&format!("refs/tags/{name}")).is_ok() {
            return Err(StoreError::TagExists(name.to_owned()));
        }
        Ok(())
    }

    /// The declaration as of the last commit.
    pub fn declaration(&self) -> Result<Declaration, StoreError> {
        whole_declaration(self.committed()?)
    }

    /// The declaration as of the last commit with only the named clauses read (those that
    /// exist): the title, the order, the delegations and what an action needs, without parsing
    /// thousands of clause files it does not touch. Nothing is cross-checked, as it is when the
    /// whole declaration is read: the commit was checked when it was made.
    pub fn declaration_with(
        &self,
        clauses: &BTreeSet<ClauseId>,
    ) -> Result<Declaration, StoreError> {
        partial_declaration(self.committed()?, clauses)
    }

    /// A clause as it was at an earlier commit (an amendment's base).
    pub fn clause_at(&self, commit: &str, id: &ClauseId) -> Result<Option<Clause>, StoreError> {
        self.store.load_clause(&At::Rev(commit.to_owned()), id)
    }

    pub fn amendment(&self, id: &AmendmentId) -> Result<Option<Amendment>, StoreError> {
        read_amendment(self.committed()?, id)
    }

    pub fn amendments(&self) -> Result<Vec<Amendment>, StoreError> {
        every_amendment(self.committed()?)
    }

    /// The tabled amendments concerning `clause`: those an accept competes with.
    pub fn tabled_amendments_on(&self, clause: &ClauseId) -> Result<Vec<Amendment>, StoreError> {
        self.amendments_wanted(Wanted::TabledOn(clause))
    }

    /// The accepted amendments a revision cut applies.
    pub fn amendments_awaiting_application(&self) -> Result<Vec<Amendment>, StoreError> {
        self.amendments_wanted(Wanted::AwaitingApplication)
    }

    fn amendments_wanted(&self, wanted: Wanted<'_>) -> Result<Vec<Amendment>, StoreError> {
        let (amendments, problems) = read_amendments_where(self.committed()?, wanted)?;
        if problems.is_empty() {
            Ok(amendments)
        } else {
            Err(StoreError::Invalid(problems))
        }
    }

    /// The ids of every amendment, from file names alone.
    pub fn amendment_ids(&self) -> Result<Vec<AmendmentId>, StoreError> {
        amendment_ids(self.committed()?)
    }

    /// The next free sequence number for `code`'s amendments.
    pub fn next_amendment_number(&self, code: &DelegationCode) -> Result<u32, StoreError> {
        let folder = format!("{AMENDMENTS_DIR}/{code}");
        let taken = self.committed()?.list(&folder)?;
        let taken = taken.iter().map(|name| format!("{folder}/{name}"));
        let written = self.writes.keys().cloned();
        Ok(taken
            .chain(written)
            .filter_map(|path| amendment_of_path(&path))
            .filter(|id| id.proposer() == code)
            .map(|id| id.number())
            .max()
            .unwrap_or(0)
            + 1)
    }

    pub fn put_meta(&mut self, meta: &DeclarationMeta) -> Result<(), StoreError> {
        self.put_yaml(DECLARATION_FILE, meta)
    }

    pub fn put_delegations(&mut self, delegations: &[Delegation]) -> Result<(), StoreError> {
        let file = DelegationsFile {
            delegations: delegations.to_vec(),
        };
        self.put_yaml(DELEGATIONS_FILE, &file)
    }

    pub fn put_clause(&mut self, id: &ClauseId, clause: &Clause) -> Result<(), StoreError> {
        self.put_yaml(&clause_file(id), clause)
    }

    pub fn put_clause_translation(
        &mut self,
        language: &str,
        id: &ClauseId,
        translation: &ClauseTranslation,
    ) -> Result<(), StoreError> {
        self.put_yaml(&format!("translations/{language}/{id}.yaml"), translation)
    }

    pub fn put_meta_translation(
        &mut self,
        language: &str,
        translation: &MetaTranslation,
    ) -> Result<(), StoreError> {
        self.put_yaml(
            &format!("translations/{language}/{DECLARATION_FILE}"),
            translation,
        )
    }

    pub fn remove_clause(&mut self, id: &ClauseId) {
        self.writes.insert(clause_file(id), None);
    }

    pub fn put_amendment(&mut self, amendment: &Amendment) -> Result<(), StoreError> {
        self.put_yaml(&amendment_file(&amendment.id), amendment)
    }

    /// Writes a file as given (for files copied verbatim, such as a bundled draft's).
    pub fn put_bytes(&mut self, path: &str, bytes: Vec<u8>) {
        self.writes.insert(path.to_owned(), Some(bytes));
    }

    /// Every file decl writes from a model value comes through here, so that a rewritten file
    /// keeps the byte-order mark and line ends it had (see [`yaml::TextStyle`]).
    fn put_yaml(&mut self, path: &str, value: &impl Serialize) -> Result<(), StoreError> {
        let style = self
            .current_bytes(path)?
            .map_or_else(yaml::TextStyle::default, |bytes| {
                yaml::TextStyle::of(&bytes)
            });
        let bytes = yaml::to_bytes(value, style).map_err(|source| StoreError::Serialise {
            file: path.to_owned(),
            source,
        })?;
        self.writes.insert(path.to_owned(), Some(bytes));
        Ok(())
    }

    /// A file as this change would leave it so far: written earlier in the transaction, or as
    /// in the last commit. The committed bytes, not the working tree's, since `begin` made
    /// sure the two agree and the commit is what the new blob replaces.
    fn current_bytes(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(written) = self.writes.get(path) {
            return Ok(written.clone());
        }
        match self.head {
            Some(_) => self.committed()?.read(path),
            None => Ok(None),
        }
    }

    /// Makes the one commit (and the tag, if any) and brings the working tree and index up to
    /// date. Nothing is written before every check has passed; if the commit cannot be made,
    /// the repository is as it was.
    pub fn commit(
        self,
        author: &Delegation,
        at: DateTime<FixedOffset>,
        message: &str,
        tag: Option<NewTag>,
    ) -> Result<String, StoreError> {
        let repo = &self.store.repo;
        if let Some(tag) = &tag {
            self.check_new_revision_name(&tag.name)?;
        }
        // The key is read before anything is written: a missing or unusable key refuses the
        // command with the repository untouched.
        let signer = self.store.signer()?;
        let (author_signature, committer) = self.store.signatures(author, at)?;
        if self.head.is_some() {
            let overwritten = self.store.uncommitted_changes_among(self.writes.keys())?;
            if !overwritten.is_empty() {
                return Err(StoreError::WouldOverwrite(overwritten));
            }
        }

        let parent = self.head.map(|oid| repo.find_commit(oid)).transpose()?;
        let mut builder = git2::build::TreeUpdateBuilder::new();
        for (path, content) in &self.writes {
            match content {
                Some(bytes) => {
                    let blob = repo.blob(bytes)?;
                    builder.upsert(path.as_str(), blob, git2::FileMode::Blob);
                }
                None => {
                    builder.remove(path.as_str());
                }
            }
        }
        let base_tree = match &parent {
            Some(parent) => parent.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let tree = repo.find_tree(builder.create_updated(repo, &base_tree)?)?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let commit_id = signing::write_commit(
            repo,
            signer.as_ref(),
            &author_signature,
            &committer,
            message,
            &tree,
            &parents,
        )?;
        self.store
            .publish(self.head, commit_id, &self.writes, message, |repo| {
                if let Some(tag) = tag {
                    let object = repo.find_object(commit_id, None)?;
                    repo.tag(
                        &tag.name,
                        &object,
                        &author_signature,
                        &format!("{}\n", tag.label),
                        false,
                    )?;
                }
                Ok(())
            })?;
        Ok(oid_string(commit_id))
    }
}

impl DeclRepo {
    /// The author (the acting delegation) and committer (the local git user, if configured)
    /// of a commit made at `at`.
    fn signatures(
        &self,
        author: &Delegation,
        at: DateTime<FixedOffset>,
    ) -> Result<(Signature<'static>, Signature<'static>), StoreError> {
        let time = Time::new(at.timestamp(), at.offset().local_minus_utc() / 60);
        let author_signature =
            Signature::new(&signature_name(&author.name), &author.email(), &time)?;
        let committer = match self.repo.signature() {
            Ok(local) => Signature::new(
                local.name().unwrap_or(&author.name),
                local.email().unwrap_or(&author.email()),
                &time,
            )?,
            Err(_) => author_signature.clone(),
        };
        Ok((author_signature, committer))
    }

    /// Makes a written commit the branch's tip and brings the working tree up to date with
    /// `writes` (the files that differ from `expected_head`). The journal names the commit and
    /// the files before the branch moves, so a command killed between moving the branch and
    /// updating the working tree is finished by the next one (see `recover`); the branch moves
    /// only if it still points at `expected_head`, so a concurrent writer is never overwritten.
    /// `after_move` runs once the branch has moved (to make a tag).
    fn publish(
        &self,
        expected_head: Option<Oid>,
        commit_id: Oid,
        writes: &BTreeMap<String, Option<Vec<u8>>>,
        message: &str,
        after_move: impl FnOnce(&Repository) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let repo = &self.repo;
        let journal = Journal {
            commit: commit_id,
            paths: writes.keys().cloned().collect(),
        };
        journal.write(repo.path())?;
        crash_point("before-ref");
        let branch = head_branch(repo)?;
        let reflog = format!("decl: {}", message.lines().next().unwrap_or_default());
        let moved = match expected_head {
            Some(parent_id) => {
                repo.reference_matching(&branch, commit_id, true, parent_id, &reflog)
            }
            None => repo.reference(&branch, commit_id, false, &reflog),
        };
        if let Err(error) = moved {
            Journal::remove(repo.path());
            return Err(error.into());
        }
        crash_point("after-ref");
        if let Err(error) = after_move(repo) {
            // All or nothing: a cut whose tag cannot be made leaves no cut commit behind.
            let undone = match expected_head {
                Some(parent_id) => repo
                    .reference_matching(&branch, parent_id, true, commit_id, "decl: undo")
                    .map(drop),
                None => repo.find_reference(&branch).and_then(|mut r| r.delete()),
            };
            if undone.is_ok() {
                Journal::remove(repo.path());
            }
            return Err(error);
        }
        update_work_tree(self, writes)?;
        Journal::remove(repo.path());
        Ok(())
    }
}

/// Settings a repository decl makes or clones gets. git (since 2.36) writes its commit-graph
/// with a generation-number chunk that libgit2 refuses, and libgit2 then reads every commit
/// of a history walk (`decl log`, `blame`, `verify`); version 1 graphs it reads. They are
/// written by `git gc`, which git runs now and then by itself.
fn configure_for_decl(repo: &Repository) -> Result<(), StoreError> {
    repo.config()?.set_i32("commitGraph.generationVersion", 1)?;
    Ok(())
}

/// Each commit's tree and first parent, looked up in git's commit-graph file where it has them
/// (`git gc` writes one), without reading the commit. Walking a history for one file's
/// changes, reading every commit (to learn its tree) cost as much as reading the trees; `git
/// log` reads the graph instead. Commits made since the graph was written are read.
struct CommitTrees<'r> {
    repo: &'r Repository,
    graph: Option<gix_commitgraph::Graph>,
}

impl<'r> CommitTrees<'r> {
    fn open(repo: &'r Repository) -> Self {
        // A missing or unreadable graph only makes the walk slower.
        let graph = gix_commitgraph::Graph::from_info_dir(
            &repo.path().join("objects").join("info"),
            gix_hash::Kind::Sha1,
        )
        .ok();
        CommitTrees { repo, graph }
    }

    fn tree_and_first_parent(&self, id: Oid) -> Result<(Oid, Option<Oid>), StoreError> {
        if let Some(graph) = &self.graph
            && let Ok(key) = gix_hash::oid::try_from_bytes(id.as_bytes())
            && let Some(commit) = graph.commit_by_id(key)
            && let Ok(parent) = commit.parent1()
        {
            let tree = Oid::from_bytes(commit.root_tree_id().as_bytes())?;
            let parent = parent
                .map(|position| Oid::from_bytes(graph.id_at(position).as_bytes()))
                .transpose()?;
            return Ok((tree, parent));
        }
        let commit = self.repo.find_commit(id)?;
        Ok((commit.tree_id(), commit.parent_ids().next()))
    }
}

/// The ids of one path's entry in a commit's tree and in its parent's (`None`: no entry).
type EntryPair = (Option<Oid>, Option<Oid>);

/// Writes each changed file atomically (temporary file, then rename) and records it in the
/// index, so `git status` is clean afterwards. `None` removes the file.
fn update_work_tree(
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

/// A command killed while libgit2 wrote the index leaves git's `index.lock` behind, and
/// neither git nor decl would run again until someone deleted it by hand. It is the killed
/// command's own if it is no older than the journal, which is written just before the index
/// is touched; one that is older belongs to someone else (a git command still running) and
/// is left alone, for the usual refusal with its hint. Called under decl's lock.
fn remove_index_lock_left_by(git_dir: &Path) {
    let modified = |name: &str| {
        std::fs::metadata(git_dir.join(name))
            .and_then(|m| m.modified())
            .ok()
    };
    if let (Some(lock), Some(journal)) = (modified("index.lock"), modified(JOURNAL_FILE))
        && lock >= journal
    {
        let _ = std::fs::remove_file(git_dir.join("index.lock"));
    }
}

/// `.git/decl-tmp/`: where files are written before they are renamed into place.
const TEMP_DIR: &str = "decl-tmp";

impl DeclRepo {
    fn temp_dir(&self) -> PathBuf {
        self.repo.path().join(TEMP_DIR)
    }

    /// Removes temporary files a killed command left behind (only ever under the write lock).
    fn clear_temp_dir(&self) {
        if let Ok(entries) = std::fs::read_dir(self.temp_dir()) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// `.git/decl-journal`: the commit a command is making and the files it changes.
struct Journal {
    commit: Oid,
    paths: Vec<String>,
}

const JOURNAL_FILE: &str = "decl-journal";

impl Journal {
    fn write(&self, git_dir: &Path) -> Result<(), StoreError> {
        let mut text = format!("{}\n", self.commit);
        for path in &self.paths {
            text.push_str(path);
            text.push('\n');
        }
        write_atomically(
            &git_dir.join(TEMP_DIR),
            &git_dir.join(JOURNAL_FILE),
            text.as_bytes(),
        )
    }

    fn read(git_dir: &Path) -> Option<Journal> {
        let text = std::fs::read_to_string(git_dir.join(JOURNAL_FILE)).ok()?;
        let mut lines = text.lines();
        let commit = Oid::from_str(lines.next()?).ok()?;
        Some(Journal {
            commit,
            paths: lines.filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        })
    }

    fn remove(git_dir: &Path) {
        // A journal left behind is harmless: `recover` discards it.
        let _ = std::fs::remove_file(git_dir.join(JOURNAL_FILE));
    }
}

/// A delegation's name as a git author: git refuses angle brackets (they delimit the
/// e-mail) and a line break would forge a header, so those become look-alikes and spaces.
/// The name in `delegations.yaml` stays as written.
fn signature_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| match c {
            '<' => '‹',
            '>' => '›',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    match name.trim() {
        "" => "?".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// The branch HEAD points at (`refs/heads/main`).
fn head_branch(repo: &Repository) -> Result<String, StoreError> {
    let head = repo.find_reference("HEAD")?;
    match head.symbolic_target() {
        Ok(Some(target)) => Ok(target.to_owned()),
        _ => Err(StoreError::DetachedHead),
    }
}

/// A test-only hook: `DECL_TEST_CRASH_AT=<point>` aborts the process there, as a power cut or
/// `kill -9` would, so the tests can prove that the next command recovers.
fn crash_point(point: &str) {
    if cfg!(debug_assertions) && std::env::var("DECL_TEST_CRASH_AT").is_ok_and(|at| at == point) {
        std::process::abort();
    }
}

/// Writes `bytes` to `path` through a temporary file in `temp_dir` (in `.git`, so that a
/// process killed half-way leaves no stray file among the clauses), then renames it into place:
/// a reader sees the old file or the new one, never half of one.
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

fn write_atomically(temp_dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
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

/// Every problem in a repository's files, read from `source`: what `decl check` reports.
fn check_source(source: &Source<'_>) -> Result<Vec<Problem>, StoreError> {
    let (declaration, mut problems) = read_and_validate(source)?;
    let (amendments, amendment_problems) = read_amendments(source)?;
    problems.extend(amendment_problems);
    if let Some(declaration) = &declaration {
        for language in declaration.meta.languages.iter().skip(1) {
            problems.extend(read_translation(source, language)?.1);
        }
    }
    if let Some(declaration) = declaration {
        let findings = validate::validate_amendments(&declaration, &amendments);
        problems.extend(locate_findings(source, findings)?);
    }
    problems.sort();
    problems.dedup();
    Ok(problems)
}

/// Every problem in a repository's files given as paths and bytes, without a disk or git:
/// the same reading and validation as [`DeclRepo::check`], for the fuzz target that feeds it
/// arbitrary files (`fuzz/fuzz_targets/load.rs`).
pub fn check_files(files: BTreeMap<String, Vec<u8>>) -> Vec<Problem> {
    let source = Source::Files(files);
    // Reading from memory cannot fail: every error here is a problem in a file.
    check_source(&source).expect("reading files from memory does no I/O")
}

/// Reads the declaration's files and checks them against each other: the declaration (when
/// every file could be read) and every problem found.
fn read_and_validate(
    source: &Source<'_>,
) -> Result<(Option<Declaration>, Vec<Problem>), StoreError> {
    let (declaration, mut problems, unreadable) = read_declaration(source, None)?;
    if let Some(declaration) = &declaration {
        let findings = validate::validate_declaration(declaration, &unreadable);
        problems.extend(locate_findings(source, findings)?);
    }
    Ok((declaration, problems))
}

type ReadDeclaration = (Option<Declaration>, Vec<Problem>, BTreeSet<ClauseId>);

/// Reads the declaration: every clause file, or with `only`, just those clauses' files (those
/// that exist), by name, without listing the directory.
fn read_declaration(
    source: &Source<'_>,
    only: Option<&BTreeSet<ClauseId>>,
) -> Result<ReadDeclaration, StoreError> {
    let mut problems = Vec::new();
    let mut read_required = |file: &str| -> Result<Option<Vec<u8>>, StoreError> {
        let bytes = source.read(file)?;
        if bytes.is_none() {
            problems.push(Problem::at(
                file,
                (1, 1),
                format!(
                    "{file} is missing: is this a declaration repository? (`decl init` makes one)"
                ),
            ));
        }
        Ok(bytes)
    };
    let meta_bytes = read_required(DECLARATION_FILE)?;
    let delegation_bytes = read_required(DELEGATIONS_FILE)?;
    let meta = meta_bytes.and_then(|bytes| {
        collect(
            &mut problems,
            parse_cache::parse_file::<DeclarationMeta>(
                source.cache_dir(),
                "declaration",
                DECLARATION_FILE,
                bytes,
            ),
        )
    });
    let delegations = delegation_bytes.and_then(|bytes| {
        collect(
            &mut problems,
            parse_cache::parse_file::<DelegationsFile>(
                source.cache_dir(),
                "delegations",
                DELEGATIONS_FILE,
                bytes,
            ),
        )
    });

    let names = match only {
        Some(ids) => ids.iter().map(|id| format!("{id}.yaml")).collect(),
        None => source.list("clauses")?,
    };
    let (clauses, unreadable) = read_clauses(source, names, &mut problems)?;
    let declaration = match (meta, delegations) {
        (Some(meta), Some(delegations)) => Some(Declaration {
            meta,
            delegations: delegations.delegations,
            clauses,
        }),
        _ => None,
    };
    Ok((declaration, problems, unreadable))
}

/// Reads the clause files named (`op-x.yaml`), with the id each holds; the ids of files that
/// exist but do not read are returned apart, their problems added to `problems`.
fn read_clauses(
    source: &Source<'_>,
    names: Vec<String>,
    problems: &mut Vec<Problem>,
) -> Result<(BTreeMap<ClauseId, Clause>, BTreeSet<ClauseId>), StoreError> {
    let mut clauses = BTreeMap::new();
    let mut unreadable = BTreeSet::new();
    let mut files = Vec::new();
    for name in names {
        let file = format!("clauses/{name}");
        let Some(stem) = name.strip_suffix(".yaml") else {
            problems.push(Problem::at(&file, (1, 1), "clause files must end in .yaml"));
            continue;
        };
        let id = match stem.parse::<ClauseId>() {
            Ok(id) => id,
            Err(error) => {
                problems.push(Problem::at(
                    &file,
                    (1, 1),
                    format!("the file name is not a valid {error}"),
                ));
                continue;
            }
        };
        if let Some(bytes) = source.read(&file)? {
            files.push((id, file, bytes));
        }
    }
    for (id, _, _, parsed) in parse_files::<Clause, _>(source.cache_dir(), "clauses", files) {
        match collect(problems, parsed) {
            Some(clause) => {
                clauses.insert(id, clause);
            }
            None => {
                unreadable.insert(id);
            }
        }
    }
    Ok((clauses, unreadable))
}

/// The whole declaration in `source`, cross-checked.
fn whole_declaration(source: &Source<'_>) -> Result<Declaration, StoreError> {
    match read_and_validate(source)? {
        (Some(declaration), problems) if problems.is_empty() => Ok(declaration),
        (_, problems) => Err(StoreError::Invalid(problems)),
    }
}

/// The declaration in `source` with only the named clauses read, not cross-checked.
fn partial_declaration(
    source: &Source<'_>,
    clauses: &BTreeSet<ClauseId>,
) -> Result<Declaration, StoreError> {
    match read_declaration(source, Some(clauses))? {
        (Some(declaration), problems, _) if problems.is_empty() => Ok(declaration),
        (_, problems, _) => Err(StoreError::Invalid(problems)),
    }
}

/// Every amendment in `source`, in id order; an error if any file is invalid.
fn every_amendment(source: &Source<'_>) -> Result<Vec<Amendment>, StoreError> {
    let (amendments, problems) = read_amendments(source)?;
    if problems.is_empty() {
        Ok(amendments)
    } else {
        Err(StoreError::Invalid(problems))
    }
}

fn amendment_ids(source: &Source<'_>) -> Result<Vec<AmendmentId>, StoreError> {
    Ok(amendment_files(source)?
        .found
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}

/// The amendment files at `source`, in id order.
struct AmendmentFiles {
    found: Vec<(AmendmentId, String)>,
    /// Files under `amendments/` that are not where an amendment belongs.
    misplaced: Vec<Problem>,
}

/// Lists `amendments/<CODE>/<ID>.yaml` from file names alone, without reading a file.
fn amendment_files(source: &Source<'_>) -> Result<AmendmentFiles, StoreError> {
    let mut found = Vec::new();
    let mut misplaced = Vec::new();
    for name in source.list(AMENDMENTS_DIR)? {
        let message = match name
            .strip_suffix(".yaml")
            .and_then(|stem| stem.parse::<AmendmentId>().ok())
        {
            Some(id) => format!(
                "amendments are kept in their proposer's folder: move this file to {}",
                amendment_file(&id)
            ),
            None => "amendments are kept in their proposer's folder, as amendments/TUR/TUR-3.yaml"
                .to_owned(),
        };
        misplaced.push(Problem::at(
            &format!("{AMENDMENTS_DIR}/{name}"),
            (1, 1),
            message,
        ));
    }
    for folder in source.list_folders(AMENDMENTS_DIR)? {
        for name in source.list(&format!("{AMENDMENTS_DIR}/{folder}"))? {
            let file = format!("{AMENDMENTS_DIR}/{folder}/{name}");
            let Some(stem) = name.strip_suffix(".yaml") else {
                misplaced.push(Problem::at(
                    &file,
                    (1, 1),
                    "amendment files must end in .yaml",
                ));
                continue;
            };
            match stem.parse::<AmendmentId>() {
                Ok(id) if id.proposer().as_str() == folder => found.push((id, file)),
                Ok(id) => {
                    let message = format!(
                        "{id} is proposed by {}: move this file to {}",
                        id.proposer(),
                        amendment_file(&id)
                    );
                    misplaced.push(Problem::at(&file, (1, 1), message));
                }
                Err(error) => misplaced.push(Problem::at(
                    &file,
                    (1, 1),
                    format!("the file name is not a valid {error}"),
                )),
            }
        }
    }
    found.sort();
    Ok(AmendmentFiles { found, misplaced })
}

/// The folder a repository path is in (`amendments/TUR` for `amendments/TUR/TUR-3.yaml`).
fn parent_folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

fn read_amendment(source: &Source<'_>, id: &AmendmentId) -> Result<Option<Amendment>, StoreError> {
    let file = amendment_file(id);
    let Some(bytes) = source.read(&file)? else {
        return Ok(None);
    };
    let amendment = yaml::parse::<Amendment>(&file, &bytes).map_err(StoreError::Invalid)?;
    Ok(Some(amendment))
}

fn read_amendments(source: &Source<'_>) -> Result<(Vec<Amendment>, Vec<Problem>), StoreError> {
    read_amendments_where(source, Wanted::Every)
}

/// Reads the amendments a command wants: chosen by their briefs (clause and status) where the
/// index knows them, else by a byte search, far cheaper than parsing twenty thousand files
/// when a command needs only a few of them.
fn read_amendments_where(
    source: &Source<'_>,
    wanted: Wanted<'_>,
) -> Result<(Vec<Amendment>, Vec<Problem>), StoreError> {
    let AmendmentFiles {
        found,
        misplaced: mut problems,
    } = amendment_files(source)?;
    let mut briefs = Briefs::open_for(source.cache_dir(), found.len(), wanted);
    let mut files = Vec::new();
    for (id, file) in found {
        let blob = match &briefs {
            Some(_) => source.blob_id(&file)?,
            None => None,
        };
        if let (Some(briefs), Some(blob)) = (&mut briefs, blob)
            && let Some(brief) = briefs.get(blob)
        {
            if wanted.takes(&brief) {
                let bytes = source.read(&file)?.unwrap_or_default();
                files.push((id, file, bytes));
            }
            continue;
        }
        let Some(bytes) = source.read(&file)? else {
            continue;
        };
        if let (Some(briefs), Some(blob)) = (&mut briefs, blob)
            && let Ok(amendment) = yaml::parse::<Amendment>(&file, &bytes)
        {
            let brief = Brief::of(&amendment);
            let taken = wanted.takes(&brief);
            briefs.learn(blob, brief);
            if taken {
                files.push((id, file, bytes));
            }
            continue;
        }
        if wanted.may_take(&bytes) {
            files.push((id, file, bytes));
        }
    }
    if let Some(briefs) = briefs {
        briefs.save();
    }
    let mut amendments = Vec::new();
    for (id, file, bytes, parsed) in
        parse_files::<Amendment, _>(source.cache_dir(), "amendments", files)
    {
        let Some(amendment) = collect(&mut problems, parsed) else {
            continue;
        };
        if amendment.id != id {
            let at = yaml::decode(&file, &bytes)
                .ok()
                .and_then(|text| yaml::locate(text, "id"))
                .unwrap_or((1, 1));
            problems.push(Problem::at(
                &file,
                at,
                format!(
                    "the id {} does not match the file name {}",
                    amendment.id,
                    file.rsplit('/').next().unwrap_or(&file)
                ),
            ));
            continue;
        }
        if wanted.takes(&Brief::of(&amendment)) {
            amendments.push(amendment);
        }
    }
    amendments.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((amendments, problems))
}

fn read_translation(
    source: &Source<'_>,
    language: &str,
) -> Result<(Option<Translation>, Vec<Problem>), StoreError> {
    read_translation_in(source, &format!("translations/{language}"), language)
}

fn read_translation_in(
    source: &Source<'_>,
    dir: &str,
    language: &str,
) -> Result<(Option<Translation>, Vec<Problem>), StoreError> {
    let mut problems = Vec::new();
    let names = source.list(dir)?;
    if names.is_empty() {
        return Ok((None, problems));
    }
    let mut translation = Translation {
        language: language.to_owned(),
        ..Translation::default()
    };
    for name in names {
        let file = format!("{dir}/{name}");
        let Some(bytes) = source.read(&file)? else {
            continue;
        };
        if name == DECLARATION_FILE {
            translation.meta =
                collect(&mut problems, yaml::parse::<MetaTranslation>(&file, &bytes));
            continue;
        }
        let Some(id) = name
            .strip_suffix(".yaml")
            .and_then(|stem| stem.parse::<ClauseId>().ok())
        else {
            problems.push(Problem::at(
                &file,
                (1, 1),
                "translation files are named <clause-id>.yaml or declaration.yaml",
            ));
            continue;
        };
        if let Some(clause) = collect(
            &mut problems,
            yaml::parse::<ClauseTranslation>(&file, &bytes),
        ) {
            translation.clauses.insert(id, clause);
        }
    }
    Ok((Some(translation), problems))
}

/// The translation files in a folder (`drafts/dushanbe-2022/translations/ru`), to import.
pub fn read_translation_dir(dir: &Path, language: &str) -> Result<Translation, StoreError> {
    let source = Source::WorkTree(dir.to_owned());
    if !dir.is_dir() {
        return Err(StoreError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        ));
    }
    let (translation, mut problems) = read_translation_in(&source, ".", language)?;
    for problem in &mut problems {
        problem.file = dir
            .join(problem.file.trim_start_matches("./"))
            .display()
            .to_string();
    }
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let mut translation = translation.unwrap_or_default();
    translation.language = language.to_owned();
    Ok(translation)
}

fn collect<T>(problems: &mut Vec<Problem>, result: Result<T, Vec<Problem>>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(found) => {
            problems.extend(found);
            None
        }
    }
}

/// Turns model findings (file + YAML path) into located problems, reading each file once.
fn locate_findings(
    source: &Source<'_>,
    findings: Vec<Finding>,
) -> Result<Vec<Problem>, StoreError> {
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    let mut problems = Vec::new();
    for finding in findings {
        if !texts.contains_key(&finding.file) {
            let text = source
                .read(&finding.file)?
                .and_then(|bytes| yaml::decode(&finding.file, &bytes).ok().map(str::to_owned));
            texts.insert(finding.file.clone(), text);
        }
        let at = match (&finding.path, &texts[&finding.file]) {
            (Some(path), Some(text)) => yaml::locate(text, path).unwrap_or((1, 1)),
            _ => (1, 1),
        };
        problems.push(Problem::at(&finding.file, at, finding.message));
    }
    Ok(problems)
}

/// `Decl-Applied: TUR-3 op-border-data` trailers of a revision commit.
pub fn applied_trailers(message: &str) -> Vec<(AmendmentId, ClauseId)> {
    message
        .lines()
        .filter_map(|line| line.strip_prefix("Decl-Applied: "))
        .filter_map(|rest| {
            let (amendment, clause) = rest.split_once(' ')?;
            Some((amendment.parse().ok()?, clause.trim().parse().ok()?))
        })
        .collect()
}

fn oid_string(oid: Oid) -> String {
    oid.to_string()
}

fn to_datetime(time: Time) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"));
    offset
        .timestamp_opt(time.seconds(), 0)
        .single()
        .unwrap_or_else(|| offset.timestamp_opt(0, 0).single().expect("epoch is valid"))
}

/// The files of a bundled draft folder: the zero draft's YAML and, if present, its history.
pub struct DraftFiles {
    /// Repository-relative path and content of each file of the zero draft.
    pub files: Vec<(String, Vec<u8>)>,
    pub history: Option<Vec<u8>>,
}

/// Reads a draft folder (`drafts/dushanbe-2022`).
pub fn read_draft(dir: &Path) -> Result<DraftFiles, StoreError> {
    if !dir.is_dir() {
        return Err(StoreError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such draft folder"),
        ));
    }
    let source = Source::WorkTree(dir.to_owned());
    let mut files = Vec::new();
    for file in [DECLARATION_FILE, DELEGATIONS_FILE] {
        if let Some(bytes) = source.read(file)? {
            files.push((file.to_owned(), bytes));
        }
    }
    for name in source.list("clauses")? {
        let path = format!("clauses/{name}");
        if let Some(bytes) = source.read(&path)? {
            files.push((path, bytes));
        }
    }
    let history = source.read("history.yaml")?;
    Ok(DraftFiles { files, history })
}

/// Every problem in a folder laid out like a repository (a draft), with paths that include
/// the folder so that an editor can jump to them.
pub fn check_directory(dir: &Path) -> Result<Vec<Problem>, StoreError> {
    let source = Source::WorkTree(dir.to_owned());
    let (_, mut problems) = read_and_validate(&source)?;
    for problem in &mut problems {
        problem.file = dir.join(&problem.file).display().to_string();
    }
    problems.sort();
    Ok(problems)
}

/// Reads the declaration in a folder laid out like a repository.
pub fn load_directory(dir: &Path) -> Result<Declaration, StoreError> {
    let source = Source::WorkTree(dir.to_owned());
    match read_and_validate(&source)? {
        (Some(declaration), problems) if problems.is_empty() => Ok(declaration),
        (_, problems) => Err(StoreError::Invalid(problems)),
    }
}
