//! What each amendment file says in brief (the clause it concerns and its status), kept in
//! `.git/decl/cache/briefs.txt` and keyed by the file's git blob id, so that a command
//! needing a few amendments of a committed tree finds them without reading the rest.
//!
//! An accept flags the other tabled amendments on the same clause, and a revision cut applies
//! the accepted ones: both used to read every amendment file (a byte search, then a parse of
//! the candidates), and at 20,000 amendments that was most of what an accept cost. A git tree
//! names each file's blob id without reading the file, and a blob id is a hash of the bytes,
//! so an entry can never be stale; a file the index has not seen (a new one, or a new version)
//! is read and parsed once and learned. A file that does not parse is never learned and falls
//! back to the byte search, so its problem is still reported to the command that reads it.
//! Like the parse cache this is only an accelerator: a missing, unreadable or foreign cache
//! file is ignored, and one that cannot be written is not written.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use git2::Oid;

// The same thresholds as the parse cache: below this many files a read looks at every one
// (loading costs more), and an entry unused in this many writes is dropped.
use super::parse_cache::{BUILD, KEPT_FOR_WRITES, WORTH_CACHING, write_whole};
use crate::model::{Amendment, AmendmentStatus, ClauseId};

/// The clause an amendment concerns and its status: what a command chooses amendments by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Brief {
    clause: String,
    status: AmendmentStatus,
}

impl Brief {
    pub(crate) fn of(amendment: &Amendment) -> Brief {
        Brief {
            clause: amendment.clause().as_str().to_owned(),
            status: amendment.status,
        }
    }
}

/// Which amendments a read needs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wanted<'a> {
    Every,
    /// Tabled, or accepted and not yet applied.
    Pending,
    /// Accepted (as proposed or as modified), to be applied by the next revision.
    AwaitingApplication,
    /// Tabled and concerning this clause: those an accept of another amendment competes with.
    TabledOn(&'a ClauseId),
}

impl Wanted<'_> {
    pub(crate) fn takes(self, brief: &Brief) -> bool {
        use AmendmentStatus::{Accepted, AcceptedAsModified, Tabled};
        match self {
            Wanted::Every => true,
            Wanted::Pending => matches!(brief.status, Tabled | Accepted | AcceptedAsModified),
            Wanted::AwaitingApplication => matches!(brief.status, Accepted | AcceptedAsModified),
            Wanted::TabledOn(clause) => brief.status == Tabled && brief.clause == clause.as_str(),
        }
    }

    /// Whether a file with these bytes may be wanted: a byte search, far cheaper than a parse,
    /// that passes every file `takes` would take (and some more).
    pub(crate) fn may_take(self, bytes: &[u8]) -> bool {
        match self {
            Wanted::Every => true,
            Wanted::Pending => contains(bytes, b"tabled") || contains(bytes, b"accepted"),
            Wanted::AwaitingApplication => contains(bytes, b"accepted"),
            Wanted::TabledOn(clause) => {
                contains(bytes, b"tabled") && contains(bytes, clause.as_str().as_bytes())
            }
        }
    }
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The briefs of one repository's amendment files, by blob id.
///
/// Stored as text, one line per blob after a first line naming the build of decl and the
/// count of writes: `<blob id> <last used> <status> <clause>`. There are tens of thousands of
/// them, read by every accept: this reads several times faster than JSON.
pub(crate) struct Briefs {
    path: PathBuf,
    writes: u64,
    entries: Entries,
    learned: bool,
}

/// Each blob's brief, and the write in which it was last used.
type Entries = HashMap<Oid, (Brief, u64)>;

const MAGIC: &str = "decl-briefs";

impl Briefs {
    /// The index under `dir` (`.git/decl`), when a read of `files` amendment files for
    /// `wanted` is worth it; empty if there is none yet or another build of decl wrote it.
    pub(crate) fn open_for(dir: Option<PathBuf>, files: usize, wanted: Wanted) -> Option<Briefs> {
        let dir = dir?;
        if matches!(wanted, Wanted::Every) || files < WORTH_CACHING {
            return None;
        }
        Some(Self::open(&dir))
    }

