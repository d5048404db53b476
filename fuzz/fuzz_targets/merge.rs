//! The three-way word merge (`decl::model::merge::merge3`) on arbitrary texts: it never
//! panics, a side that changed nothing gives the other side, identical changes merge to that
//! change, and the order of the two sides does not matter.
//!
//! Input: base, ours and theirs separated by NUL bytes.

#![no_main]

use decl::model::merge::merge3;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\0');
    let base = parts.next().unwrap_or_default();
    let ours = parts.next().unwrap_or_default();
    let theirs = parts.next().unwrap_or_default();
    assert_eq!(merge3(base, base, base).as_deref(), Some(base));
    assert_eq!(merge3(base, ours, base).as_deref(), Some(ours));
    assert_eq!(merge3(base, base, theirs).as_deref(), Some(theirs));
    assert_eq!(merge3(base, ours, ours).as_deref(), Some(ours));
    assert_eq!(merge3(base, ours, theirs), merge3(base, theirs, ours));
});
