//! Exchanging commits with a remote: `decl clone`, `decl sync` (fetch, integrate, push) and
//! how far a clone is ahead of or behind its remote.
//!
//! Integration is a merge commit, never a rebase: the commits of both clones keep their ids
//! and so their signatures. Before merging, an amendment id that both clones took (two laptops
//! of one delegation) is renumbered on the local side in a commit of its own; the merge itself
//! is [`merge_trees`], decl's own file-by-file merge. Nothing moves until the whole merge is
//! known to succeed: on a conflict the branch, index and working tree are as they were (the
//! fetched commits stay in the remote-tracking branch, to be looked at).
//!
//! A revision tag is never moved: an amendment's record says which revision applied it, so a
//! name must keep meaning one text. The remote's refs are read before anything is fetched,
//! and a tag the remote holds under a name this clone gives another object refuses the whole
//! sync ([`RevisionClash`]), before any object, ref or file is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use git2::{AutotagOption, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository, Tree};

use super::merge::{MergeConflict, changed_files, merge_trees};
use super::repo::configure_for_decl;
use super::transaction::head_branch;
use super::{DeclRepo, StoreError, signing, yaml};
use crate::model::sync::renumber;
use crate::model::validate::amendment_file;
use crate::model::{Amendment, AmendmentId, Delegation, DelegationCode};

/// Where the clone stands against its remote-tracking branch (as of the last fetch).
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `origin/main`.
    pub name: String,
    pub ahead: usize,
    pub behind: usize,
}

/// A revision both clones cut under one name, each its own: the commits its tag names here
/// and on the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionClash {
    /// The tag's name, `rev1`.
    pub name: String,
    /// The commit this clone's tag names.
    pub ours: String,
    /// The commit the remote's tag names (as the remote advertises it, peeled).
    pub theirs: String,
}

/// What `sync` did.
#[derive(Debug, Clone)]
pub struct SyncReport {
    pub remote: String,
    pub upstream: String,
    pub integration: Integration,
    /// Local amendments renumbered because the remote had taken their ids: (old, new).
    pub renumbered: Vec<(AmendmentId, AmendmentId)>,
    /// Whether local commits (or tags) were sent to the remote.
    pub pushed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integration {
    /// Nothing new on the remote.
    UpToDate,
    /// The clone had nothing of its own: it moved to the remote's commit.
    FastForward { commits: usize },
    /// Both had new commits: a merge commit joins them.
    Merged { commit: String },
}

impl DeclRepo {
    /// Clones `url` (a path, a `file://` URL, or ssh/https where git2 supports them) into
    /// `dir`, which must be missing or empty.
    pub fn clone_from(url: &str, dir: &Path) -> Result<DeclRepo, StoreError> {
        if dir.exists()
            && std::fs::read_dir(dir)
                .map_err(|e| StoreError::io(dir, e))?
                .next()
                .is_some()
        {
            return Err(StoreError::NotEmpty {
                path: dir.to_owned(),
            });
        }
        git2::build::RepoBuilder::new()
            .clone(url, dir)
            .map_err(|error| reach_error(url, Some(url), &error))?;
        let store = DeclRepo::discover(dir)?;
        configure_for_decl(&store.repo)?;
        Ok(store)
    }

    /// How far the branch is ahead of and behind its upstream, from what was last fetched;
    /// `None` when it has no upstream.
    pub fn upstream(&self) -> Result<Option<Upstream>, StoreError> {
        let Ok(branch) = head_branch(&self.repo) else {
            return Ok(None);
        };
        let Some((_, upstream_ref)) = self.upstream_of(&branch)? else {
            return Ok(None);
        };
        let name = upstream_ref
            .strip_prefix("refs/remotes/")
            .unwrap_or(&upstream_ref)
            .to_owned();
        let head = self.repo.head().ok().and_then(|head| head.target());
        let theirs = self
            .repo
            .find_reference(&upstream_ref)
            .ok()
            .and_then(|r| r.target());
        let (ahead, behind) = match (head, theirs) {
            (Some(ours), Some(theirs)) => self.repo.graph_ahead_behind(ours, theirs)?,
            (Some(ours), None) => (count_commits(&self.repo, ours)?, 0),
            (None, Some(theirs)) => (0, count_commits(&self.repo, theirs)?),
            (None, None) => (0, 0),
        };
        Ok(Some(Upstream {
            name,
            ahead,
            behind,
        }))
    }

