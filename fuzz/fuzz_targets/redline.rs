//! The redline engine: `decl::redline::redline(old, new, &options)` on arbitrary texts.
//! Checks the invariants the rest of decl relies on: the old side of the segments reproduces
//! `old`, the new side reproduces `new`, no segment is empty, no two neighbours are of the
//! same kind, a deletion comes before the insertion that replaces it, and equal segments
//! differ only in white space.
//!
//! Input: one flags byte (bit 0: show white space, bit 1: no semantic clean-up), then the old
//! and the new text separated by a NUL byte.

#![no_main]

use std::mem::discriminant;

use decl::redline::{RedlineOptions, Segment, redline, render_plain};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (old, new) = text.split_once('\0').unwrap_or((text, ""));
    let options = RedlineOptions {
        show_whitespace: flags & 1 != 0,
        semantic_cleanup: flags & 2 == 0,
        ..RedlineOptions::default()
    };
    let result = redline(old, new, &options);
    assert_eq!(result.old_text(), old, "old side of {result:?}");
    assert_eq!(result.new_text(), new, "new side of {result:?}");
    for segment in &result.segments {
        match segment {
            Segment::Equal { old, new } => {
                assert!(!(old.is_empty() && new.is_empty()), "{result:?}");
                let words = |s: &str| s.split_whitespace().collect::<String>();
                assert_eq!(words(old), words(new), "{result:?}");
                if options.show_whitespace {
                    assert_eq!(old, new, "{result:?}");
                }
            }
            Segment::Deleted(text) | Segment::Inserted(text) => {
                assert!(!text.is_empty(), "{result:?}")
            }
        }
    }
    for pair in result.segments.windows(2) {
        assert_ne!(discriminant(&pair[0]), discriminant(&pair[1]), "{result:?}");
        assert!(
            !matches!(pair, [Segment::Inserted(_), Segment::Deleted(_)]),
            "{result:?}"
        );
    }
    if old == new {
        assert!(result.is_unchanged(), "{result:?}");
    }
    let _ = result.stats();
    let _ = render_plain(&result);
});
