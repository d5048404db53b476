//! Tests of the whole redline: examples through one `check` helper, property tests of the
//! invariants, the pathological-input guard, and an ignored speed measurement.
//!
//! Tests of single stages (tokenizer, blocks, clean-up rule) live next to those stages.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

/// Redlines `old` against `new` with default options, checks the invariants, and compares the
/// rendering in `git diff --word-diff`'s markers (`[-deleted-]{+inserted+}`, equal text as in
/// the new version; easier to read in these examples than CriticMarkup) to `expected`.
fn check(old: &str, new: &str, expected: &str) {
    check_with_options(&RedlineOptions::default(), old, new, expected);
}

/// [`check`] with explicit options.
fn check_with_options(options: &RedlineOptions, old: &str, new: &str, expected: &str) {
    let result = redline(old, new, options);
    assert_invariants(&result, old, new, options);
    assert_eq!(
        git_style(&result),
        expected,
        "segments: {:#?}",
        result.segments
    );
}

/// The promises of [`Redline`]: exact texts, no empty or repeated segment kinds, deletions
/// before insertions, and equal segments that differ only in (hidden) whitespace.
fn assert_invariants(result: &Redline, old: &str, new: &str, options: &RedlineOptions) {
    assert_eq!(
        result.old_text(),
        old,
        "old text not reproduced: {:#?}",
        result.segments
    );
    assert_eq!(
        result.new_text(),
        new,
        "new text not reproduced: {:#?}",
        result.segments
    );
    for segment in &result.segments {
        match segment {
            Segment::Equal { old, new } => {
                assert!(!(old.is_empty() && new.is_empty()), "empty equal segment");
                if options.show_whitespace {
                    assert_eq!(
                        old, new,
                        "equal segment differs although whitespace is shown"
                    );
                } else {
                    assert_eq!(without_whitespace(old), without_whitespace(new));
                }
            }
            Segment::Deleted(text) | Segment::Inserted(text) => {
                assert!(
                    !text.is_empty(),
                    "empty change segment: {:#?}",
                    result.segments
                );
            }
        }
    }
    // A reader sees equal text in its new spacing. Next to a change, both sides of an equal
    // segment must separate alike (both touch the change, or both are spaced from it, with or
    // without a line break), or undoing the change would join or split words ("developthe").
    let shown_old = shown_old_text(result);
    let edge = |text: &str, leading: bool| -> (bool, bool) {
        let gap: String = if leading {
            text.chars().take_while(|c| c.is_whitespace()).collect()
        } else {
            text.chars()
                .rev()
                .take_while(|c| c.is_whitespace())
                .collect()
        };
        (gap.is_empty(), gap.contains('\n'))
    };
    for (idx, segment) in result.segments.iter().enumerate() {
        if let Segment::Equal { old, new } = segment {
            if idx > 0 {
                assert_eq!(
                    edge(old, true),
                    edge(new, true),
                    "after a change: {segment:?}"
                );
            }
            if idx + 1 < result.segments.len() {
                assert_eq!(
                    edge(old, false),
                    edge(new, false),
                    "before a change: {segment:?}"
                );
            }
        }
    }
    if options.show_whitespace {
        assert_eq!(
            shown_old, old,
            "undoing the changes: {:#?}",
            result.segments
        );
    }
    for pair in result.segments.windows(2) {
        assert_ne!(
            std::mem::discriminant(&pair[0]),
            std::mem::discriminant(&pair[1]),
            "neighbouring segments of the same kind: {:#?}",
            result.segments
        );
        assert!(
            !matches!(pair, [Segment::Inserted(_), Segment::Deleted(_)]),
            "insertion before deletion: {:#?}",
            result.segments
        );
    }
}

/// The redline in `git diff --word-diff`'s markers, unescaped: for the examples only.
fn git_style(result: &Redline) -> String {
    let mut rendered = String::new();
    for segment in &result.segments {
        match segment {
            Segment::Equal { new, .. } => rendered.push_str(new),
            Segment::Deleted(deleted) => rendered.push_str(&format!("[-{deleted}-]")),
            Segment::Inserted(inserted) => rendered.push_str(&format!("{{+{inserted}+}}")),
        }
    }
    rendered
}