    /// The remote's name and the remote-tracking ref of `branch` (`origin`,
    /// `refs/remotes/origin/main`): the configured upstream, else `origin`.
    fn upstream_of(&self, branch: &str) -> Result<Option<(String, String)>, StoreError> {
        let remote = match self.repo.branch_upstream_remote(branch) {
            Ok(buf) => buf.as_str()?.to_owned(),
            Err(_) if self.repo.find_remote("origin").is_ok() => "origin".to_owned(),
            Err(_) => return Ok(None),
        };
        let tracking = match self.repo.branch_upstream_name(branch) {
            Ok(buf) => buf.as_str()?.to_owned(),
            Err(_) => format!(
                "refs/remotes/{remote}/{}",
                branch.strip_prefix("refs/heads/").unwrap_or(branch)
            ),
        };
        Ok(Some((remote, tracking)))
    }

    /// Fetches from the remote, integrates its branch (fast-forward, or renumbering and a
    /// merge commit by `actor`), and pushes the result with the tags. `delegations` name the
    /// authors of renumbering commits (an amendment's proposer). On a conflict nothing here
    /// changes and the error lists every conflicting file.
    pub fn sync(
        &self,
        actor: &Delegation,
        delegations: &[Delegation],
        at: DateTime<FixedOffset>,
    ) -> Result<SyncReport, StoreError> {
        let mut tx = self.begin()?;
        // A merge may write any file, so any change by hand is in its way: tracked files
        // anywhere, and new files in decl's folders.
        let mut uncommitted = self.tracked_changes()?;
        uncommitted.extend(self.uncommitted_changes()?);
        uncommitted.sort();
        uncommitted.dedup();
        if !uncommitted.is_empty() {
            return Err(StoreError::Dirty(uncommitted));
        }
        let signer = self.signer()?;
        let repo = &self.repo;
        let branch = head_branch(repo)?;
        let Some((remote_name, tracking)) = self.upstream_of(&branch)? else {
            return Err(StoreError::NoRemote);
        };
        let url = repo
            .find_remote(&remote_name)
            .ok()
            .and_then(|remote| remote.url().ok().map(str::to_owned));
        let remote_error = |error: git2::Error| reach_error(&remote_name, url.as_deref(), &error);
        let mut remote = repo.find_remote(&remote_name).map_err(remote_error)?;
        // A fetch of every tag replaces a local tag of the same name, so the remote's refs are
        // compared with ours first. The fetch then reuses this connection and the refs it
        // advertised, so no tag can change in between.
        remote
            .connect(git2::Direction::Fetch)
            .map_err(remote_error)?;
        let advertised: BTreeMap<String, Oid> = remote
            .list()
            .map_err(remote_error)?
            .iter()
            .map(|head| (head.name().to_owned(), head.oid()))
            .collect();
        let revision_clashes = revision_clashes(repo, &advertised)?;
        if !revision_clashes.is_empty() {
            // Nothing was downloaded; a failed disconnect leaves nothing behind either.
            let _ = remote.disconnect();
            return Err(StoreError::RevisionClash {
                remote: remote_name,
                clashes: revision_clashes,
            });
        }
        let mut fetch_options = FetchOptions::new();
        fetch_options.download_tags(AutotagOption::All);
        remote
            .fetch(&[] as &[&str], Some(&mut fetch_options), None)
            .map_err(remote_error)?;

        let upstream_name = tracking
            .strip_prefix("refs/remotes/")
            .unwrap_or(&tracking)
            .to_owned();
        let theirs = repo.find_reference(&tracking).ok().and_then(|r| r.target());
        let ours = tx.head;
        let mut renumbered = Vec::new();
        let integration = match (ours, theirs) {
            (_, None) => Integration::UpToDate,
            (Some(ours), Some(theirs))
                if ours == theirs || repo.graph_descendant_of(ours, theirs)? =>
            {
                Integration::UpToDate
            }
            (Some(ours), Some(theirs)) if !repo.graph_descendant_of(theirs, ours)? => {
                let base_commit = repo.merge_base(ours, theirs).ok();
                let base_tree = base_commit
                    .map(|base| repo.find_commit(base)?.tree())
                    .transpose()?;
                let their_tree = repo.find_commit(theirs)?.tree()?;
                let mut our_commit = ours;
                for (proposer, clashes) in clashes(repo, base_tree.as_ref(), ours, &their_tree)? {
                    let author = delegations
                        .iter()
                        .find(|d| d.code == proposer)
                        .unwrap_or(actor);
                    let (commit, pairs) = self.renumber_commit(
                        signer.as_ref(),
                        our_commit,
                        &their_tree,
                        &clashes,
                        author,
                        at,
                    )?;
                    our_commit = commit;
                    renumbered.extend(pairs);
                }
                let our_tree = repo.find_commit(our_commit)?.tree()?;
                let merged = match merge_trees(repo, base_tree.as_ref(), &our_tree, &their_tree)? {
                    Ok(tree) => repo.find_tree(tree)?,
                    Err(conflicts) => {
                        return Err(StoreError::SyncConflicts {
                            upstream: upstream_name,
                            conflicts,
                        });
                    }
                };
                let (author, committer) = self.signatures(actor, at)?;
                let message = format!(
                    "{} merges {upstream_name} into {}\n\nDecl-Action: sync\n",
                    actor.code,
                    branch.strip_prefix("refs/heads/").unwrap_or(&branch)
                );
                let parents = [&repo.find_commit(our_commit)?, &repo.find_commit(theirs)?];
                let merge = signing::write_commit(
                    repo,
                    signer.as_ref(),
                    &author,
                    &committer,
                    &message,
                    &merged,
                    &parents,
                )?;
                let original = repo.find_commit(ours)?.tree()?;
                let writes = file_writes(repo, Some(&original), &merged)?;
                self.publish(Some(ours), merge, &writes, &message, |_| Ok(()))?;
                Integration::Merged {
                    commit: merge.to_string(),
                }
            }
            (ours, Some(theirs)) => {
                let commits = match ours {
                    Some(ours) => repo.graph_ahead_behind(theirs, ours)?.0,
                    None => count_commits(repo, theirs)?,
                };
                let from = ours.map(|o| repo.find_commit(o)?.tree()).transpose()?;
                let to = repo.find_commit(theirs)?.tree()?;
                let writes = file_writes(repo, from.as_ref(), &to)?;
                self.publish(
                    ours,
                    theirs,
                    &writes,
                    &format!("sync: fast-forward to {upstream_name}"),
                    |_| Ok(()),
                )?;
                Integration::FastForward { commits }
            }
        };
        tx.head = repo.head().ok().and_then(|head| head.target());

        // Push the branch when the remote lacks its tip, and every tag (git skips those it has).
        let head = tx.head;
        let remote_tip = repo.find_reference(&tracking).ok().and_then(|r| r.target());
        let mut refspecs = Vec::new();
        if head.is_some() && head != remote_tip {
            refspecs.push(format!("{branch}:{branch}"));
        }
        for name in repo.tag_names(None)?.iter().flatten().flatten() {
            let tag_ref = format!("refs/tags/{name}");
            if !advertised.contains_key(&tag_ref) {
                refspecs.push(format!("{tag_ref}:{tag_ref}"));
            }
        }
        let pushed = !refspecs.is_empty();
        if pushed {
            let mut rejected = Vec::new();
            {
                let mut callbacks = RemoteCallbacks::new();
                callbacks.push_update_reference(|name, status| {
                    if let Some(status) = status {
                        rejected.push(format!("{name}: {status}"));
                    }
                    Ok(())
                });
                let mut options = PushOptions::new();
                options.remote_callbacks(callbacks);
                remote
                    .push(&refspecs, Some(&mut options))
                    .map_err(|error| StoreError::PushRejected(error.message().to_owned()))?;
            }
            if !rejected.is_empty() {
                return Err(StoreError::PushRejected(rejected.join("; ")));
            }
            // The remote now has our tip: record it as git does after a push.
            if let Some(head) = head {
                repo.reference(&tracking, head, true, "decl sync: push")?;
            }
        }
        drop(tx);
        Ok(SyncReport {
            remote: remote_name,
            upstream: upstream_name,
            integration,
            renumbered,
            pushed,
        })
    }