    fn open(dir: &Path) -> Briefs {
        let path = dir.join("cache").join("briefs.txt");
        let (writes, entries) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| Self::parse(&text))
            .unwrap_or_default();
        Briefs {
            path,
            writes,
            entries,
            learned: false,
        }
    }

    fn parse(text: &str) -> Option<(u64, Entries)> {
        let mut lines = text.lines();
        let (magic, rest) = lines.next()?.split_once(' ')?;
        let (build, writes) = rest.rsplit_once(' ')?;
        if magic != MAGIC || build != *BUILD {
            return None;
        }
        let writes = writes.parse().ok()?;
        let mut entries = HashMap::new();
        for line in lines {
            let mut fields = line.splitn(4, ' ');
            let id = Oid::from_str(fields.next()?).ok()?;
            let used = fields.next()?.parse().ok()?;
            let status = status_of(fields.next()?)?;
            let clause = fields.next()?.to_owned();
            entries.insert(id, (Brief { clause, status }, used));
        }
        Some((writes, entries))
    }

    /// The brief of blob `id`, if known (and marks it used).
    pub(crate) fn get(&mut self, id: Oid) -> Option<Brief> {
        let this_write = self.writes + 1;
        let (brief, used) = self.entries.get_mut(&id)?;
        *used = this_write;
        Some(brief.clone())
    }

    pub(crate) fn learn(&mut self, id: Oid, brief: Brief) {
        self.entries.insert(id, (brief, self.writes + 1));
        self.learned = true;
    }

    /// Writes the index back if it learned something, without the entries unused for a while.
    pub(crate) fn save(mut self) {
        if !self.learned {
            return;
        }
        let Some(dir) = self.path.parent().map(Path::to_owned) else {
            return;
        };
        self.writes += 1;
        let this_write = self.writes;
        self.entries
            .retain(|_, (_, used)| *used + KEPT_FOR_WRITES > this_write);
        let mut text = format!("{MAGIC} {} {}\n", *BUILD, self.writes);
        for (id, (brief, used)) in &self.entries {
            let status = STATUSES
                .iter()
                .find(|(_, s)| *s == brief.status)
                .map_or("tabled", |(word, _)| word);
            let _ = writeln!(text, "{id} {used} {status} {}", brief.clause);
        }
        write_whole(&dir, &self.path, text.as_bytes());
    }
}

const STATUSES: [(&str, AmendmentStatus); 6] = [
    ("tabled", AmendmentStatus::Tabled),
    ("withdrawn", AmendmentStatus::Withdrawn),
    ("accepted", AmendmentStatus::Accepted),
    ("accepted-as-modified", AmendmentStatus::AcceptedAsModified),
    ("rejected", AmendmentStatus::Rejected),
    ("applied", AmendmentStatus::Applied),
];

fn status_of(word: &str) -> Option<AmendmentStatus> {
    STATUSES
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, status)| *status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(clause: &str, status: AmendmentStatus) -> Brief {
        Brief {
            clause: clause.to_owned(),
            status,
        }
    }

    #[test]
    fn the_byte_search_passes_every_file_a_brief_takes() {
        let clause: ClauseId = "op-border".parse().unwrap();
        let statuses = [
            (AmendmentStatus::Tabled, "tabled"),
            (AmendmentStatus::Withdrawn, "withdrawn"),
            (AmendmentStatus::Accepted, "accepted"),
            (AmendmentStatus::AcceptedAsModified, "accepted-as-modified"),
            (AmendmentStatus::Rejected, "rejected"),
            (AmendmentStatus::Applied, "applied"),
        ];
        for wanted in [
            Wanted::Every,
            Wanted::Pending,
            Wanted::AwaitingApplication,
            Wanted::TabledOn(&clause),
        ] {
            for (status, word) in statuses {
                for on in ["op-border", "pp-other"] {
                    let bytes = format!("change:\n  replace: {on}\nstatus: {word}\n");
                    if wanted.takes(&brief(on, status)) {
                        assert!(wanted.may_take(bytes.as_bytes()), "{wanted:?} {on} {word}");
                    }
                }
            }
        }
        assert!(Wanted::TabledOn(&clause).takes(&brief("op-border", AmendmentStatus::Tabled)));
        assert!(!Wanted::TabledOn(&clause).takes(&brief("pp-other", AmendmentStatus::Tabled)));
        assert!(!Wanted::Pending.takes(&brief("op-border", AmendmentStatus::Applied)));
    }

    #[test]
    fn briefs_are_kept_between_commands_until_unused_for_a_while() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (
            Oid::hash_object(git2::ObjectType::Blob, b"old").unwrap(),
            Oid::hash_object(git2::ObjectType::Blob, b"new").unwrap(),
        );
        let mut briefs = Briefs::open(dir.path());
        assert_eq!(briefs.get(old), None);
        briefs.learn(old, brief("op-border", AmendmentStatus::Tabled));
        briefs.save();
        let mut briefs = Briefs::open(dir.path());
        assert_eq!(
            briefs.get(old),
            Some(brief("op-border", AmendmentStatus::Tabled))
        );
        // Another blob is learned in each of the next writes; `old` is no longer read.
        for _ in 0..KEPT_FOR_WRITES {
            let mut briefs = Briefs::open(dir.path());
            briefs.learn(new, brief("op-border", AmendmentStatus::Applied));
            briefs.save();
        }
        let mut briefs = Briefs::open(dir.path());
        assert_eq!(briefs.get(old), None);
        assert!(briefs.get(new).is_some());
    }

    #[test]
    fn a_mangled_index_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cache")).unwrap();
        std::fs::write(
            dir.path().join("cache/briefs.txt"),
            b"decl-briefs 0.1 x\nzz",
        )
        .unwrap();
        let briefs = Briefs::open(dir.path());
        assert!(briefs.entries.is_empty());
    }
}