/// The old text as a reader of the redline sees it: equal text as it reads in the new version,
/// and the deletions.
fn shown_old_text(result: &Redline) -> String {
    let mut text = String::new();
    for segment in &result.segments {
        match segment {
            Segment::Equal { new, .. } => text.push_str(new),
            Segment::Deleted(deleted) => text.push_str(deleted),
            Segment::Inserted(_) => {}
        }
    }
    text
}

fn without_whitespace(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_whitespace())
        .collect()
}

fn show_whitespace() -> RedlineOptions {
    RedlineOptions {
        show_whitespace: true,
        ..RedlineOptions::default()
    }
}

#[test]
fn single_word_change() {
    check(
        "The parties shall promote cooperation.",
        "The parties shall promote collaboration.",
        "The parties shall promote [-cooperation-]{+collaboration+}.",
    );
}

#[test]
fn shall_becomes_should() {
    check(
        "Member States shall take all appropriate measures.",
        "Member States should take all appropriate measures.",
        "Member States [-shall-]{+should+} take all appropriate measures.",
    );
    // One unchanged word between two one-word changes is not confetti: it stays.
    check(
        "The parties shall act.",
        "Both parties should act.",
        "[-The-]{+Both+} parties [-shall-]{+should+} act.",
    );
}

#[test]
fn a_small_word_between_two_replaced_words_does_not_make_confetti() {
    check(
        "States shall promote the use of safeguards.",
        "States shall enhance the application of safeguards.",
        "States shall [-promote the use-]{+enhance the application+} of safeguards.",
    );
    // A larger word between two replacements keeps both changes local.
    check(
        "The parties shall promote cooperation.",
        "Both parties should promote cooperation.",
        "[-The-]{+Both+} parties [-shall-]{+should+} promote cooperation.",
    );
}

#[test]
fn punctuation_change_shows_only_the_mark() {
    check(
        "sustainable development and peace",
        "sustainable development, and peace",
        "sustainable development{+,+} and peace",
    );
    check("We agree.", "We agree;", "We agree[-.-]{+;+}");
}

#[test]
fn whitespace_only_change_is_no_change_by_default() {
    let old = "The parties  agree,\tjointly,\nto act.";
    let new = "The parties agree, jointly, to act.\n";
    check(old, new, new);
    assert!(redline(old, new, &RedlineOptions::default()).is_unchanged());
    // The one equal segment carries both texts, so a renderer can show either.
    assert_eq!(
        redline("a  b", "a b", &RedlineOptions::default()).segments,
        [Segment::Equal {
            old: "a  b".to_owned(),
            new: "a b".to_owned()
        }]
    );
}

#[test]
fn line_breaks_are_whitespace_too() {
    // Re-wrapping a paragraph is whitespace-only; with whitespace shown it is a change.
    let old = "The parties agree\nto act jointly.";
    let new = "The parties agree to act\njointly.";
    check(old, new, new);
    check_with_options(
        &show_whitespace(),
        old,
        new,
        "The parties agree[-\n-]{+ +}to act[- -]{+\n+}jointly.",
    );
}

#[test]
fn whitespace_only_change_is_shown_when_asked() {
    check_with_options(
        &show_whitespace(),
        "The parties  agree, jointly.",
        "The parties agree, jointly.",
        "The parties[-  -]{+ +}agree, jointly.",
    );
    assert!(!redline("a  b", "a b", &show_whitespace()).is_unchanged());
}

#[test]
fn insertion_at_start_and_end() {
    check(
        "parties agree",
        "The parties agree",
        "{+The +}parties agree",
    );
    check(
        "The parties agree",
        "The parties agree unanimously",
        "The parties agree{+ unanimously+}",
    );
}

#[test]
fn deletion_of_a_clause() {
    check(
        "The parties, acting jointly and severally, shall report annually.",
        "The parties shall report annually.",
        "The parties[-, acting jointly and severally,-] shall report annually.",
    );
}

