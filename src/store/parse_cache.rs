//! A cache of parsed files, kept in `.git/decl/cache/`, so that reading a large repository
//! does not parse twenty thousand YAML files again on every command.
//!
//! YAML parsing is nine tenths of what `decl check` costs (callgrind: 761 M of 840 M
//! instructions on 2,000 clauses and 2,000 amendments), and nearly every file is unchanged
//! from one command to the next. An entry is keyed by the SHA-256 of the file's bytes, so a
//! changed file is a new key and an entry can never be stale; the value is the model
//! serialised as JSON, which reads an order of magnitude faster than the YAML it came from.
//! Only files that parsed cleanly are cached: a broken file is parsed, and reported, every
//! time. The cache is only ever an accelerator: a missing, unreadable or foreign-version
//! cache file is ignored, and one that cannot be written is not written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::yaml;
use super::yaml::Problem;

/// Below this many files a read parses them directly: loading the cache would cost more.
pub(super) const WORTH_CACHING: usize = 64;
/// A single file this large is worth caching too (the outline of a long declaration).
const WORTH_CACHING_BYTES: usize = 16 * 1024;

/// Parses files on every core, through the cache in `cache_dir` (`.git/decl`) when there are
/// enough of them for loading it to pay; the results come back in the order given.
pub(crate) fn parse_files<T, K>(
    cache_dir: Option<PathBuf>,
    kind: &str,
    files: Vec<ReadFile<K>>,
) -> Vec<ParsedFile<K, T>>
where
    T: Serialize + DeserializeOwned + Send,
    K: Send,
{
    match cache_dir {
        Some(dir) if ParseCache::worth_opening(&dir, kind, files.len()) => {
            ParseCache::open(&dir, kind).parse_all(files)
        }
        _ => files
            .into_par_iter()
            .map(|(key, file, bytes)| {
                let parsed = yaml::parse::<T>(&file, &bytes);
                (key, file, bytes, parsed)
            })
            .collect(),
    }
}

/// Parses one file, through the cache when it is large: the outline of a 2,000-clause
/// declaration is a file of 2,000 lines, read twice by every redline.
pub(crate) fn parse_file<T>(
    cache_dir: Option<PathBuf>,
    kind: &str,
    file: &str,
    bytes: Vec<u8>,
) -> Result<T, Vec<Problem>>
where
    T: Serialize + DeserializeOwned + Send,
{
    match cache_dir {
        Some(dir) if bytes.len() >= WORTH_CACHING_BYTES => {
            let files = vec![((), file.to_owned(), bytes)];
            let parsed = ParseCache::open(&dir, kind).parse_all(files);
            let ((), _, _, result) = parsed.into_iter().next().expect("one file in, one out");
            result
        }
        _ => yaml::parse::<T>(file, &bytes),
    }
}

/// An entry not used in this many writes of the cache is dropped: enough for a few revisions
/// read in turn (a redline reads two) to stay cached, few enough that the cache follows the
/// repository instead of growing with every version of every file.
pub(super) const KEPT_FOR_WRITES: u64 = 8;

/// The build of decl that writes and reads the cache: its version, and the size and time of
/// its executable. A cache from any other build is not trusted, since a model changed without
/// a new version number (a field added with a default, say) would read old entries wrongly.
pub(super) static BUILD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{modified}", m.len())
        })
        .unwrap_or_default();
    format!("{}+{exe}", env!("CARGO_PKG_VERSION"))
});

/// What a cache file holds; a file written by another build of decl is not trusted.
#[derive(serde::Deserialize, Serialize)]
struct CacheFile {
    decl: String,
    /// How many times the cache has been written.
    writes: u64,
    entries: HashMap<String, Entry>,
}

/// The same, borrowed, for writing without a copy.
#[derive(Serialize)]
struct CacheFileRef<'a> {
    decl: &'a str,
    writes: u64,
    entries: &'a HashMap<String, Entry>,
}

