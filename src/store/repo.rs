//! Opening a declaration repository and reading it: [`DeclRepo`] (found from a folder, or
//! created), [`At`] (the working tree or any revision git can name), the declaration,
//! amendments and translations at a revision, revision tags ([`RevisionTag`]), and a clause's
//! history ([`ClauseCommit`]), walked as `git log -- <path>` does.
//!
//! Turning files into model values is left to `read`; changing the repository to
//! `transaction` (one commit per action) and `work_tree` (the files on disk and the index).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::{Oid, Repository, Time};

use super::briefs::{Wanted, contains};
use super::parse_cache::parse_files;
use super::read::{
    amendment_files, amendment_ids, check_source, every_amendment, parent_folder,
    partial_declaration, read_amendment, read_amendments_where, read_clauses, read_translation,
    whole_declaration,
};
use super::signing::{KeySource, Signer};
use super::source::Source;
use super::{Problem, StoreError, oid_string, yaml};
use crate::model::adoption::Translation;
use crate::model::validate::{DECLARATION_FILE, clause_file};
use crate::model::{Amendment, AmendmentId, Clause, ClauseId, Declaration};

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

/// libgit2 re-hashes every object it reads to check its id; git does not (`git fsck` does).
/// Reading a long history, the hashing cost a third of `decl log`; an object's id is still
/// checked when it is written, and a damaged pack still fails to inflate.
fn read_objects_as_git_does() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
}

/// A declaration repository.
pub struct DeclRepo {
    pub(super) repo: Repository,
    pub(super) root: PathBuf,
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

    pub(super) fn signer(&self) -> Result<Option<Signer>, StoreError> {
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
}

/// Settings a repository decl makes or clones gets. git (since 2.36) writes its commit-graph
/// with a generation-number chunk that libgit2 refuses, and libgit2 then reads every commit
/// of a history walk (`decl log`, `blame`, `verify`); version 1 graphs it reads. They are
/// written by `git gc`, which git runs now and then by itself.
pub(super) fn configure_for_decl(repo: &Repository) -> Result<(), StoreError> {
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

/// `Decl-Applied: TUR-3 op-border-data` trailers of a revision commit. Only the message's
/// last paragraph holds trailers (decl writes them there, after every user text), so a label
/// or reason that looks like one can never credit words to an amendment.
pub fn applied_trailers(message: &str) -> Vec<(AmendmentId, ClauseId)> {
    let message = message.trim_end();
    let trailers = message
        .rsplit_once("\n\n")
        .map_or(message, |(_, last)| last);
    trailers
        .lines()
        .filter_map(|line| line.strip_prefix("Decl-Applied: "))
        .filter_map(|rest| {
            let (amendment, clause) = rest.split_once(' ')?;
            Some((amendment.parse().ok()?, clause.trim().parse().ok()?))
        })
        .collect()
}

fn to_datetime(time: Time) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"));
    offset
        .timestamp_opt(time.seconds(), 0)
        .single()
        .unwrap_or_else(|| offset.timestamp_opt(0, 0).single().expect("epoch is valid"))
}

#[cfg(test)]
mod tests {
    use super::applied_trailers;

    #[test]
    fn trailers_are_read_from_the_last_paragraph_only() {
        let message = "UNOCT cuts Rev.1\n\nDecl-Applied: TUR-9 op-forged\n\n- TUR-1 (T): x\n\nDecl-Action: cut\nDecl-Revision: rev1\nDecl-Applied: TUR-1 op-borders\n";
        let found = applied_trailers(message);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.to_string(), "TUR-1");
        assert!(applied_trailers("Decl-Applied: TUR-1 op-borders").len() == 1);
    }
}
