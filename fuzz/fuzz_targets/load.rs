//! Loading a repository's files: arbitrary files go through the reading and validation that
//! `decl check` runs (`decl::store::check_files`), and every file that reads must be written
//! back (in its own byte-order-mark and line-end style) to the same value.
//!
//! Input: files separated by NUL bytes, each `path\n` followed by its bytes, e.g.
//! `declaration.yaml\n...\0delegations.yaml\n...\0clauses/op-x.yaml\n...`.

#![no_main]

use std::collections::BTreeMap;

use decl::model::{Amendment, Clause, DeclarationMeta, DelegationsFile};
use decl::store::yaml::{self, TextStyle};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    for part in data.split(|&b| b == 0) {
        let Some(newline) = part.iter().position(|&b| b == b'\n') else {
            continue;
        };
        let Ok(path) = std::str::from_utf8(&part[..newline]) else {
            continue;
        };
        files.insert(path.to_owned(), part[newline + 1..].to_vec());
    }
    for (path, bytes) in &files {
        if path == "declaration.yaml" {
            round_trip::<DeclarationMeta>(path, bytes);
        } else if path == "delegations.yaml" {
            round_trip::<DelegationsFile>(path, bytes);
        } else if path.starts_with("clauses/") {
            round_trip::<Clause>(path, bytes);
        } else if path.starts_with("amendments/") {
            round_trip::<Amendment>(path, bytes);
        }
    }
    for problem in decl::store::check_files(files) {
        assert!(problem.line >= 1 && problem.column >= 1, "{problem}");
    }
});

/// A file that reads must read back the same after decl writes it in the file's own style.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    path: &str,
    bytes: &[u8],
) {
    let Ok(value) = yaml::parse::<T>(path, bytes) else {
        return;
    };
    let style = TextStyle::of(bytes);
    let written = yaml::to_bytes(&value, style).expect("a value read from YAML serialises");
    assert_eq!(TextStyle::of(&written), style);
    match yaml::parse::<T>(path, &written) {
        Ok(back) => assert_eq!(back, value, "{}", String::from_utf8_lossy(&written)),
        Err(problems) => panic!(
            "{problems:?} reading back\n{}",
            String::from_utf8_lossy(&written)
        ),
    }
}