#[test]
fn rewritten_sentence_is_one_deletion_and_one_insertion() {
    let old = "The parties agree to promote the use of renewable energy.";
    let new = "Member states commit to a rapid expansion of solar power.";
    check(
        old,
        new,
        "[-The parties agree to promote the use of renewable energy-]\
         {+Member states commit to a rapid expansion of solar power+}.",
    );
    // Without the clean-up, the confetti of the module doc's worked example shows.
    let raw_options = RedlineOptions {
        semantic_cleanup: false,
        ..RedlineOptions::default()
    };
    check_with_options(
        &raw_options,
        old,
        new,
        "[-The parties agree-]{+Member states commit+} to [-promote the use-]\
         {+a rapid expansion+} of [-renewable energy-]{+solar power+}.",
    );
}

#[test]
fn edits_in_one_paragraph_do_not_fold_across_a_line_break() {
    check(
        "Article 1\nThe parties agree to promote the use of renewable energy.\nArticle 2\n",
        "Article 1\nMember states commit to a rapid expansion of solar power.\nArticle 2\n",
        "Article 1\n[-The parties agree to promote the use of renewable energy-]\
         {+Member states commit to a rapid expansion of solar power+}.\nArticle 2\n",
    );
}

#[test]
fn unchanged_paragraphs_stay_equal_around_a_changed_one() {
    check(
        "First.\n\nThe parties shall meet.\n\nLast.\n",
        "First.\n\nThe parties shall meet annually.\n\nLast.\n",
        "First.\n\nThe parties shall meet{+ annually+}.\n\nLast.\n",
    );
}

#[test]
fn cyrillic_changes_by_words() {
    check(
        "Стороны обязуются содействовать развитию.",
        "Стороны должны содействовать развитию.",
        "Стороны [-обязуются-]{+должны+} содействовать развитию.",
    );
}

#[test]
fn arabic_changes_by_words() {
    check(
        "تؤكد الأطراف التزامها بالتعاون الدولي.",
        "تؤكد الدول التزامها بالتعاون الدولي.",
        "تؤكد [-الأطراف-]{+الدول+} التزامها بالتعاون الدولي.",
    );
}

#[test]
fn chinese_changes_by_characters() {
    check(
        "各国应当加强合作。",
        "各国必须加强合作。",
        "各国[-应当-]{+必须+}加强合作。",
    );
    check("各国同意。", "各国一致同意。", "各国{+一致+}同意。");
}

#[test]
fn japanese_changes_by_characters() {
    check(
        "締約国は協力する。",
        "締約国は緊密に協力する。",
        "締約国は{+緊密に+}協力する。",
    );
}

#[test]
fn empty_inputs() {
    check("", "", "");
    check("", "New text.", "{+New text.+}");
    check("Old text.", "", "[-Old text.-]");
    check("  \n", "", "");
    assert!(
        redline("", "", &RedlineOptions::default())
            .segments
            .is_empty()
    );
    assert!(redline(" \n", "", &RedlineOptions::default()).is_unchanged());
}

#[test]
fn stats_count_words_and_changes() {
    let result = redline(
        "The parties shall promote cooperation, in good faith.",
        "The States should promote cooperation in good faith and mutual respect.",
        &RedlineOptions::default(),
    );
    assert_eq!(
        git_style(&result),
        "The [-parties shall-]{+States should+} promote cooperation[-,-] in good faith\
         {+ and mutual respect+}."
    );
    assert_eq!(
        result.stats(),
        RedlineStats {
            words_inserted: 5,
            words_deleted: 2,
            changes: 3
        }
    );
}

/// Unrelated texts of a 400-word vocabulary, so that the word diff finds plenty of accidental
/// matches ("the", "of") and would produce confetti without the guards.
fn random_text(seed: u64, n_words: usize, words_per_paragraph: usize) -> String {
    let mut random = XorShift(seed);
    let mut text = String::new();
    for word_idx in 0..n_words {
        let word_number = random.next() % 400;
        text.push_str(&format!("w{word_number}"));
        let at_paragraph_end = (word_idx + 1).is_multiple_of(words_per_paragraph);
        if at_paragraph_end {
            text.push_str(".\n\n");
        } else if random.next().is_multiple_of(12) {
            text.push_str(", ");
        } else {
            text.push(' ');
        }
    }
    text
}