    /// Tracked files (anywhere in the working tree) that differ from HEAD.
    fn tracked_changes(&self) -> Result<Vec<String>, StoreError> {
        let mut options = git2::StatusOptions::new();
        options.include_untracked(false).include_ignored(false);
        let statuses = self.repo.statuses(Some(&mut options))?;
        Ok(statuses
            .iter()
            .map(|entry| String::from_utf8_lossy(entry.path_bytes()).into_owned())
            .collect())
    }

    /// One commit on top of `parent` that moves each clashing amendment of one proposer to
    /// the next number free on both sides.
    fn renumber_commit(
        &self,
        signer: Option<&signing::Signer>,
        parent: Oid,
        their_tree: &Tree<'_>,
        clashes: &[Amendment],
        author: &Delegation,
        at: DateTime<FixedOffset>,
    ) -> Result<(Oid, Vec<(AmendmentId, AmendmentId)>), StoreError> {
        let repo = &self.repo;
        let parent_commit = repo.find_commit(parent)?;
        let our_tree = parent_commit.tree()?;
        let mut taken: BTreeSet<u32> = BTreeSet::new();
        if let Some(code) = clashes.first().map(|a| a.id.proposer()) {
            for tree in [&our_tree, their_tree] {
                for id in amendment_ids_in(repo, tree, code)? {
                    taken.insert(id.number());
                }
            }
        }
        let mut builder = git2::build::TreeUpdateBuilder::new();
        let mut pairs = Vec::new();
        for amendment in clashes {
            let number = taken.iter().max().copied().unwrap_or(0) + 1;
            taken.insert(number);
            let moved = renumber(amendment, number);
            let text = serde_yaml::to_string(&moved).map_err(|source| StoreError::Serialise {
                file: amendment_file(&moved.id),
                source,
            })?;
            builder.remove(amendment_file(&amendment.id));
            builder.upsert(
                amendment_file(&moved.id),
                repo.blob(text.as_bytes())?,
                git2::FileMode::Blob,
            );
            pairs.push((amendment.id.clone(), moved.id));
        }
        let tree = repo.find_tree(builder.create_updated(repo, &our_tree)?)?;
        let list: Vec<String> = pairs
            .iter()
            .map(|(old, new)| format!("{old} to {new}"))
            .collect();
        let message = format!(
            "{} renumbers {}: the other clone took {} first\n\nDecl-Action: renumber\n",
            author.code,
            list.join(", "),
            if pairs.len() == 1 {
                "that number"
            } else {
                "those numbers"
            }
        );
        let (author_signature, committer) = self.signatures(author, at)?;
        let commit = signing::write_commit(
            repo,
            signer,
            &author_signature,
            &committer,
            &message,
            &tree,
            &[&parent_commit],
        )?;
        Ok((commit, pairs))
    }
}

/// The tags the remote advertises under a name this clone gives another object, by name.
fn revision_clashes(
    repo: &Repository,
    advertised: &BTreeMap<String, Oid>,
) -> Result<Vec<RevisionClash>, StoreError> {
    let mut found = Vec::new();
    for (ref_name, &their_target) in advertised {
        let Some(name) = ref_name.strip_prefix("refs/tags/") else {
            continue;
        };
        if name.ends_with("^{}") {
            continue; // The peeled entry of an annotated tag, read below.
        }
        let Ok(ours) = repo.find_reference(ref_name) else {
            continue; // A new tag: the fetch brings it.
        };
        if ours.target() == Some(their_target) {
            continue;
        }
        let our_commit = match ours.peel_to_commit() {
            Ok(commit) => commit.id(),
            // A tag of something else than a commit is named by what it points at.
            Err(_) => ours.target().unwrap_or(Oid::ZERO_SHA1),
        };
        // The remote names the commit under an annotated tag as `refs/tags/NAME^{}` (git and
        // libgit2 both advertise it); a lightweight tag names it directly.
        let their_commit = advertised
            .get(&format!("{ref_name}^{{}}"))
            .copied()
            .unwrap_or(their_target);
        found.push(RevisionClash {
            name: name.to_owned(),
            ours: our_commit.to_string(),
            theirs: their_commit.to_string(),
        });
    }
    Ok(found)
}

/// Amendments both sides created under the same id with different content, by proposer:
/// the local versions, which get new numbers.
fn clashes(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    ours: Oid,
    their_tree: &Tree<'_>,
) -> Result<BTreeMap<DelegationCode, Vec<Amendment>>, StoreError> {
    let our_tree = repo.find_commit(ours)?.tree()?;
    let ours_changed = changed_files(repo, base, Some(&our_tree))?;
    let theirs_changed = changed_files(repo, base, Some(their_tree))?;
    let mut found: BTreeMap<DelegationCode, Vec<Amendment>> = BTreeMap::new();
    for (path, our_blob) in &ours_changed {
        let created_here = base.is_none_or(|tree| tree.get_path(Path::new(path)).is_err());
        let (Some(our_blob), Some(Some(their_blob))) = (our_blob, theirs_changed.get(path)) else {
            continue;
        };
        if !created_here || !path.starts_with("amendments/") || our_blob == their_blob {
            continue;
        }
        let blob = repo.find_blob(*our_blob)?;
        if let Ok(amendment) = yaml::parse::<Amendment>(path, blob.content()) {
            found
                .entry(amendment.id.proposer().clone())
                .or_default()
                .push(amendment);
        }
    }
    Ok(found)
}

/// The ids of `code`'s amendments in `tree`.
fn amendment_ids_in(
    repo: &Repository,
    tree: &Tree<'_>,
    code: &DelegationCode,
) -> Result<Vec<AmendmentId>, StoreError> {
    let Ok(entry) = tree.get_path(Path::new(&format!("amendments/{code}"))) else {
        return Ok(Vec::new());
    };
    let folder = repo.find_tree(entry.id())?;
    Ok(folder
        .iter()
        .filter_map(|entry| entry.name().ok()?.strip_suffix(".yaml")?.parse().ok())
        .filter(|id: &AmendmentId| id.proposer() == code)
        .collect())
}

/// The files to write to go from `from` to `to` (`None`: remove).
fn file_writes(
    repo: &Repository,
    from: Option<&Tree<'_>>,
    to: &Tree<'_>,
) -> Result<BTreeMap<String, Option<Vec<u8>>>, StoreError> {
    let mut writes = BTreeMap::new();
    for (path, blob) in changed_files(repo, from, Some(to))? {
        let content = match blob {
            Some(blob) => Some(repo.find_blob(blob)?.content().to_vec()),
            None => None,
        };
        writes.insert(path, content);
    }
    Ok(writes)
}

fn count_commits(repo: &Repository, tip: Oid) -> Result<usize, StoreError> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    Ok(walk.count())
}

