//! The redline invariant on the bundled negotiation: between every two revisions and in every
//! format, undoing the changes gives the older text and doing them the newer one, word for
//! word and space for space, with each clause in its place in both.
//!
//! The redlines are read back by readers that are not decl's: Python's HTML parser and a small
//! CriticMarkup reader (`tests/redline_sides.py`), pandoc for Markdown (made HTML) and for
//! Word (`--track-changes=reject|accept`). The texts they must give are the revisions' own, from
//! `decl export --format json`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::common::{TestEnv, tool_available};

const REVISIONS: [&str; 5] = ["zero-draft", "rev1", "rev2", "rev3", "adopted"];

/// A revision's text: each paragraph's citation ("OP 6") and lines (the text, then "(a) ...").
#[derive(Debug)]
pub(crate) struct RevisionText {
    pub(crate) paragraphs: Vec<(String, Vec<String>)>,
}

impl RevisionText {
    /// A declaration's text as a reader sees it: emphasis markers gone.
    pub(crate) fn of(declaration: &decl::model::Declaration) -> RevisionText {
        let numbers = declaration.paragraph_numbers();
        let mut paragraphs = Vec::new();
        for part in [decl::model::Part::Preamble, decl::model::Part::Operative] {
            for id in declaration.order(part) {
                let plain: String =
                    decl::render::emphasis::styled_text(&declaration.clauses[id].wording())
                        .iter()
                        .map(|run| run.text.as_str())
                        .collect();
                let lines = plain.split('\n').map(str::to_owned).collect();
                paragraphs.push((numbers[id].to_string(), lines));
            }
        }
        RevisionText { paragraphs }
    }

    fn read(env: &TestEnv, rev: &str) -> RevisionText {
        let file = format!("{rev}.json");
        env.decl(
            "d",
            &[
                "export", "--rev", rev, "--draft", "--format", "json", "-o", &file,
            ],
        )
        .success();
        let json: serde_json::Value =
            serde_json::from_str(&env.read(&format!("d/{file}"))).unwrap();
        let mut paragraphs = Vec::new();
        for part in ["preamble", "operative"] {
            for paragraph in json[part].as_array().unwrap() {
                let mut lines = vec![paragraph["text"].as_str().unwrap().to_owned()];
                for sub in paragraph["subparagraphs"].as_array().unwrap() {
                    lines.push(format!(
                        "{} {}",
                        sub["number"].as_str().unwrap(),
                        sub["text"].as_str().unwrap()
                    ));
                }
                let citation = paragraph["citation"].as_str().unwrap().to_owned();
                paragraphs.push((citation, lines));
            }
        }
        RevisionText { paragraphs }
    }

    fn lines_of(&self, citation: &str) -> &[String] {
        &self
            .paragraphs
            .iter()
            .find(|(c, _)| c == citation)
            .unwrap_or_else(|| panic!("no {citation}"))
            .1
    }

    /// The text as Word paragraphs: the number, a space (pandoc's plain rendering of the tab)
    /// and the text; each sub-paragraph its own paragraph.
    pub(crate) fn word_paragraphs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (citation, lines) in &self.paragraphs {
            out.push(format!("{citation} {}", lines[0]));
            out.extend(lines[1..].iter().cloned());
        }
        out
    }
}

/// One clause entry of a redline as a reader sees it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Entry {
    label: String,
    old: Vec<String>,
    new: Vec<String>,
}

/// What a label says of the entry: its citation in the older and in the newer text, and
/// whether it only marks the old place of a moved clause.
fn citations(label: &str) -> (Option<String>, Option<String>, bool) {
    let (number, note) = match label.split_once(" (") {
        Some((number, note)) => (number.to_owned(), Some(note.trim_end_matches(')'))),
        None => (label.to_owned(), None),
    };
    match note {
        None => (Some(number.clone()), Some(number), false),
        Some("new") => (None, Some(number), false),
        Some("deleted") => (Some(number), None, false),
        Some("moved from here") => (Some(number.clone()), Some(number), true),
        Some(note) if note.starts_with("moved to ") => {
            let new = note.trim_start_matches("moved to ").to_owned();
            (Some(number), Some(new), true)
        }
        Some(note) => {
            let old = note.strip_prefix("was ").expect("a known label").to_owned();
            (Some(old), Some(number), false)
        }
    }
}

