//! git's index file (`.git/index`), read and rewritten by decl itself for the few files an
//! action writes, so that the cost of a commit does not grow with the number of files.
//!
//! libgit2 checks the whole index on every read (a SHA-1 with collision detection over the
//! file, then every path) and hashes it again on every write: at 22,000 files (a 2 MB index)
//! that was two thirds of an amendment proposal, and what made it slower than on a smaller
//! repository. This module does what an action needs and no more: it finds the entries of
//! the files being written, and writes the index back with those entries replaced, added or
//! removed, using the ordinary (hardware) SHA-1 for the checksum, as git itself has done for
//! this checksum since 2.48. The checksum is still checked on read.
//!
//! Only the common layout is handled: index versions 2 and 3 without a split index. Anything
//! else (version 4's compressed paths, `core.splitIndex`, a damaged file) makes [`GitIndex::
//! read`] return `None`, and the caller falls back to libgit2. Extensions are dropped on
//! rewrite: they are caches (the tree cache, the untracked cache, the end-of-index offsets)
//! or the resolve-undo record of a finished merge, and git rebuilds the caches as it needs
//! them; they would otherwise be stale for the paths written.

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use git2::Oid;
use sha1::{Digest, Sha1};

/// The fixed part of an entry before its path: ten 32-bit stat fields, the object id, the
/// flags.
const ENTRY_HEADER: usize = 40 + 20 + 2;
const HEADER: usize = 12;
const CHECKSUM: usize = 20;
/// The flags' name-length field, and its value for names that long or longer.
const NAME_MASK: u16 = 0x0fff;
const EXTENDED: u16 = 0x4000;
const STAGE_SHIFT: u16 = 12;

/// An index file as read, with where each entry starts in it.
pub(crate) struct GitIndex {
    bytes: Vec<u8>,
    /// The offset of each entry, and after the last one that of the extensions.
    offsets: Vec<usize>,
}

/// What the index holds for a path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Staged {
    Missing,
    File(Oid),
    /// In the middle of a merge: more than one stage.
    Conflicted,
}

/// A file to record in the index: its blob id and its state on disk, just written.
pub(crate) struct NewEntry {
    pub id: Oid,
    pub metadata: std::fs::Metadata,
}

impl GitIndex {
    /// Reads `.git/index`; `None` when there is none, or it is one this module leaves to
    /// libgit2 (another version, a split index, a malformed file).
    ///
    /// The checksum is not checked, as git does not check it either outside `git fsck`: at two
    /// megabytes it would be most of the cost, and a damaged entry still fails to parse.
    pub(crate) fn read(git_dir: &Path) -> Option<GitIndex> {
        let bytes = std::fs::read(git_dir.join("index")).ok()?;
        Self::parse(bytes)
    }

    fn parse(bytes: Vec<u8>) -> Option<GitIndex> {
        if bytes.len() < HEADER + CHECKSUM || &bytes[..4] != b"DIRC" {
            return None;
        }
        let version = be32(&bytes, 4)?;
        if !(2..=3).contains(&version) {
            return None;
        }
        let count = be32(&bytes, 8)? as usize;
        let body_end = bytes.len() - CHECKSUM;
        let mut offsets = Vec::with_capacity(count + 1);
        let mut at = HEADER;
        for _ in 0..count {
            let (flags, path) = entry_path(&bytes, at, body_end)?;
            if flags & EXTENDED != 0 && version < 3 {
                return None;
            }
            offsets.push(at);
            at += padded(path.end - at);
            if at > body_end {
                return None;
            }
        }
        offsets.push(at);
        // What follows are extensions; a split index's entries live in another file.
        let mut ext = at;
        while ext + 8 <= body_end {
            if &bytes[ext..ext + 4] == b"link" {
                return None;
            }
            ext += 8 + be32(&bytes, ext + 4)? as usize;
        }
        Some(GitIndex { bytes, offsets })
    }

    fn count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The path and stage of entry `i`.
    fn entry(&self, i: usize) -> (&[u8], u16) {
        let at = self.offsets[i];
        let (flags, path) = entry_path(&self.bytes, at, self.bytes.len())
            .expect("an entry checked when the index was read");
        (&self.bytes[path], (flags >> STAGE_SHIFT) & 0x3)
    }

