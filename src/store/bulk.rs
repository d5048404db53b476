//! Bulk writing: new git objects held in memory and written as packs, for a process that
//! records thousands of actions in a row (the benchmark generator, an import).
//!
//! Every action writes a few objects (the file, the trees above it, the commit). One loose
//! file per object is what git does for a person at a keyboard; for a program recording
//! 60,000 actions it is 300,000 files created and, after each `git gc`, deleted again, and the
//! file system's bookkeeping of those became half the generator's time. libgit2's in-memory
//! object backend (a "mempack", the same idea as `git fast-import`) keeps the new objects in
//! memory until [`Bulk::write_pack`] writes them to the repository as one pack.
//!
//! Nothing else changes: the working tree, the index, the refs and the journal are written by
//! each action as usual, and reads see the objects in memory. What is given up is
//! durability between packs: a crash loses the objects since the last pack while the refs
//! already point at them, so bulk writing is only for a repository being built.

use std::cell::Cell;
use std::io::Write;

use git2::{Buf, Mempack, ObjectType, Odb, Oid, Repository};

use super::{DeclRepo, StoreError};

/// The priority of the in-memory backend: above the loose (1) and pack (2) backends, so new
/// objects go there first.
const IN_MEMORY_FIRST: i32 = 1000;

/// New objects held in memory, written to the repository by [`Bulk::write_pack`].
pub struct Bulk<'a> {
    repo: &'a Repository,
    odb: &'a Odb<'a>,
    in_memory: Mempack<'a>,
    /// The commit the last pack ended at: what it holds is already on disk.
    packed_up_to: Cell<Option<Oid>>,
}

impl DeclRepo {
    /// Runs `work` with every new git object held in memory and written as a pack whenever it
    /// calls [`Bulk::write_pack`], and once more at the end, whatever `work` returned (the refs
    /// may point at objects in memory). The repository is consumed: the in-memory backend
    /// cannot be taken out of libgit2's object database again, so nothing may write through
    /// this handle afterwards.
    pub fn in_bulk<T>(self, work: impl FnOnce(&DeclRepo, &Bulk<'_>) -> T) -> Result<T, StoreError> {
        let odb = self.repo.odb()?;
        let in_memory = odb.add_new_mempack_backend(IN_MEMORY_FIRST)?;
        let bulk = Bulk {
            repo: &self.repo,
            odb: &odb,
            in_memory,
            packed_up_to: Cell::new(self.repo.head().ok().and_then(|head| head.target())),
        };
        let result = work(&self, &bulk);
        bulk.write_pack()?;
        Ok(result)
    }
}

impl Bulk<'_> {
    /// Writes the objects held in memory to the repository as one pack (indexed, under
    /// `.git/objects/pack`) and empties the memory.
    ///
    /// libgit2's own dump of a mempack packs each new commit's whole tree, every clause and
    /// amendment again; this packs what `git push` would send instead: the commits since the
    /// last pack and the trees and files they changed (a revision walk with the last packed
    /// commit hidden), and the annotated tags (a handful, packed again each time). Objects no
    /// commit or tag reaches are dropped, as `git gc` would drop them.
    pub fn write_pack(&self) -> Result<(), StoreError> {
        let Some(head) = self.repo.head().ok().and_then(|head| head.target()) else {
            return Ok(());
        };
        if self.packed_up_to.get() == Some(head) {
            return Ok(());
        }
        let mut builder = self.repo.packbuilder()?;
        builder.set_threads(0);
        let mut walk = self.repo.revwalk()?;
        walk.push(head)?;
        if let Some(packed) = self.packed_up_to.get() {
            walk.hide(packed)?;
        }
        builder.insert_walk(&mut walk)?;
        let names = self.repo.tag_names(None)?;
        for name in names.iter() {
            let Some(name) = name? else { continue };
            let tag = self.repo.revparse_single(&format!("refs/tags/{name}"))?;
            if tag.kind() == Some(ObjectType::Tag) {
                builder.insert_object(tag.id(), None)?;
            }
        }
        let mut pack = Buf::new();
        builder.write_buf(&mut pack)?;
        let mut writer = self.odb.packwriter()?;
        writer
            .write_all(&pack)
            .map_err(|e| StoreError::io(self.repo.path().join("objects/pack"), e))?;
        writer.commit()?;
        self.in_memory.reset()?;
        self.packed_up_to.set(Some(head));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::DateTime;

    use super::*;
    use crate::model::{Delegation, Role};
    use crate::store::{NewTag, read_draft};

    fn secretariat() -> Delegation {
        Delegation {
            code: "SEC".parse().unwrap(),
            name: "Secretariat".into(),
            role: Role::Secretariat,
            email: None,
            keys: Vec::new(),
        }
    }

    /// Loose objects and packs (with the number of objects in each) under `.git/objects`.
    fn objects_on_disk(git_dir: &Path) -> (usize, Vec<usize>) {
        let objects = git_dir.join("objects");
        let mut loose = 0;
        let mut packs = Vec::new();
        for entry in std::fs::read_dir(&objects).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().len() == 2 {
                loose += std::fs::read_dir(entry.path()).unwrap().count();
            }
        }
        for entry in std::fs::read_dir(objects.join("pack")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension() == Some("idx".as_ref()) {
                let bytes = std::fs::read(&path).unwrap();
                // A version 2 pack index: the last fan-out entry is the object count.
                let fanout_end = 8 + 256 * 4;
                let count =
                    u32::from_be_bytes(bytes[fanout_end - 4..fanout_end].try_into().unwrap());
                packs.push(count as usize);
            }
        }
        packs.sort();
        (loose, packs)
    }

