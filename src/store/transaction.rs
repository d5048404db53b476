//! One action, one commit: a [`Transaction`] stages the files an action writes (its reads see
//! the last commit plus what it has staged), then `commit` checks everything before writing
//! anything, writes the commit (signed when a key is configured) and publishes it with its
//! revision tag ([`NewTag`]), all or nothing: the journal, the branch moved only if it still
//! points at the parent, the tag, then the working tree. Also the repository's write lock, the
//! check of a new revision's name, and `recover`, which finishes or forgets a command killed
//! half-way through.
//!
//! Writing the files into the working tree and index is left to `work_tree`; reading them to
//! `read`; signing to `signing`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use git2::{Oid, Repository, RepositoryState, Signature, Time};
use serde::Serialize;

use super::briefs::Wanted;
use super::read::{
    amendment_ids, every_amendment, partial_declaration, read_amendment, read_amendments_where,
    whole_declaration,
};
use super::source::Source;
use super::work_tree::{TEMP_DIR, update_work_tree, write_atomically};
use super::{AMENDMENTS_DIR, At, DeclRepo, StoreError, crash_point, oid_string, signing, yaml};
use crate::model::adoption::{ClauseTranslation, MetaTranslation};
use crate::model::revision::revision_name_problem;
use crate::model::validate::{
    DECLARATION_FILE, DELEGATIONS_FILE, amendment_file, amendment_of_path, clause_file,
};
use crate::model::{
    Amendment, AmendmentId, Clause, ClauseId, Declaration, DeclarationMeta, Delegation,
    DelegationCode, DelegationsFile,
};

/// A new annotated tag made together with a commit.
pub struct NewTag {
    pub name: String,
    pub label: String,
}

impl DeclRepo {
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
}

/// A change being prepared: reads see the last commit plus what this transaction has written.
pub struct Transaction<'r> {
    store: &'r DeclRepo,
    _lock: File,
    pub(super) head: Option<Oid>,
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
    pub(super) fn signatures(
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
    pub(super) fn publish(
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

    /// Finishes a command that was killed after it moved the branch but before it had updated
    /// the working tree (the journal says which files), or forgets one killed before it moved
    /// the branch (nothing was committed, nothing is left to undo).
    pub(super) fn recover(&self) -> Result<(), StoreError> {
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
pub(super) fn head_branch(repo: &Repository) -> Result<String, StoreError> {
    let head = repo.find_reference("HEAD")?;
    match head.symbolic_target() {
        Ok(Some(target)) => Ok(target.to_owned()),
        _ => Err(StoreError::DetachedHead),
    }
}