    /// The entries for `path` (one per stage), as a range of positions.
    fn positions(&self, path: &[u8]) -> Range<usize> {
        let (mut low, mut high) = (0, self.count());
        while low < high {
            let middle = (low + high) / 2;
            if self.entry(middle).0 < path {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let mut end = low;
        while end < self.count() && self.entry(end).0 == path {
            end += 1;
        }
        low..end
    }

    pub(crate) fn staged(&self, path: &str) -> Staged {
        let positions = self.positions(path.as_bytes());
        if positions.len() != 1 || self.entry(positions.start).1 != 0 {
            return match positions.len() {
                0 => Staged::Missing,
                _ => Staged::Conflicted,
            };
        }
        let id = self.offsets[positions.start] + 40;
        Oid::from_bytes(&self.bytes[id..id + 20]).map_or(Staged::Conflicted, Staged::File)
    }

    /// The checksum at the end of the file as read: a changed index has another one.
    fn checksum(&self) -> &[u8] {
        &self.bytes[self.bytes.len() - CHECKSUM..]
    }

    /// Writes the index with `updates` applied (`None` removes the path) to `out`, without the
    /// extensions, and the checksum after it. Unchanged entries are copied in runs, as they lie
    /// in the file.
    fn write_updated_to(
        &self,
        updates: &[(&str, Option<NewEntry>)],
        out: impl Write,
    ) -> std::io::Result<()> {
        let mut sorted: Vec<&(&str, Option<NewEntry>)> = updates.iter().collect();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut pieces: Vec<Piece<'_>> = Vec::new();
        let mut count = 0;
        let mut next = 0;
        for (path, new) in sorted {
            let positions = self.positions(path.as_bytes());
            if next < positions.start {
                pieces.push(Piece::Kept(
                    self.offsets[next]..self.offsets[positions.start],
                ));
                count += positions.start - next;
            }
            next = next.max(positions.end);
            if let Some(new) = new {
                pieces.push(Piece::New(path, new));
                count += 1;
            }
        }
        if next < self.count() {
            pieces.push(Piece::Kept(self.offsets[next]..self.offsets[self.count()]));
            count += self.count() - next;
        }
        let mut out = Hashing {
            out,
            hasher: Sha1::new(),
        };
        out.write_all(&self.bytes[..8])?;
        out.write_all(&u32::try_from(count).unwrap_or(u32::MAX).to_be_bytes())?;
        for piece in pieces {
            match piece {
                Piece::Kept(range) => out.write_all(&self.bytes[range])?,
                Piece::New(path, new) => out.write_all(&entry_bytes(path, new))?,
            }
        }
        let checksum = out.hasher.finalize();
        out.out.write_all(&checksum)
    }

    /// Writes `updates` into the index as git does: the new file is written beside it as
    /// `index.lock` (which also keeps out another git writing the index at the same time) and
    /// renamed over it. An index changed since it was read (by a git command in between) is
    /// read again under the lock, so that change is kept.
    pub(crate) fn write_updated(
        self,
        git_dir: &Path,
        updates: &[(&str, Option<NewEntry>)],
    ) -> std::io::Result<()> {
        let lock = git_dir.join("index.lock");
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)?;
        let written = (|| {
            let current = std::fs::read(git_dir.join("index"))?;
            let index = if current.ends_with(self.checksum()) {
                self
            } else {
                Self::parse(current).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the index changed into one decl does not read",
                    )
                })?
            };
            let mut file = std::io::BufWriter::with_capacity(1 << 16, file);
            index.write_updated_to(updates, &mut file)?;
            file.flush()?;
            std::fs::rename(&lock, git_dir.join("index"))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&lock);
        }
        written
    }
}

enum Piece<'a> {
    Kept(Range<usize>),
    New(&'a str, &'a NewEntry),
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    out: W,
    hasher: Sha1,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.hasher.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The flags and the path's place of the entry at `at`.
fn entry_path(bytes: &[u8], at: usize, end: usize) -> Option<(u16, Range<usize>)> {
    let flags = be16(bytes, at + ENTRY_HEADER - 2)?;
    let mut start = at + ENTRY_HEADER;
    if flags & EXTENDED != 0 {
        start += 2;
    }
    let len = match flags & NAME_MASK {
        NAME_MASK => bytes.get(start..end)?.iter().position(|&b| b == 0)?,
        len => usize::from(len),
    };
    if bytes.get(start + len) != Some(&0) {
        return None;
    }
    Some((flags, start..start + len))
}