    fn commit_files(
        repo: &DeclRepo,
        files: Vec<(String, Vec<u8>)>,
        message: &str,
        tag: Option<NewTag>,
    ) {
        let mut transaction = repo.begin().unwrap();
        for (path, bytes) in files {
            transaction.put_bytes(&path, bytes);
        }
        let at = DateTime::parse_from_rfc3339("2022-10-18T09:00:00+05:00").unwrap();
        transaction
            .commit(&secretariat(), at, message, tag)
            .unwrap();
    }

    #[test]
    fn new_objects_reach_the_disk_as_packs_of_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let draft = read_draft(&Path::new(env!("CARGO_MANIFEST_DIR")).join("drafts/dushanbe-2022"))
            .unwrap();
        let (clause_path, clause) = draft
            .files
            .iter()
            .find(|(path, _)| path.starts_with("clauses/"))
            .cloned()
            .unwrap();
        let git_dir = dir.path().join(".git");
        let repo = DeclRepo::create(dir.path()).unwrap();
        repo.in_bulk(|repo, bulk| {
            commit_files(repo, draft.files.clone(), "Zero draft", None);
            assert_eq!(
                objects_on_disk(&git_dir),
                (0, vec![]),
                "nothing on disk yet"
            );
            bulk.write_pack()?;
            let whole_draft = objects_on_disk(&git_dir).1[0];
            // Every file, its folder, the root tree and the commit.
            assert_eq!(whole_draft, draft.files.len() + 3);
            let mut edited = clause.clone();
            edited.extend_from_slice(b"# edited\n");
            let rev1 = NewTag {
                name: "rev1".into(),
                label: "Rev.1".into(),
            };
            commit_files(
                repo,
                vec![(clause_path.clone(), edited)],
                "Rev.1",
                Some(rev1),
            );
            Ok::<_, StoreError>(())
        })
        .unwrap()
        .unwrap();
        // The second pack: the tag, the commit, the root tree, `clauses/` and the one file.
        assert_eq!(objects_on_disk(&git_dir).1, vec![5, draft.files.len() + 3]);
        let status = std::process::Command::new("git")
            .args(["fsck", "--strict", "--no-dangling"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let reopened = DeclRepo::discover(dir.path()).unwrap();
        assert_eq!(
            reopened.uncommitted_changes().unwrap(),
            Vec::<String>::new()
        );
    }
}