/// A tiny deterministic generator, so tests need no extra crate and never vary.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn unrelated_huge_texts_degrade_to_few_segments() {
    for words_per_paragraph in [100_000, 150] {
        let old = random_text(0x9E37_79B9_7F4A_7C15, 100_000, words_per_paragraph);
        let new = random_text(0xD1B5_4A32_D192_ED03, 100_000, words_per_paragraph);
        let result = redline(&old, &new, &RedlineOptions::default());
        assert_invariants(&result, &old, &new, &RedlineOptions::default());
        assert!(
            result.segments.len() <= 8,
            "{} segments for unrelated texts ({words_per_paragraph} words per paragraph)",
            result.segments.len()
        );
    }
}

#[test]
fn edits_throughout_a_large_document_all_stay_fine_grained() {
    // Every sentence has one "term…" word, so every sentence changes: no block matches and the
    // whole text is one large changed region, taken as edited in place and diffed sentence by
    // sentence.
    let old: String = declaration_text(150)
        .lines()
        .map(|paragraph| {
            // Without its number, no paragraph is left with an unchanged sentence to anchor on.
            let (_number, sentences) = paragraph.split_once(". ").unwrap_or(("", paragraph));
            format!("{sentences}\n")
        })
        .collect();
    let new = old.replace("term", "item");
    let n_sentences = 150 * 4;
    let result = redline(&old, &new, &RedlineOptions::default());
    assert_invariants(&result, &old, &new, &RedlineOptions::default());
    assert_eq!(
        result.stats(),
        RedlineStats {
            words_inserted: n_sentences,
            words_deleted: n_sentences,
            changes: n_sentences
        }
    );
}

#[test]
fn unrelated_bodies_under_the_same_headings_keep_the_headings() {
    let mut old = String::new();
    let mut new = String::new();
    for article in 1..=30 {
        let heading = format!("Article {article}\n");
        old.push_str(&heading);
        old.push_str(&random_text(article, 120, 120));
        new.push_str(&heading);
        new.push_str(&random_text(article + 1000, 120, 120));
    }
    let result = redline(&old, &new, &RedlineOptions::default());
    assert_invariants(&result, &old, &new, &RedlineOptions::default());
    for article in 1..=30 {
        let heading = format!("Article {article}\n");
        let is_kept = result
            .segments
            .iter()
            .any(|segment| matches!(segment, Segment::Equal { new, .. } if new.contains(&heading)));
        assert!(is_kept, "{heading:?} lost in {}", git_style(&result));
    }
    assert!(
        result.segments.len() <= 30 * 3 + 1,
        "{} segments",
        result.segments.len()
    );
}

/// A long declaration-like text: `n_paragraphs` paragraphs of ~80 words in 4 sentences.
fn declaration_text(n_paragraphs: usize) -> String {
    const VOCABULARY: &str = "the parties shall promote cooperation of in and development \
        sustainable member states agree to implement measures relevant international law rights \
        human peace security recognising further energy climate protection support resources \
        national policies";
    let words: Vec<&str> = VOCABULARY.split_whitespace().collect();
    let mut random = XorShift(0x2545_F491_4F6C_DD1D);
    let mut text = String::new();
    for paragraph_idx in 0..n_paragraphs {
        text.push_str(&format!("{}. ", paragraph_idx + 1));
        for sentence_idx in 0..4 {
            for word_idx in 0..20 {
                // Rare "names" make sentences distinct, as real clauses are.
                let word = if word_idx == 7 {
                    format!("term{}", random.next() % 100_000)
                } else {
                    words[(random.next() % words.len() as u64) as usize].to_owned()
                };
                text.push_str(&word);
                text.push_str(if word_idx == 19 {
                    ""
                } else if word_idx == 9 {
                    ", "
                } else {
                    " "
                });
            }
            text.push_str(if sentence_idx == 3 { ".\n" } else { ". " });
        }
    }
    text
}