/// An entry as the index stores it: stat fields, id, flags (stage 0) and the path.
fn entry_bytes(path: &str, new: &NewEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(ENTRY_HEADER + path.len() + 8);
    for field in stat_fields(&new.metadata) {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(new.id.as_bytes());
    let name_len = u16::try_from(path.len()).map_or(NAME_MASK, |len| len.min(NAME_MASK));
    out.extend_from_slice(&name_len.to_be_bytes());
    out.extend_from_slice(path.as_bytes());
    out.resize(padded(out.len()), 0);
    out
}

/// An entry's length with the NULs that end its path: at least one, up to a multiple of 8.
fn padded(len: usize) -> usize {
    (len + 8) / 8 * 8
}

/// ctime, mtime (seconds and nanoseconds), device, inode, mode, uid, gid and size, each cut
/// to 32 bits as git stores them. The mode is that of an ordinary file, the only kind decl
/// writes.
fn stat_fields(metadata: &std::fs::Metadata) -> [u32; 10] {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        [
            metadata.ctime() as u32,
            metadata.ctime_nsec() as u32,
            metadata.mtime() as u32,
            metadata.mtime_nsec() as u32,
            metadata.dev() as u32,
            metadata.ino() as u32,
            0o100644,
            metadata.uid(),
            metadata.gid(),
            metadata.size() as u32,
        ]
    }
    #[cfg(not(unix))]
    {
        // Without the stat fields git re-reads the file once to see it is unchanged.
        let mtime = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .unwrap_or_default();
        [
            0,
            0,
            mtime.as_secs() as u32,
            mtime.subsec_nanos(),
            0,
            0,
            0o100644,
            0,
            0,
            metadata.len() as u32,
        ]
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository whose index git2 wrote, with `files` added.
    fn repository(files: &[(&str, &str)]) -> (tempfile::TempDir, git2::Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let mut index = repo.index().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, text).unwrap();
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        (dir, repo)
    }

    fn new_entry(root: &Path, path: &str, text: &str) -> NewEntry {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        NewEntry {
            id: Oid::hash_object(git2::ObjectType::Blob, text.as_bytes()).unwrap(),
            metadata: std::fs::metadata(&full).unwrap(),
        }
    }

    /// libgit2 reads what this module writes, entry for entry, and sees the working tree as
    /// clean; an entry replaced, one added between others, one removed, and a long name.
    #[test]
    fn libgit2_reads_the_rewritten_index_as_its_own() {
        let (dir, repo) = repository(&[
            ("a.yaml", "a"),
            ("amendments/TUR/TUR-1.yaml", "one"),
            ("amendments/TUR/TUR-3.yaml", "three"),
            ("clauses/op-1.yaml", "clause"),
        ]);
        let root = dir.path();
        let index = GitIndex::read(repo.path()).expect("a version 2 index");
        assert_eq!(index.staged("amendments/TUR/TUR-2.yaml"), Staged::Missing);
        let one = Oid::hash_object(git2::ObjectType::Blob, b"one").unwrap();
        assert_eq!(index.staged("amendments/TUR/TUR-1.yaml"), Staged::File(one));
        let long = format!("amendments/TUR/{}.yaml", "x".repeat(240));
        let updates = vec![
            (
                "amendments/TUR/TUR-2.yaml",
                Some(new_entry(root, "amendments/TUR/TUR-2.yaml", "two")),
            ),
            (
                "amendments/TUR/TUR-1.yaml",
                Some(new_entry(root, "amendments/TUR/TUR-1.yaml", "one, edited")),
            ),
            ("a.yaml", None),
            (long.as_str(), Some(new_entry(root, &long, "long"))),
        ];
        std::fs::remove_file(root.join("a.yaml")).unwrap();
        index.write_updated(repo.path(), &updates).unwrap();
        assert!(!repo.path().join("index.lock").exists());

        let reread = git2::Repository::open(root).unwrap();
        let libgit2 = reread.index().unwrap();
        let paths: Vec<String> = libgit2
            .iter()
            .map(|e| String::from_utf8(e.path).unwrap())
            .collect();
        assert_eq!(
            paths,
            vec![
                "amendments/TUR/TUR-1.yaml".to_owned(),
                "amendments/TUR/TUR-2.yaml".to_owned(),
                "amendments/TUR/TUR-3.yaml".to_owned(),
                long.clone(),
                "clauses/op-1.yaml".to_owned(),
            ]
        );
        let mut options = git2::StatusOptions::new();
        options.include_untracked(true);
        let statuses = reread.statuses(Some(&mut options)).unwrap();
        let changed: Vec<(String, git2::Status)> = statuses
            .iter()
            .map(|s| (s.path().unwrap().to_owned(), s.status()))
            .filter(|(_, status)| !status.contains(git2::Status::INDEX_NEW))
            .collect();
        assert_eq!(changed, Vec::new(), "the work tree matches the index");
        // And git agrees, reading the file with its own parser.
        let git = std::process::Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=all"])
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            git.status.success(),
            "{}",
            String::from_utf8_lossy(&git.stderr)
        );
        let text = String::from_utf8(git.stdout).unwrap();
        assert!(text.lines().all(|line| line.starts_with("A ")), "{text}");
        // Read back by this module too: the new entry's id is there.
        let again = GitIndex::read(repo.path()).unwrap();
        let two = Oid::hash_object(git2::ObjectType::Blob, b"two").unwrap();
        assert_eq!(again.staged("amendments/TUR/TUR-2.yaml"), Staged::File(two));
        assert_eq!(again.staged("a.yaml"), Staged::Missing);
    }

    /// A path of 4,095 bytes or more does not fit the length field, and is found by its NUL.
    #[test]
    fn a_path_longer_than_the_length_field_is_read_by_both() {
        let (dir, repo) = repository(&[("a.yaml", "a")]);
        let long = format!("{}/b.yaml", vec!["d".repeat(200); 21].join("/"));
        assert!(long.len() > usize::from(NAME_MASK));
        let entry = NewEntry {
            metadata: std::fs::metadata(dir.path().join("a.yaml")).unwrap(),
            ..new_entry(dir.path(), "b.yaml", "b")
        };
        let index = GitIndex::read(repo.path()).unwrap();
        index
            .write_updated(repo.path(), &[(long.as_str(), Some(entry))])
            .unwrap();
        let libgit2 = git2::Repository::open(dir.path()).unwrap().index().unwrap();
        assert!(libgit2.get_path(Path::new(&long), 0).is_some());
        let again = GitIndex::read(repo.path()).unwrap();
        assert!(matches!(again.staged(&long), Staged::File(_)));
        assert!(matches!(again.staged("a.yaml"), Staged::File(_)));
    }

    #[test]
    fn an_index_it_does_not_handle_is_left_to_libgit2() {
        let (_dir, repo) = repository(&[("a.yaml", "a")]);
        let mut bytes = std::fs::read(repo.path().join("index")).unwrap();
        assert!(GitIndex::parse(bytes.clone()).is_some());
        // Version 4 (compressed paths).
        let mut v4 = bytes.clone();
        v4[4..8].copy_from_slice(&4u32.to_be_bytes());
        assert!(GitIndex::parse(v4).is_none());
        // A malformed file: more entries announced than it holds.
        let mut more = bytes.clone();
        more[8..12].copy_from_slice(&2u32.to_be_bytes());
        assert!(GitIndex::parse(more).is_none());
        bytes.truncate(40);
        assert!(GitIndex::parse(bytes).is_none());
        assert!(GitIndex::parse(b"DIRC".to_vec()).is_none());
    }

    /// A git command that changed the index after decl read it keeps its change.
    #[test]
    fn an_index_changed_since_it_was_read_is_read_again() {
        let (dir, repo) = repository(&[("a.yaml", "a")]);
        let index = GitIndex::read(repo.path()).unwrap();
        let new = new_entry(dir.path(), "c.yaml", "c");
        let mut libgit2 = repo.index().unwrap();
        libgit2.add_path(Path::new("c.yaml")).unwrap();
        libgit2.write().unwrap();
        let update = vec![("b.yaml", Some(new_entry(dir.path(), "b.yaml", "b")))];
        index.write_updated(repo.path(), &update).unwrap();
        let again = GitIndex::read(repo.path()).unwrap();
        assert_eq!(again.staged("c.yaml"), Staged::File(new.id));
        assert!(matches!(again.staged("b.yaml"), Staged::File(_)));
        assert!(matches!(again.staged("a.yaml"), Staged::File(_)));
    }

    #[test]
    fn a_lock_held_by_another_writer_is_respected() {
        let (dir, repo) = repository(&[("a.yaml", "a")]);
        let index = GitIndex::read(repo.path()).unwrap();
        std::fs::write(repo.path().join("index.lock"), b"someone else").unwrap();
        let update = vec![("b.yaml", Some(new_entry(dir.path(), "b.yaml", "b")))];
        let error = index.write_updated(repo.path(), &update).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(
            std::fs::read(repo.path().join("index.lock")).unwrap(),
            b"someone else"
        );
    }
}
