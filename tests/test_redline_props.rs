//! The redline invariant as a property: for random pairs of declarations (spacing around
//! punctuation and brackets, italics, sub-paragraphs, moved, inserted and deleted clauses,
//! Cyrillic, Arabic and Chinese words), every format's old side is the older text and its new
//! side the newer, each clause in its place. Read back as in `test_redline_exact`: the piped
//! form and HTML by `tests/redline_sides.py`, Markdown through pandoc, Word by pandoc's
//! Reject All and Accept All.
//!
//! `DECL_PROPTEST_CASES` sets the number of cases (default 16: each runs pandoc and Python a
//! few times).

use std::collections::{BTreeMap, HashSet};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use decl::model::declaration::ConferenceDates;
use decl::model::{Clause, ClauseId, ClauseKind, ClauseStatus, Declaration, Part};
use decl::redline::RedlineOptions;
use decl::redline::document::compare;
use decl::render::redline_doc::{RedlineView, Scope};

use crate::common::{TestEnv, tool_available};
use crate::test_redline_exact::{RevisionText, check_entries, check_word, pandoc, sides};

const TOKENS: &[&str] = &[
    "States",
    "shall",
    "should",
    "develop",
    "the",
    "capability",
    "and",
    "their",
    "of",
    "to",
    "borders",
    "[",
    "]",
    "(",
    ")",
    ",",
    ";",
    ":",
    "стороны",
    "границы",
    "الأطراف",
    "الحدود",
    "各国",
    "合作",
];

/// Words joined as a drafter spaces them: one space, none inside brackets or before a mark.
fn spaced(tokens: &[&str]) -> String {
    let mut text = String::new();
    for token in tokens {
        let touches = text.is_empty()
            || text.ends_with(['[', '('])
            || matches!(*token, "]" | ")" | "," | ";" | ":");
        if !touches {
            text.push(' ');
        }
        text.push_str(token);
    }
    text
}

fn words() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(TOKENS), 1..12)
}

/// A clause's wording: an opening verb, maybe in italics, words, and 0-2 sub-paragraphs.
type Wording = (bool, Vec<&'static str>, Vec<Vec<&'static str>>);

fn wording() -> impl Strategy<Value = Wording> {
    (any::<bool>(), words(), prop::collection::vec(words(), 0..3))
}

fn clause(part: Part, (italic, text, subs): &Wording) -> Clause {
    let verb = if *italic { "*Urge*" } else { "Urge" };
    Clause {
        kind: match part {
            Part::Preamble => ClauseKind::Preambular,
            Part::Operative => ClauseKind::Operative,
        },
        status: ClauseStatus::Draft,
        text: format!("{verb} {}", spaced(text)),
        subparagraphs: subs.iter().map(|sub| spaced(sub)).collect(),
        notes: None,
    }
}

/// What happens to one clause between the two texts.
#[derive(Debug, Clone)]
enum Fate {
    Kept,
    Edited(usize, Vec<&'static str>),
    Rewritten(Wording),
    Deleted,
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        3 => Just(Fate::Kept),
        3 => (any::<usize>(), words()).prop_map(|(at, words)| Fate::Edited(at, words)),
        1 => wording().prop_map(Fate::Rewritten),
        1 => Just(Fate::Deleted),
    ]
}