#[derive(serde::Deserialize, Serialize)]
struct Entry {
    /// The write in which this entry was last used.
    used: u64,
    /// The model, as JSON.
    json: String,
}

/// The parsed files of one kind (clauses, or amendments) for one repository.
struct ParseCache {
    path: PathBuf,
    writes: u64,
    entries: HashMap<String, Entry>,
}

/// A file read for parsing: what it is (a clause or amendment id), its path, its bytes.
pub(crate) type ReadFile<K> = (K, String, Vec<u8>);
/// A file read and parsed: the same, with what the parse found.
pub(crate) type ParsedFile<K, T> = (K, String, Vec<u8>, Result<T, Vec<Problem>>);

impl ParseCache {
    /// Whether reading `files` files of `kind` through the cache pays: loading the cache costs
    /// in proportion to all it holds, so a read of a few hundred amendments out of a cache of
    /// twenty thousand (a redline's applied amendments) parses them directly instead.
    fn worth_opening(dir: &Path, kind: &str, files: usize) -> bool {
        // About a kilobyte per entry; needing a quarter of the entries is worth the load.
        const ENTRY_BYTES: u64 = 1024;
        let held = std::fs::metadata(Self::file(dir, kind)).map_or(0, |m| m.len()) / ENTRY_BYTES;
        files >= WORTH_CACHING && (files as u64).saturating_mul(4) >= held
    }

    fn file(dir: &Path, kind: &str) -> PathBuf {
        dir.join("cache").join(format!("{kind}.json"))
    }

    /// The cache of `kind` ("clauses", "amendments") under `dir` (`.git/decl`), empty if there
    /// is none yet, another build of decl wrote it, or it cannot be read.
    fn open(dir: &Path, kind: &str) -> ParseCache {
        let path = Self::file(dir, kind);
        let file = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|file| file.decl == *BUILD);
        match file {
            Some(file) => ParseCache {
                path,
                writes: file.writes,
                entries: file.entries,
            },
            None => ParseCache {
                path,
                writes: 0,
                entries: HashMap::new(),
            },
        }
    }

    /// Parses `files` on every core, taking what the cache already knows, and writes the
    /// cache back when it learned something. Results come back in the order given.
    fn parse_all<T, K>(&mut self, files: Vec<ReadFile<K>>) -> Vec<ParsedFile<K, T>>
    where
        T: Serialize + DeserializeOwned + Send,
        K: Send,
    {
        let entries = &self.entries;
        let parsed: Vec<(ParsedFile<K, T>, String, Option<String>)> = files
            .into_par_iter()
            .map(|(key, file, bytes)| {
                let digest = hex(&Sha256::digest(&bytes));
                let cached = entries
                    .get(&digest)
                    .and_then(|entry| serde_json::from_str::<T>(&entry.json).ok());
                let (result, fresh) = match cached {
                    Some(value) => (Ok(value), None),
                    None => {
                        let result = yaml::parse::<T>(&file, &bytes);
                        let fresh = result
                            .as_ref()
                            .ok()
                            .and_then(|value| serde_json::to_string(value).ok());
                        (result, fresh)
                    }
                };
                ((key, file, bytes, result), digest, fresh)
            })
            .collect();
        let this_write = self.writes + 1;
        let mut learned = false;
        let mut results = Vec::with_capacity(parsed.len());
        for (result, digest, fresh) in parsed {
            match fresh {
                Some(json) => {
                    learned = true;
                    let used = this_write;
                    self.entries.insert(digest, Entry { used, json });
                }
                None => {
                    if let Some(entry) = self.entries.get_mut(&digest) {
                        entry.used = this_write;
                    }
                }
            }
            results.push(result);
        }
        if learned {
            self.writes = this_write;
            self.entries
                .retain(|_, entry| entry.used + KEPT_FOR_WRITES > this_write);
            self.save();
        }
        results
    }

    fn save(&self) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        let file = CacheFileRef {
            decl: &BUILD,
            writes: self.writes,
            entries: &self.entries,
        };
        if let Ok(json) = serde_json::to_vec(&file) {
            write_whole(dir, &self.path, &json);
        }
    }
}