/// Edits every fifth paragraph: a word replaced, a word inserted, a word deleted.
fn edit_every_fifth_paragraph(text: &str) -> String {
    let mut edited = String::new();
    for (paragraph_idx, paragraph) in text.split_inclusive('\n').enumerate() {
        if !paragraph_idx.is_multiple_of(5) {
            edited.push_str(paragraph);
            continue;
        }
        let mut words: Vec<&str> = paragraph.split(' ').collect();
        words[3] = "amended";
        words.insert(30, "newly");
        words.remove(60);
        edited.push_str(&words.join(" "));
    }
    edited
}

/// Measures speed in release mode; run with
/// `cargo test --release redline::tests::speed -- --ignored --nocapture`.
#[test]
#[ignore = "measurement, run in release mode by hand"]
fn speed_of_a_large_edited_declaration_and_of_unrelated_texts() {
    let old = declaration_text(2000);
    let new = edit_every_fifth_paragraph(&old);
    let n_words = old.split_whitespace().count();
    let started = Instant::now();
    let result = redline(&old, &new, &RedlineOptions::default());
    let elapsed = started.elapsed();
    assert_eq!(result.new_text(), new);
    println!(
        "edited declaration: {n_words} words, {} segments, {:?}, {:.0} words/s",
        result.segments.len(),
        elapsed,
        n_words as f64 / elapsed.as_secs_f64()
    );

    for words_per_paragraph in [100_000, 150] {
        let old = random_text(0x9E37_79B9_7F4A_7C15, 100_000, words_per_paragraph);
        let new = random_text(0xD1B5_4A32_D192_ED03, 100_000, words_per_paragraph);
        let started = Instant::now();
        let result = redline(&old, &new, &RedlineOptions::default());
        println!(
            "unrelated 100,000-word texts, {words_per_paragraph} words per paragraph: \
             {} segments, {:?}",
            result.segments.len(),
            started.elapsed()
        );
    }
}

#[test]
fn zero_deadline_still_gives_an_exact_redline() {
    let options = RedlineOptions {
        deadline_per_block: Duration::ZERO,
        ..RedlineOptions::default()
    };
    let old = "The parties shall meet.\nThey agree.\n";
    let new = "The parties should meet.\nThey agree.\n";
    let result = redline(old, new, &options);
    assert_invariants(&result, old, new, &options);
    assert!(!result.is_unchanged());
}

/// Pieces that make related texts likely: words of several scripts, punctuation, and every
/// kind of whitespace, including line breaks, CRLF and no-break spaces.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "the",
        "parties",
        "shall",
        "should",
        "agree",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\n\n",
        "\u{a0}",
        ",",
        ".",
        ";",
        "(",
        ")",
        "—",
        "don't",
        "3.14",
        "é",
        "e\u{301}",
        "🇺🇳",
        "декларация",
        "стороны",
        "الأطراف",
        "إعلان",
        "各国",
        "同意",
        "。",
        "コーヒー",
        "ー",
    ])
}

/// Words, brackets and punctuation joined by one drafting convention: a single space between
/// tokens, none after an opening bracket or before a closing one or a punctuation mark.
fn spaced_text() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "the",
        "parties",
        "shall",
        "should",
        "develop",
        "capability",
        "and",
        "their",
        "[",
        "]",
        "(",
        ")",
        ",",
        ";",
        ".",
        ":",
        "*",
        "in",
        "of",
        "стороны",
        "الأطراف",
        "各国",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|tokens| {
        let mut text = String::new();
        for token in tokens {
            let touches_previous = text.is_empty()
                || text.ends_with(['[', '('])
                || matches!(token, "]" | ")" | "," | ";" | "." | ":");
            if !touches_previous {
                text.push(' ');
            }
            text.push_str(token);
        }
        text
    })
}

fn related_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..60).prop_map(|pieces| pieces.concat())
}

fn options() -> impl Strategy<Value = RedlineOptions> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(show_whitespace, semantic_cleanup, line_breaks_significant)| RedlineOptions {
            show_whitespace,
            semantic_cleanup,
            line_breaks_significant,
            ..RedlineOptions::default()
        },
    )
}