/// "revision rev1 was" or "revisions rev1, rev2 were", for `StoreError::RevisionClash`.
pub(crate) fn describe_revisions(clashes: &[RevisionClash]) -> String {
    let names: Vec<&str> = clashes.iter().map(|c| c.name.as_str()).collect();
    match names.as_slice() {
        [name] => format!("revision {name} was"),
        names => format!("revisions {} were", names.join(", ")),
    }
}

/// One line per clash, naming both commits, for `StoreError::RevisionClash`.
pub(crate) fn describe_clashes(clashes: &[RevisionClash], remote: &str) -> String {
    clashes
        .iter()
        .map(|c| {
            if c.ours == c.theirs {
                format!(
                    "  {}: commit {} on both, but tagged differently here and on {remote}",
                    c.name, c.ours
                )
            } else {
                format!(
                    "  {}: commit {} here, commit {} on {remote}",
                    c.name, c.ours, c.theirs
                )
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Listed by `StoreError::SyncConflicts`.
pub(crate) fn describe_conflicts(conflicts: &[MergeConflict]) -> String {
    conflicts
        .iter()
        .map(|c| format!("  {}: {}", c.path, c.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A remote that cannot be reached. git reports a local folder that does not exist as an
/// "unsupported URL protocol", which sends a user looking in the wrong place: say what is
/// wrong.
fn reach_error(remote: &str, url: Option<&str>, error: &git2::Error) -> StoreError {
    let message = match url.and_then(local_folder) {
        Some(folder) if !folder.exists() => {
            format!("the folder {} does not exist", folder.display())
        }
        _ => error.message().to_owned(),
    };
    StoreError::Remote {
        remote: remote.to_owned(),
        message,
    }
}

/// The folder a remote URL names, when it names one on this machine (a path or `file://`).
fn local_folder(url: &str) -> Option<std::path::PathBuf> {
    if let Some(path) = url.strip_prefix("file://") {
        return Some(path.into());
    }
    // `host:path` (scp-like) and `scheme://...` are not local.
    let local =
        !url.contains("://") && url.split('/').next().is_none_or(|head| !head.contains(':'));
    local.then(|| url.into())
}