/// Writes a cache file whole and renames it into place, so a reader never sees half a cache;
/// a failure (a read-only repository, a full disk) only means the next read parses.
pub(super) fn write_whole(dir: &Path, path: &Path, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(dir).and_then(|()| {
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut temp, bytes)?;
        temp.persist(path).map(|_| ()).map_err(|e| e.error)
    });
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0xf)] as char);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Amendment, Clause};

    fn draft_files(folder: &str) -> Vec<ReadFile<String>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("drafts/dushanbe-2022");
        let mut files: Vec<ReadFile<String>> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (
                    name.clone(),
                    format!("{folder}/{name}"),
                    std::fs::read(&path).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn values<T>(parsed: Vec<ParsedFile<String, T>>) -> Vec<T> {
        parsed.into_iter().map(|(_, _, _, r)| r.unwrap()).collect()
    }

    /// What the cache gives back is exactly what parsing the YAML gives, for every clause of
    /// the bundled draft, and a changed file is parsed afresh.
    #[test]
    fn a_cached_parse_equals_a_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let files = draft_files("clauses");
        let fresh: Vec<Clause> =
            values(ParseCache::open(dir.path(), "clauses").parse_all(files.clone()));
        assert!(dir.path().join("cache/clauses.json").exists());
        let mut cache = ParseCache::open(dir.path(), "clauses");
        assert_eq!(cache.entries.len(), files.len());
        let cached: Vec<Clause> = values(cache.parse_all(files.clone()));
        assert_eq!(cached, fresh);

        let mut changed = files.clone();
        let text = String::from_utf8(changed[0].2.clone()).unwrap();
        changed[0].2 = text
            .replacen("text: \"", "text: \"Changed: ", 1)
            .into_bytes();
        let mut cache = ParseCache::open(dir.path(), "clauses");
        let again: Vec<Clause> = values(cache.parse_all(changed.clone()));
        assert_ne!(again[0], fresh[0]);
        assert_eq!(again[1..], fresh[1..]);
    }

    fn clause_file(n: usize, wording: &str) -> ReadFile<usize> {
        let yaml = format!("kind: operative\nstatus: draft\ntext: \"{wording} {n};\"\n");
        (n, format!("clauses/op-{n}.yaml"), yaml.into_bytes())
    }

    /// Entries of a text no longer read leave the cache after a few writes; those read in
    /// between stay.
    #[test]
    fn entries_unused_for_a_while_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let old: Vec<_> = (0..3).map(|n| clause_file(n, "*Decide* old")).collect();
        let kept = clause_file(9, "*Decide* kept");
        ParseCache::open(dir.path(), "clauses").parse_all::<Clause, _>(old.clone());
        for round in 0..KEPT_FOR_WRITES {
            let mut files: Vec<_> = (0..3)
                .map(|n| clause_file(n, &format!("*Decide* round {round}")))
                .collect();
            files.push(kept.clone());
            ParseCache::open(dir.path(), "clauses").parse_all::<Clause, _>(files);
        }
        let cache = ParseCache::open(dir.path(), "clauses");
        assert_eq!(cache.writes, KEPT_FOR_WRITES + 1);
        let digest = |file: &ReadFile<usize>| hex(&Sha256::digest(&file.2));
        assert!(
            old.iter()
                .all(|file| !cache.entries.contains_key(&digest(file)))
        );
        assert!(cache.entries.contains_key(&digest(&kept)));
        assert_eq!(cache.entries.len(), 3 * KEPT_FOR_WRITES as usize + 1);
    }

    #[test]
    fn broken_files_are_reported_every_time_and_never_cached() {
        let dir = tempfile::tempdir().unwrap();
        let broken = vec![(
            "x".to_owned(),
            "clauses/x.yaml".to_owned(),
            b"text: [".to_vec(),
        )];
        for _ in 0..2 {
            let mut cache = ParseCache::open(dir.path(), "clauses");
            let parsed = cache.parse_all::<Clause, _>(broken.clone());
            assert!(parsed[0].3.is_err());
        }
        assert!(!dir.path().join("cache/clauses.json").exists());
    }

    #[test]
    fn a_foreign_or_corrupt_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cache")).unwrap();
        let files = draft_files("clauses");
        let digest = hex(&Sha256::digest(&files[0].2));
        // A lie under the right key, but from another build of decl: not believed.
        let foreign = serde_json::json!({"decl": "0.0.0-other", "writes": 1,
                                         "entries": {digest: {"used": 1, "json": "{}"}}});
        std::fs::write(dir.path().join("cache/clauses.json"), foreign.to_string()).unwrap();
        let parsed: Vec<Clause> =
            values(ParseCache::open(dir.path(), "clauses").parse_all(files.clone()));
        assert_eq!(parsed.len(), files.len());
        std::fs::write(dir.path().join("cache/clauses.json"), "{ not json").unwrap();
        let again: Vec<Clause> = values(ParseCache::open(dir.path(), "clauses").parse_all(files));
        assert_eq!(again, parsed);
    }

    /// Amendments of every kind from the replayed Dushanbe negotiation (a replacement of
    /// words, an insertion accepted as modified, a rejected move, a co-sponsored one, a
    /// deletion) come back from the cache as they were parsed.
    #[test]
    fn amendments_round_trip_through_the_cache() {
        let yaml = [
            r#"id: TUR-1
proposer: TUR
operation: replace
clause: pp-condemn
span: as one of the most serious threats to international peace and security,
text: reaffirming that any acts of terrorism are criminal and unjustifiable regardless of their motivation, and recognizing that terrorism constitutes one of the most serious threats to international peace and security,
justification: The preamble should state plainly that no cause can justify terrorism.
base:
  commit: 970a22deefa982595d4ddfc5f55b1a2a2a1ffea7
  text_hash: 5e451c90eed8bd98c15ea53adef1950e270134115d80f7f628e4deeabb0b8ef2
status: applied
record:
- action: propose
  by: TUR
  at: 2022-09-13T09:30:00+05:00
- action: support
  by: KAZ
  at: 2022-09-14T09:40:00+05:00
- action: accept
  by: TJK
  at: 2022-09-26T09:50:00+05:00
- action: apply
  by: UNOCT
  at: 2022-09-28T12:00:00+05:00
  revision: rev1
"#,
            r#"id: EU-2
proposer: EU
operation: insert
text: '*Urge* Member States to ensure that border security and counter-terrorism measures do not impede exclusively humanitarian activities, including medical activities, carried out by impartial humanitarian actors in a manner consistent with international humanitarian law;'
position: !after op-human-rights
new_clause: op-humanitarian-activities
justification: Border measures must not obstruct principled humanitarian action; the idea follows the seventh review of the Strategy.
base:
  commit: 0e9fe72372b30372ef929a7494a691e6dcb4e385
status: applied
record:
- action: propose
  by: EU
  at: 2022-09-12T11:30:00+05:00
- action: oppose
  by: RUS
  at: 2022-09-14T12:00:00+05:00
  reason: The paragraph goes beyond the subject of the Conference and beyond agreed language.
- action: support
  by: QAT
  at: 2022-09-15T09:20:00+05:00
- action: accept
  by: TJK
  at: 2022-09-26T09:40:00+05:00
  text: '*Urge* Member States to take into account the potential effects of border security and counter-terrorism measures on exclusively humanitarian activities, including medical activities, that are carried out by impartial humanitarian actors in a manner consistent with international humanitarian law;'
- action: apply
  by: UNOCT
  at: 2022-09-28T12:00:00+05:00
  revision: rev1
"#,
            r#"id: EU-4
proposer: EU
operation: move
clause: op-human-rights
position: !after op-commitment
justification: Placed directly after the general commitment, the paragraph would govern every measure that follows.
base:
  commit: 822ca81fed3bf697d978e30390cd1e6e7aa78926
  text_hash: 0e1e1ffc42d2bccb189ec580e6e57ddf38ec8a693d1871f9421551ca7f76b522
status: rejected
record:
- action: propose
  by: EU
  at: 2022-09-20T14:30:00+05:00
- action: oppose
  by: RUS
  at: 2022-09-20T15:10:00+05:00
  reason: The thematic order of the zero draft is logical.
- action: oppose
  by: CHN
  at: 2022-09-20T15:30:00+05:00
  reason: The principle is already set out in the preamble.
- action: reject
  by: TJK
  at: 2022-09-26T11:55:00+05:00
  reason: The chair prefers to keep the thematic order of the zero draft; the principle is already stated in the preamble and in the paragraph itself.
"#,
            r#"id: EU-1
proposer: EU
cosponsors:
- USA
operation: replace
clause: op-api
span: '[and to develop the capability to collect, process and analyse passenger name record (PNR) data]'
text: and to develop the capability to collect, process and analyse passenger name record (PNR) data
justification: Resolution 2396 (2017) already requires States to build this capability; the brackets should be lifted.
base:
  commit: d3b7f27d1cf79d28e1164ef1df71685e0fe233eb
  text_hash: a3a411ae42ad1b596eea4915f20b3ab58847639e6c48058be72d5d474ced56d4
status: applied
record:
- action: propose
  by: EU
  at: 2022-09-12T10:00:00+05:00
- action: support
  by: TUR
  at: 2022-09-12T16:20:00+05:00
- action: support
  by: QAT
  at: 2022-09-13T10:15:00+05:00
- action: oppose
  by: PAK
  at: 2022-09-13T15:30:00+05:00
  reason: Many developing countries do not yet have the means to process PNR data, and the text should take this into account.
- action: accept
  by: TJK
  at: 2022-09-26T09:30:00+05:00
  text: and to develop, in furtherance of the standards and recommended practices of the International Civil Aviation Organization, the capability to collect, process and analyse passenger name record (PNR) data
- action: apply
  by: UNOCT
  at: 2022-09-28T12:00:00+05:00
  revision: rev1
"#,
            r#"id: CHN-1
proposer: CHN
operation: delete
clause: op-explosives
justification: Its substance is covered by QAT-1.
base:
  commit: 596e91b69117b80e0061c9a4f6e7e6e2f4210e2e
  text_hash: 3015380fbe1de10a3342fcc506c95e83f1d59e86fb640a606ed44891e35e0045
status: applied
record:
- action: propose
  by: CHN
  at: 2022-09-16T12:00:00+05:00
- action: support
  by: RUS
  at: 2022-09-19T09:30:00+05:00
- action: support
  by: USA
  at: 2022-09-23T11:00:00+05:00
- action: accept
  by: TJK
  at: 2022-09-26T11:05:00+05:00
- action: apply
  by: UNOCT
  at: 2022-09-28T12:00:00+05:00
  revision: rev1
"#,
        ];
        let files: Vec<ReadFile<usize>> = yaml
            .iter()
            .enumerate()
            .map(|(idx, text)| {
                (
                    idx,
                    format!("amendments/{idx}.yaml"),
                    text.as_bytes().to_vec(),
                )
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let parse =
            || ParseCache::open(dir.path(), "amendments").parse_all::<Amendment, _>(files.clone());
        let fresh: Vec<Amendment> = parse()
            .into_iter()
            .map(|(_, file, _, result)| result.unwrap_or_else(|p| panic!("{file}: {p:?}")))
            .collect();
        let cached: Vec<Amendment> = parse().into_iter().map(|(_, _, _, r)| r.unwrap()).collect();
        assert_eq!(cached, fresh);
        assert_eq!(
            ParseCache::open(dir.path(), "amendments").entries.len(),
            yaml.len()
        );
    }
}