proptest! {
    #[test]
    fn related_texts_keep_the_invariants(
        old in related_text(), new in related_text(), options in options()
    ) {
        let result = redline(&old, &new, &options);
        assert_invariants(&result, &old, &new, &options);
    }

    #[test]
    fn arbitrary_unicode_keeps_the_invariants(
        old in "\\PC{0,80}", new in "\\PC{0,80}", options in options()
    ) {
        let result = redline(&old, &new, &options);
        assert_invariants(&result, &old, &new, &options);
    }

    #[test]
    fn small_edits_of_a_text_keep_the_invariants(
        pieces in prop::collection::vec(piece(), 1..80),
        edit_at in any::<prop::sample::Index>(),
        n_removed in 0usize..6,
        inserted in prop::collection::vec(piece(), 0..6),
        options in options(),
    ) {
        let old = pieces.concat();
        let mut new_pieces = pieces.clone();
        let start = edit_at.index(new_pieces.len());
        let end = (start + n_removed).min(new_pieces.len());
        new_pieces.splice(start..end, inserted);
        let new = new_pieces.concat();
        let result = redline(&old, &new, &options);
        assert_invariants(&result, &old, &new, &options);
    }

    #[test]
    fn undoing_every_change_gives_back_conventionally_spaced_text_exactly(
        old in spaced_text(), new in spaced_text(), options in options()
    ) {
        // Spaced as a drafter types (one space between words, none inside brackets or before
        // a comma), the reader's view of the old side must be the old text byte for byte.
        let result = redline(&old, &new, &options);
        assert_invariants(&result, &old, &new, &options);
        prop_assert_eq!(shown_old_text(&result), old, "{}", git_style(&result));
    }

    #[test]
    fn the_plain_form_reads_back_both_texts(
        old in related_text(), new in related_text(), options in options()
    ) {
        let result = redline(&old, &new, &options);
        let (shown_old, shown_new) = critic::sides(&render_plain(&result)).expect("paired");
        prop_assert_eq!(shown_old, shown_old_text(&result));
        prop_assert_eq!(shown_new, new);
    }

    #[test]
    fn identical_texts_are_unchanged(text in related_text(), options in options()) {
        let result = redline(&text, &text, &options);
        assert_invariants(&result, &text, &text, &options);
        prop_assert!(result.is_unchanged());
    }

    #[test]
    fn whitespace_only_changes_are_unchanged_unless_shown(
        pieces in prop::collection::vec(piece(), 0..60),
        replacements in prop::collection::vec(
            prop::sample::select(vec![" ", "\n", "\t ", "\r\n\n", "\u{a0}"]), 60
        ),
        leading in prop::sample::select(vec!["", " ", "\n"]),
    ) {
        // Replace every whitespace piece by other (never empty) whitespace, so no two words
        // are joined, and maybe add whitespace in front.
        let old = pieces.concat();
        let mut new = leading.to_owned();
        for (piece, replacement) in pieces.iter().zip(&replacements) {
            let is_whitespace = piece.chars().all(char::is_whitespace);
            new.push_str(if is_whitespace { replacement } else { piece });
        }
        prop_assume!(tokens_without_whitespace(&old) == tokens_without_whitespace(&new));
        let hidden = redline(&old, &new, &RedlineOptions::default());
        assert_invariants(&hidden, &old, &new, &RedlineOptions::default());
        prop_assert!(hidden.is_unchanged(), "{:?} -> {:?}: {}", old, new, git_style(&hidden));
        let shown = redline(&old, &new, &show_whitespace());
        assert_invariants(&shown, &old, &new, &show_whitespace());
        prop_assert_eq!(shown.is_unchanged(), old == new);
    }
}

/// The non-whitespace tokens of `text`, as the diff sees them with whitespace hidden.
fn tokens_without_whitespace(text: &str) -> Vec<&str> {
    tokenize::tokenize(text)
        .iter()
        .filter(|token| token.kind != tokenize::TokenKind::Whitespace)
        .map(|token| &text[token.start..token.end])
        .collect()
}