/// A pair of declarations: each part's clauses, what becomes of them, new clauses, and a
/// shuffle of the kept ones (moves).
fn pair() -> impl Strategy<Value = (Declaration, Declaration)> {
    let part = || {
        (
            prop::collection::vec((wording(), fate()), 1..6),
            prop::collection::vec(wording(), 0..3),
            prop::collection::vec(any::<prop::sample::Index>(), 0..2),
        )
    };
    (part(), part()).prop_map(|(preamble, operative)| {
        let mut old = empty_declaration();
        let mut new = empty_declaration();
        for (part, (clauses, inserted, moves)) in
            [(Part::Preamble, preamble), (Part::Operative, operative)]
        {
            let prefix = if part == Part::Preamble { "pp" } else { "op" };
            let mut new_order: Vec<ClauseId> = Vec::new();
            for (idx, (wording, fate)) in clauses.iter().enumerate() {
                let id: ClauseId = format!("{prefix}-{idx}").parse().unwrap();
                old.clauses.insert(id.clone(), clause(part, wording));
                old.order_mut(part).push(id.clone());
                let kept = match fate {
                    Fate::Kept => Some(clause(part, wording)),
                    Fate::Edited(at, words) => {
                        let mut edited = wording.clone();
                        let at = at % edited.1.len();
                        edited
                            .1
                            .splice(at..(at + 1).min(edited.1.len()), words.iter().copied());
                        Some(clause(part, &edited))
                    }
                    Fate::Rewritten(other) => Some(clause(part, other)),
                    Fate::Deleted => None,
                };
                if let Some(kept) = kept {
                    new.clauses.insert(id.clone(), kept);
                    new_order.push(id);
                }
            }
            for (idx, wording) in inserted.iter().enumerate() {
                let id: ClauseId = format!("{prefix}-new-{idx}").parse().unwrap();
                new.clauses.insert(id.clone(), clause(part, wording));
                let at = (idx * 7) % (new_order.len() + 1);
                new_order.insert(at, id);
            }
            for index in moves {
                if new_order.len() > 1 {
                    let from = index.index(new_order.len());
                    let id = new_order.remove(from);
                    new_order.insert((from + 2) % (new_order.len() + 1), id);
                }
            }
            *new.order_mut(part) = new_order;
        }
        (old, new)
    })
}

fn empty_declaration() -> Declaration {
    Declaration {
        meta: decl::model::DeclarationMeta {
            title: "Test Declaration".into(),
            short_title: "Test".into(),
            symbol: "T/1".into(),
            conference: "Test Conference".into(),
            place: "Dushanbe".into(),
            dates: ConferenceDates {
                from: chrono::NaiveDate::from_ymd_opt(2022, 10, 18).unwrap(),
                to: None,
            },
            languages: vec!["en".into()],
            style: Default::default(),
            chapeau: "We, the participants,".into(),
            preamble: Vec::new(),
            operative: Vec::new(),
            adopted: None,
        },
        delegations: Vec::new(),
        clauses: BTreeMap::new(),
    }
}

#[test]
fn every_format_gives_back_both_texts_of_random_declarations() {
    if !tool_available("python3") || !tool_available("pandoc") {
        return;
    }
    let cases = std::env::var("DECL_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(16);
    let env = TestEnv::new();
    let dir = env.root().to_path_buf();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&pair(), |(old, new)| {
            let document = compare(&old, &new, &[], &HashSet::new(), &RedlineOptions::default());
            let view = RedlineView::new(&new.meta, &document, "A", "B", Scope::Everything);
            let texts = (&RevisionText::of(&old), &RevisionText::of(&new));
            let pair = ("old", "new");

            let write = |name: &str, bytes: &[u8]| {
                let path = dir.join(name);
                std::fs::write(&path, bytes).unwrap();
                path
            };
            let term = write("r.txt", view.terminal(false, None).as_bytes());
            check_entries("term", pair, &sides("critic", &term), texts);
            let coloured = write("r.ansi", view.terminal(true, None).as_bytes());
            check_entries("coloured term", pair, &sides("ansi", &coloured), texts);
            let html = write("r.html", view.html(None).unwrap().as_bytes());
            check_entries("html", pair, &sides("html", &html), texts);
            let md = write("r.md", view.markdown().as_bytes());
            let md_html = pandoc(&["-f", "gfm", "-t", "html", "--wrap=none"], &md);
            let md_html = write("md.html", md_html.as_bytes());
            check_entries("md", pair, &sides("md", &md_html), texts);
            let docx = decl::render::docx_redline::redline_docx(&view, "decl").unwrap();
            check_word(&write("r.docx", &docx), pair, texts);
            Ok(())
        })
        .unwrap();
}