/// Checks every entry's two sides against the two texts, and that each text's paragraphs all
/// appear, in order, where the entries put them.
pub(crate) fn check_entries(
    format: &str,
    pair: (&str, &str),
    entries: &[Entry],
    texts: (&RevisionText, &RevisionText),
) {
    let (old_text, new_text) = texts;
    let (mut old_order, mut new_order) = (Vec::new(), Vec::new());
    let moved_here: Vec<String> = entries
        .iter()
        .filter_map(|entry| match citations(&entry.label) {
            (_, Some(new), true) => Some(new),
            _ => None,
        })
        .collect();
    for entry in entries {
        let (old, new, old_place) = citations(&entry.label);
        let context = format!("{format}, {} to {}, {}", pair.0, pair.1, entry.label);
        let non_empty = |lines: &[String]| -> Vec<String> {
            lines.iter().filter(|l| !l.is_empty()).cloned().collect()
        };
        if old_place {
            old_order.push(old.unwrap());
            continue;
        }
        // A side with no citation (an inserted clause's old side) must read as nothing.
        for (side, lines, citation, text) in [
            ("old", &entry.old, &old, old_text),
            ("new", &entry.new, &new, new_text),
        ] {
            let expected: &[String] = citation.as_deref().map_or(&[], |c| text.lines_of(c));
            assert_eq!(non_empty(lines), expected, "{context}: {side} side");
        }
        let moved = new.as_ref().is_some_and(|n| moved_here.contains(n));
        if let Some(old) = old.filter(|_| !moved) {
            old_order.push(old);
        }
        new_order.extend(new);
    }
    let all = |text: &RevisionText| -> Vec<String> {
        text.paragraphs.iter().map(|p| p.0.clone()).collect()
    };
    assert_eq!(
        old_order,
        all(old_text),
        "{format}, {} to {}: the older text's order",
        pair.0,
        pair.1
    );
    assert_eq!(
        new_order,
        all(new_text),
        "{format}, {} to {}: the newer text's order",
        pair.0,
        pair.1
    );
}

pub(crate) fn sides(kind: &str, file: &Path) -> Vec<Entry> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/redline_sides.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(kind)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

pub(crate) fn pandoc(args: &[&str], file: &Path) -> String {
    let output = Command::new("pandoc")
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_redline_between_the_bundled_revisions_gives_back_both_texts_in_every_format() {
    if !tool_available("python3") || !tool_available("pandoc") {
        return;
    }
    let env = TestEnv::new();
    env.dushanbe("d");
    let texts: BTreeMap<&str, RevisionText> = REVISIONS
        .iter()
        .map(|rev| (*rev, RevisionText::read(&env, rev)))
        .collect();
    let dir = env.root().join("d");
    let libreoffice = (tool_available("soffice")).then(|| LibreOffice::new(env.root()));
    for (idx, from) in REVISIONS.iter().enumerate() {
        for to in &REVISIONS[idx + 1..] {
            let pair = (*from, *to);
            let both = (&texts[from], &texts[to]);
            let redline = |format: &str, file: &str| {
                env.decl(
                    "d",
                    &["redline", from, to, "--all", "--format", format, "-o", file],
                )
                .success();
                dir.join(file)
            };

            check_entries(
                "term",
                pair,
                &sides("critic", &redline("term", "r.txt")),
                both,
            );
            check_entries(
                "html",
                pair,
                &sides("html", &redline("html", "r.html")),
                both,
            );
            let md_as_html = dir.join("md.html");
            std::fs::write(
                &md_as_html,
                pandoc(
                    &["-f", "gfm", "-t", "html", "--wrap=none"],
                    &redline("md", "r.md"),
                ),
            )
            .unwrap();
            check_entries("md", pair, &sides("md", &md_as_html), both);

            check_pdf_words(&redline("pdf", "r.pdf"), pair, both);
            let docx = redline("docx", "r.docx");
            check_word(&docx, pair, both);
            if let Some(office) = &libreoffice {
                office.check(&docx, pair, both);
            }
        }
    }
}

/// Word's Reject All (pandoc's) must give the older text and Accept All the newer, paragraph
/// for paragraph: the number, then the text; each sub-paragraph a paragraph of its own.
pub(crate) fn check_word(docx: &Path, pair: (&str, &str), texts: (&RevisionText, &RevisionText)) {
    for (mode, text) in [("reject", texts.0), ("accept", texts.1)] {
        let plain = pandoc(
            &[
                &format!("--track-changes={mode}"),
                "-t",
                "plain",
                "--wrap=none",
            ],
            docx,
        );
        let paragraphs: Vec<String> = plain
            .split("\n\n")
            // pandoc shows an indented paragraph as a quotation, two spaces in.
            .map(|p| p.trim().to_owned())
            .filter(|p| p.starts_with("PP ") || p.starts_with("OP ") || p.starts_with('('))
            .collect();
        let expected = text.word_paragraphs();
        let first_difference = paragraphs.iter().zip(&expected).position(|(a, b)| a != b);
        if paragraphs != expected {
            // Kept for a look in Word or LibreOffice: the test's own folder goes with it.
            let _ = std::fs::copy(docx, std::env::temp_dir().join("decl-redline-failure.docx"));
        }
        assert!(
            paragraphs == expected,
            "docx {mode}, {} to {}: {} paragraphs for {}; first difference: {:?}\n{plain}",
            pair.0,
            pair.1,
            paragraphs.len(),
            expected.len(),
            first_difference.map(|at| (&paragraphs[at], &expected[at]))
        );
    }
}

/// LibreOffice with a macro that opens a document, accepts or rejects all its tracked changes
/// and saves it as text: Word's Accept All and Reject All, by a second reader.
struct LibreOffice {
    profile: std::path::PathBuf,
}

impl LibreOffice {
    fn new(root: &Path) -> LibreOffice {
        let profile = root.join("lo-profile");
        // A first start writes the profile; the macro then goes into its Standard library.
        let output = Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--terminate_after_init"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::write(
            profile.join("user/basic/Standard/Module1.xba"),
            include_str!("libreoffice_settle.xba"),
        )
        .unwrap();
        LibreOffice { profile }
    }

    fn check(&self, docx: &Path, pair: (&str, &str), texts: (&RevisionText, &RevisionText)) {
        for (mode, text) in [("reject", texts.0), ("accept", texts.1)] {
            let out = docx.with_extension(format!("{mode}.txt"));
            let output = Command::new("soffice")
                .arg(format!(
                    "-env:UserInstallation=file://{}",
                    self.profile.display()
                ))
                .arg("--headless")
                .arg(format!(
                    "macro:///Standard.Module1.Settle(\"{}\",\"{mode}\",\"{}\")",
                    docx.display(),
                    out.display()
                ))
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let saved = std::fs::read_to_string(&out).expect("LibreOffice saved the text");
            // One paragraph a line; the number and the text are separated by the tab.
            let paragraphs: Vec<String> = saved
                .trim_start_matches('\u{feff}')
                .lines()
                .map(|line| line.replacen('\t', " ", 1))
                .filter(|p| p.starts_with("PP ") || p.starts_with("OP ") || p.starts_with('('))
                .collect();
            assert_eq!(
                paragraphs,
                text.word_paragraphs(),
                "LibreOffice {mode}, {} to {}",
                pair.0,
                pair.1
            );
        }
    }
}

/// The PDF's text layer, in content order (`pdftotext -raw`), character for character: each
/// paragraph, its changes read through the announcements a screen reader hears ("[deleted:
/// trade; end of deletion]"), must be the older text with the deletions and the newer text
/// with the insertions. Spaces are not compared: a text layer has none where a line wraps, and
/// pdftotext guesses the others from the gaps between glyphs.
pub(crate) fn check_pdf_words(
    pdf: &Path,
    pair: (&str, &str),
    texts: (&RevisionText, &RevisionText),
) {
    let output = Command::new("pdftotext")
        .arg("-raw")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout)
        .unwrap()
        .replace('\u{a0}', " ");
    // "PP 4", "OP 7 (was OP 6)", "OP 11 (moved to OP 10)", each maybe followed by the number
    // of its footnote.
    let is_label = |line: &str| {
        let (number, rest) = match line.split_once(" (") {
            Some((number, note)) => (number, note.rsplit_once(')').map_or("", |(_, r)| r)),
            None => (line, ""),
        };
        let mut words = number.split(' ');
        let numbered = matches!(words.next(), Some("PP" | "OP"))
            && words.all(|word| word.parse::<usize>().is_ok());
        numbered && rest.trim().chars().all(|c| c.is_ascii_digit())
    };
    let is_furniture = |line: &str| {
        line.is_empty()
            || line.starts_with("Redline: ")
            || line.chars().all(|c| c.is_ascii_digit())
            || line.starts_with("Moved")
            || line.starts_with("Status: ")
            || line == "Preamble"
            || line == "Operative part"
            // A footnote: its number, then "EU-5: proposed by ..." (or a further line of one).
            || line
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .split_once(": ")
                .is_some_and(|(code, rest)| {
                    code.contains('-')
                        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
                        && (rest.starts_with("proposed by") || rest.starts_with("accepted as modified"))
                })
    };
    // A page starts with a form feed.
    let lines: Vec<&str> = text
        .lines()
        .map(|line| line.trim_start_matches('\u{c}').trim_end())
        .collect();
    let first_part = lines
        .iter()
        .position(|l| *l == "Preamble" || *l == "Operative part")
        .unwrap_or(lines.len());
    let mut entries: Vec<Entry> = Vec::new();
    let mut body = String::new();
    let finish = |entries: &mut Vec<Entry>, body: &mut String| {
        if let Some(entry) = entries.last_mut() {
            let (old, new) = pdf_sides(body);
            entry.old = vec![old];
            entry.new = vec![new];
        }
        body.clear();
    };
    for line in &lines[first_part..] {
        if is_label(line) {
            finish(&mut entries, &mut body);
            // The footnote's number follows the label: "OP 7 (was OP 6) 13", "OP 12 16".
            let label = match line.rsplit_once(' ') {
                Some((label, number)) if number.parse::<usize>().is_ok() && label.contains(' ') => {
                    label
                }
                _ => line,
            };
            entries.push(Entry {
                label: label.to_owned(),
                old: Vec::new(),
                new: Vec::new(),
            });
        } else if !is_furniture(line) {
            // A word hyphenated at the end of a line ends with a soft hyphen.
            match body.strip_suffix('\u{ad}') {
                Some(joined) => body.truncate(joined.len()),
                None => body.push(' '),
            }
            body.push_str(line);
        }
    }
    finish(&mut entries, &mut body);
    let words = |text: &RevisionText| RevisionText {
        paragraphs: text
            .paragraphs
            .iter()
            .map(|(citation, lines)| (citation.clone(), vec![words_of(&lines.join(" "))]))
            .collect(),
    };
    check_entries(
        "pdf text layer",
        pair,
        &entries,
        (&words(texts.0), &words(texts.1)),
    );
}

/// The two sides of a paragraph's text layer, as words.
fn pdf_sides(body: &str) -> (String, String) {
    let (mut old, mut new) = (String::new(), String::new());
    let mut rest = body;
    loop {
        let next = [
            ("[deleted: ", "; end of deletion]"),
            ("[inserted: ", "; end of insertion]"),
        ]
        .into_iter()
        .filter_map(|(open, close)| rest.find(open).map(|at| (at, open, close)))
        .min();
        let Some((at, open, close)) = next else {
            old.push_str(rest);
            new.push_str(rest);
            break;
        };
        old.push_str(&rest[..at]);
        new.push_str(&rest[..at]);
        let after = &rest[at + open.len()..];
        let end = after.find(close).expect("an announcement is closed");
        let changed = after[..end].replace('¶', "");
        if open.starts_with("[deleted") {
            old.push_str(&changed);
        } else {
            new.push_str(&changed);
        }
        rest = &after[end + close.len()..];
    }
    (words_of(&old), words_of(&new))
}

/// The text without its whitespace: pdftotext infers spaces from the gaps between glyphs, and
/// an announcement's hidden glyphs make gaps of their own ("pillars ,").
fn words_of(text: &str) -> String {
    text.split_whitespace().collect()
}
