//! A seeded, reproducible generator of large declaration repositories, for benchmarks.
//!
//!     cargo run --release --example generate -- --size small target/bench/small
//!     cargo run --release --example generate -- --size large target/bench/large
//!     cargo run --release --example generate -- --seed 7 --clauses 300 --delegations 30 \
//!         --amendments 2000 --revisions 3 /tmp/medium
//!
//! Everything goes through decl's own library, exactly as the command line does: the zero
//! draft is one [`Transaction`](decl::store::Transaction) committed by the secretariat and
//! tagged `zero-draft`, and every later step (propose, support, oppose, co-sponsor, withdraw,
//! accept, accept as modified, reject, mark, cut) is one call to [`decl::actions::perform`], so
//! the history has one commit per action and every rule of procedure is checked.
//!
//! The same seed and options always give the same files, the same commit messages and the same
//! commit ids: the clock is a deterministic one (fixed UTC+01:00 offset, advancing a seeded
//! number of minutes per action), the texts come from the word lists below through a
//! splitmix64 generator, and the repository's own git config names the committer (so a user's
//! global git identity does not leak into the commits).
//!
//! The one difference from the command line is where new git objects go: decl writes each as
//! a loose file, as git does, and at 60,000 actions creating and then packing those files was
//! half the generator's time. Here the whole run is in [`DeclRepo::in_bulk`]: objects are held
//! in memory and written as a pack every `--pack-every N` actions (default 1,000), followed by
//! `git gc --auto` as git would run it; at the end, `git gc` leaves one pack and a
//! commit-graph, as a maintained repository has.

use std::collections::{BTreeMap, BinaryHeap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use clap::{Parser, ValueEnum};

use decl::actions::{Action, ActionError, Adoption, Proposal, Target, perform};
use decl::model::declaration::{ConferenceDates, DocumentStyle};
use decl::model::{
    Act, AmendmentId, Clause, ClauseId, ClauseStatus, Declaration, DeclarationMeta, Delegation,
    DelegationCode, Part, Position, Role,
};
use decl::store::{At, Bulk, DeclRepo, NewTag};

/// Generate a declaration repository of a given size, reproducibly
#[derive(Debug, Parser)]
#[command(name = "generate")]
struct Args {
    /// The repository to create (must be missing or empty)
    dir: PathBuf,
    /// A preset; explicit options override its numbers
    #[arg(long, value_enum)]
    size: Option<Size>,
    /// The seed of the pseudo-random generator
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Clauses in the zero draft (about 1/4 preambular, 3/4 operative)
    #[arg(long)]
    clauses: Option<usize>,
    /// Member delegations D001, D002, ... (plus the chair CHAIR and the secretariat SEC)
    #[arg(long)]
    delegations: Option<usize>,
    /// Amendments proposed over the whole negotiation
    #[arg(long)]
    amendments: Option<usize>,
    /// Revisions cut after the zero draft (rev1, rev2, ...)
    #[arg(long)]
    revisions: Option<usize>,
    /// Print a progress line every N actions
    #[arg(long, default_value_t = 2000)]
    progress: usize,
    /// Write the new objects, held in memory, as a pack every N actions
    #[arg(long, default_value_t = 1000)]
    pack_every: usize,
    /// Let libgit2 cache trees and blobs of any size in this process (by default it caches no
    /// blob and no tree over 4 KiB, which decl's reads depend on; see docs/performance.md)
    #[arg(long)]
    git_cache: bool,
    /// Generate nothing: time decl's store reads on the existing repository DIR
    #[arg(long)]
    probe: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Size {
    /// 40 clauses, 10 delegations, 50 amendments, 2 revisions
    Small,
    /// 2,000 clauses, 100 delegations, 20,000 amendments, 5 revisions
    Large,
}

struct Config {
    seed: u64,
    clauses: usize,
    delegations: usize,
    amendments: usize,
    revisions: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.git_cache {
        enable_git_cache();
    }
    if args.probe {
        return match probe(&args.dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("generate: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let (clauses, delegations, amendments, revisions) = match args.size {
        Some(Size::Small) => (40, 10, 50, 2),
        Some(Size::Large) => (2_000, 100, 20_000, 5),
        None => (40, 10, 50, 2),
    };
    let config = Config {
        seed: args.seed,
        clauses: args.clauses.unwrap_or(clauses),
        delegations: args.delegations.unwrap_or(delegations),
        amendments: args.amendments.unwrap_or(amendments),
        revisions: args.revisions.unwrap_or(revisions),
    };
    if config.clauses < 4 || config.delegations < 2 || config.revisions < 1 {
        eprintln!("generate: need at least 4 clauses, 2 delegations and 1 revision");
        return ExitCode::from(2);
    }
    if config.delegations > 999 {
        eprintln!("generate: at most 999 delegations (codes D001..D999)");
        return ExitCode::from(2);
    }
    match Generator::run(
        &args.dir,
        config,
        args.progress.max(1),
        args.pack_every.max(1),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("generate: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Raises libgit2's per-type object cache limits (process-wide), so that a tree read once is
/// not inflated, hashed and parsed again on the next path lookup.
fn enable_git_cache() {
    for kind in [git2::ObjectType::Tree, git2::ObjectType::Blob] {
        // SAFETY: called before any repository is opened, from the only thread.
        unsafe { git2::opts::set_cache_object_limit(kind, 64 << 20) }.expect("libgit2 option");
    }
    // SAFETY: as above.
    unsafe { git2::opts::set_cache_max_size(1 << 30) }.expect("libgit2 option");
}

/// Times the store operations an action or a command is made of, on an existing repository:
/// the median of a few runs of each, in this process.
fn probe(dir: &Path) -> Result<(), String> {
    fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let started = Instant::now();
            last = Some(f());
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        (times[times.len() / 2], last.expect("at least one run"))
    }
    let err = |e: decl::store::StoreError| e.to_string();
    let repo = DeclRepo::discover(dir).map_err(err)?;
    let head = At::Rev(repo.resolve("HEAD").map_err(err)?);
    let declaration = repo.load(&head).map_err(err)?;
    let ids = repo.amendment_ids(&head).map_err(err)?;
    let clause = declaration
        .meta
        .preamble
        .first()
        .cloned()
        .ok_or("no preambular clause")?;
    println!(
        "probe: {} ({} clauses, {} amendments)",
        dir.display(),
        declaration.clauses.len(),
        ids.len()
    );
    let runs = 5;
    let rows: Vec<(&str, f64, String)> = vec![
        {
            let (ms, r) = time(runs, || DeclRepo::discover(dir).map(|_| ()));
            ("DeclRepo::discover", ms, format!("{:?}", r.is_ok()))
        },
        {
            let (ms, r) = time(runs, || repo.begin().map(drop));
            (
                "DeclRepo::begin (lock + git status)",
                ms,
                format!("{:?}", r.is_ok()),
            )
        },
        {
            let (ms, r) = time(runs, || repo.uncommitted_changes().map(|v| v.len()));
            ("  of which uncommitted_changes", ms, format!("{r:?}"))
        },
        {
            let (ms, r) = time(runs, || repo.load(&head).map(|d| d.clauses.len()));
            (
                "load(At::Rev(HEAD)) = Transaction::declaration",
                ms,
                format!("{r:?} clauses"),
            )
        },
        {
            let (ms, r) = time(runs, || repo.load(&At::WorkTree).map(|d| d.clauses.len()));
            ("load(At::WorkTree)", ms, format!("{r:?} clauses"))
        },
        {
            let (ms, r) = time(runs, || {
                repo.load_clause(&head, &clause).map(|c| c.is_some())
            });
            (
                "load_clause(At::Rev(HEAD), one clause)",
                ms,
                format!("{r:?}"),
            )
        },
        {
            let (ms, r) = time(runs, || repo.amendment_ids(&head).map(|v| v.len()));
            (
                "amendment_ids(At::Rev(HEAD)) = next_amendment_number",
                ms,
                format!("{r:?}"),
            )
        },
        {
            let id = ids.last().cloned().ok_or("no amendments")?;
            let (ms, r) = time(runs, || {
                repo.load_amendment(&head, &id).map(|a| a.is_some())
            });
            ("load_amendment(At::Rev(HEAD), one)", ms, format!("{r:?}"))
        },
        {
            let (ms, r) = time(runs.min(3), || repo.load_amendments(&head).map(|v| v.len()));
            (
                "load_amendments(At::Rev(HEAD)) = Transaction::amendments",
                ms,
                format!("{r:?}"),
            )
        },
        {
            let (ms, r) = time(runs.min(3), || {
                repo.load_amendments(&At::WorkTree).map(|v| v.len())
            });
            ("load_amendments(At::WorkTree)", ms, format!("{r:?}"))
        },
        {
            let (ms, r) = time(runs.min(3), || repo.check(&At::WorkTree).map(|v| v.len()));
            ("check(At::WorkTree)", ms, format!("{r:?} problems"))
        },
        {
            let (ms, r) = time(runs.min(3), || {
                repo.clause_history(&clause).map(|v| v.len())
            });
            (
                "clause_history (walks every commit)",
                ms,
                format!("{r:?} commits for {clause}"),
            )
        },
    ];
    for (what, ms, result) in rows {
        println!("{ms:>10.1} ms  {what}  [{result}]");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, enough for picking words and is reproducible everywhere.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Words: UN-style clauses assembled from phrases.

/// Preambular openers: the italic participle, and what follows it before the object.
const PP_OPENERS: &[(&str, &str)] = &[
    ("Recalling", ""),
    ("Reaffirming", ""),
    ("Recognizing", ""),
    ("Noting with concern", ""),
    ("Emphasizing", ""),
    ("Welcoming", ""),
    ("Bearing in mind", ""),
    ("Acknowledging", ""),
    ("Stressing", ""),
    ("Deeply concerned", "about"),
    ("Mindful", "of"),
    ("Taking note", "of"),
    ("Underlining", ""),
    ("Guided by", ""),
    ("Expressing concern", "at"),
    ("Noting with appreciation", ""),
    ("Convinced of", ""),
    ("Determined to advance", ""),
];

const REFERENCES: &[&str] = &[
    "the purposes and principles of the Charter of the United Nations",
    "the Universal Declaration of Human Rights",
    "the 2030 Agenda for Sustainable Development",
    "Security Council resolution 2178 (2014)",
    "General Assembly resolution 60/288 of 8 September 2006",
    "the United Nations Global Counter-Terrorism Strategy and its periodic reviews",
    "the Sendai Framework for Disaster Risk Reduction 2015-2030",
    "the Addis Ababa Action Agenda of the Third International Conference on Financing for Development",
    "the Global Compact for Safe, Orderly and Regular Migration",
    "the outcome documents of the previous high-level conferences",
    "the relevant regional and subregional instruments",
    "the Vienna Declaration and Programme of Action",
    "the United Nations Convention against Transnational Organized Crime and the Protocols thereto",
    "the Programme of Action on Small Arms and Light Weapons",
];

const FOCUS: &[&str] = &[
    "the importance of",
    "the central role of",
    "the need to strengthen",
    "the contribution of",
    "the growing threat posed by",
    "the primary responsibility of States for",
    "the value of",
    "the persistent gaps in",
    "the progress made in",
    "the urgent need for",
];

const NOUNS: &[&str] = &[
    "integrated border management",
    "the exchange of advance passenger information",
    "regional and international cooperation",
    "the rule of law at the national and international levels",
    "capacity-building and technical assistance",
    "mutual legal assistance in criminal matters",
    "the protection of human rights and fundamental freedoms",
    "the full, equal and meaningful participation of women",
    "the meaningful engagement of youth",
    "sustainable development and poverty eradication",
    "data protection and the right to privacy",
    "the illicit trafficking of small arms and light weapons",
    "transnational organized crime",
    "the financing of terrorism",
    "climate-related security risks",
    "public health preparedness and response",
    "the responsible use of new and emerging technologies",
    "civil society organizations",
    "partnerships with the private sector",
    "national statistical and data systems",
    "the return and reintegration of displaced persons",
    "customs cooperation and trade facilitation",
    "the security of critical infrastructure",
    "early warning and early action",
    "the prevention of violent extremism conducive to terrorism",
    "judicial and law enforcement cooperation",
    "the collection and sharing of biometric data",
    "the management of green and blue borders",
];

const QUALIFIERS: &[&str] = &[
    "in full respect of international law",
    "in accordance with the Charter of the United Nations",
    "including international human rights law, international refugee law and international humanitarian law",
    "taking into account national circumstances, capacities and priorities",
    "in close cooperation with relevant international and regional organizations",
    "through the exchange of best practices and lessons learned",
    "on a voluntary and mutually agreed basis",
    "in a manner consistent with their obligations under international law",
    "while respecting the sovereignty and territorial integrity of all States",
    "with particular attention to the needs of developing countries",
    "including through technical assistance and capacity-building",
    "as appropriate and in line with national legislation",
    "bearing in mind the different levels of development",
    "within existing resources",
    "with the support of the United Nations system",
    "in a gender-responsive and age-sensitive manner",
    "at the national, regional and international levels",
    "and with the involvement of all relevant stakeholders",
];

/// Operative openers: the italic verb, the words after it, and whether an addressee follows.
const OP_OPENERS: &[(&str, &str, bool)] = &[
    ("Call upon", "", true),
    ("Encourage", "", true),
    ("Urge", "", true),
    ("Invite", "", true),
    ("Request", "", true),
    ("Commit", "", false),
    ("Decide", "", false),
    ("Resolve", "", false),
    ("Underline", "the need", false),
    ("Stress", "the need", false),
    ("Reaffirm", "our determination", false),
    ("Pledge", "", false),
];

const ADDRESSEES: &[&str] = &[
    "all States",
    "Member States",
    "all Member States",
    "States parties",
    "the relevant United Nations entities",
    "international and regional organizations",
    "the Secretary-General",
    "the United Nations Office on Drugs and Crime",
    "international financial institutions",
    "donor countries and other development partners",
    "the competent national authorities",
    "regional and subregional organizations",
];

const VERBS: &[&str] = &[
    "strengthen",
    "enhance",
    "promote",
    "support",
    "develop",
    "implement",
    "facilitate",
    "ensure",
    "expand",
    "improve",
    "consolidate",
    "accelerate",
    "mainstream",
    "foster",
    "prioritize",
];

const GERUNDS: &[&str] = &[
    "strengthening",
    "enhancing",
    "promoting",
    "supporting",
    "developing",
    "implementing",
    "facilitating",
    "ensuring",
    "expanding",
    "improving",
];

/// Word pairs a delegation might swap; used both ways.
const SYNONYMS: &[(&str, &str)] = &[
    ("strengthen", "reinforce"),
    ("enhance", "improve"),
    ("promote", "foster"),
    ("support", "assist"),
    ("develop", "establish"),
    ("ensure", "guarantee"),
    ("expand", "broaden"),
    ("accelerate", "intensify"),
    ("relevant", "competent"),
    ("cooperation", "coordination"),
    ("international", "multilateral"),
    ("national", "domestic"),
    ("importance", "significance"),
    ("need", "necessity"),
    ("threat", "challenge"),
    ("particular", "special"),
    ("full", "strict"),
    ("all", "the"),
    ("including", "notably"),
    ("organizations", "bodies"),
    ("practices", "experiences"),
    ("developing", "least developed"),
    ("urge", "call upon"),
];

const JUSTIFICATIONS: &[&str] = &[
    "Aligns the paragraph with agreed language.",
    "Consistent with the corresponding operative paragraph.",
    "Agreed language from the previous outcome document.",
    "Streamlines the text.",
    "The current wording prejudges the outcome of ongoing discussions.",
    "Reflects the views expressed in informal consultations.",
    "Adds a necessary reference to international law.",
    "Our delegation cannot accept the mandatory language.",
    "Brings the text in line with the Charter.",
    "Clarifies the scope of the commitment.",
];

const OPPOSE_REASONS: &[&str] = &[
    "Goes beyond agreed language.",
    "Weakens the commitment.",
    "Prejudges the outcome of other negotiations.",
    "Not acceptable to our capital.",
    "Introduces new concepts without consensus.",
    "Too prescriptive.",
];

const REJECT_REASONS: &[&str] = &[
    "No consensus.",
    "Overtaken by the discussion in informal consultations.",
    "The chair's text already reflects the concern.",
    "Opposed by several delegations.",
];

const NAME_PREFIXES: &[&str] = &[
    "Republic of",
    "Kingdom of",
    "State of",
    "Federal Republic of",
    "Principality of",
    "United Republic of",
    "Democratic Republic of",
    "Commonwealth of",
];

const SYLLABLES: &[&str] = &[
    "ar", "bel", "cor", "dan", "el", "fa", "gor", "hal", "is", "ka", "lun", "mor", "nor", "os",
    "pel", "ra", "sal", "tor", "ul", "ven", "wes", "zar", "ti", "mi", "do", "re", "na", "vi",
];

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A preambular or operative paragraph of about `target` words, ending with the punctuation
/// of its part ("," or ";"), sometimes with lettered sub-paragraphs or a bracketed phrase.
fn clause_text(rng: &mut Rng, part: Part) -> (String, Vec<String>) {
    let target = rng.range(70, 90);
    let bracket_at = rng.chance(20).then(|| rng.below(3));
    let mut drafter = Drafter {
        used: Vec::new(),
        qualifiers: 0,
        bracket_at,
    };
    match part {
        Part::Preamble => {
            let (opener, after) = rng.pick(PP_OPENERS);
            let mut text = format!("*{opener}*");
            if !after.is_empty() {
                text.push(' ');
                text.push_str(after);
            }
            text.push(' ');
            if rng.chance(40) {
                text.push_str(rng.pick(REFERENCES));
            } else {
                text.push_str(drafter.fresh(rng, FOCUS));
                text.push(' ');
                text.push_str(drafter.fresh(rng, NOUNS));
            }
            while words(&text) < target {
                match rng.below(3) {
                    0 => {
                        text.push_str(", ");
                        text.push_str(&drafter.qualifier(rng));
                    }
                    1 => {
                        text.push_str(", and ");
                        text.push_str(drafter.fresh(rng, FOCUS));
                        text.push(' ');
                        text.push_str(drafter.fresh(rng, NOUNS));
                    }
                    _ => {
                        text.push_str(", including ");
                        text.push_str(drafter.fresh(rng, NOUNS));
                    }
                }
            }
            text.push(',');
            (text, Vec::new())
        }
        Part::Operative => {
            let (opener, after, addressed) = rng.pick(OP_OPENERS);
            let mut text = format!("*{opener}*");
            if !after.is_empty() {
                text.push(' ');
                text.push_str(after);
            }
            if addressed {
                text.push(' ');
                text.push_str(rng.pick(ADDRESSEES));
            }
            text.push_str(" to ");
            text.push_str(drafter.fresh(rng, VERBS));
            text.push(' ');
            text.push_str(drafter.fresh(rng, NOUNS));
            let with_subparagraphs = rng.chance(15);
            let text_target = if with_subparagraphs {
                target / 2
            } else {
                target
            };
            while words(&text) < text_target {
                match rng.below(3) {
                    0 => {
                        text.push_str(", ");
                        text.push_str(&drafter.qualifier(rng));
                    }
                    1 => {
                        text.push_str(", and to ");
                        text.push_str(drafter.fresh(rng, VERBS));
                        text.push(' ');
                        text.push_str(drafter.fresh(rng, NOUNS));
                    }
                    _ => {
                        text.push_str(", including ");
                        text.push_str(drafter.fresh(rng, NOUNS));
                    }
                }
            }
            if !with_subparagraphs {
                text.push(';');
                return (text, Vec::new());
            }
            text.push_str(", inter alia:");
            let count = rng.range(2, 4);
            let mut subparagraphs = Vec::new();
            for _ in 0..count {
                let mut sub = format!(
                    "by {} {}",
                    drafter.fresh(rng, GERUNDS),
                    drafter.fresh(rng, NOUNS)
                );
                if rng.chance(50) {
                    sub.push_str(", ");
                    sub.push_str(drafter.fresh(rng, QUALIFIERS));
                }
                sub.push(';');
                subparagraphs.push(sub);
            }
            (text, subparagraphs)
        }
    }
}

/// Picks phrases for one paragraph, each at most once (a drafter does not repeat herself),
/// and puts one qualifier in square brackets when asked.
struct Drafter {
    used: Vec<&'static str>,
    qualifiers: usize,
    bracket_at: Option<usize>,
}

impl Drafter {
    fn fresh(&mut self, rng: &mut Rng, list: &[&'static str]) -> &'static str {
        let mut phrase = rng.pick(list);
        for _ in 0..8 {
            if !self.used.contains(&phrase) {
                break;
            }
            phrase = rng.pick(list);
        }
        self.used.push(phrase);
        phrase
    }

    fn qualifier(&mut self, rng: &mut Rng) -> String {
        let q = self.fresh(rng, QUALIFIERS);
        self.qualifiers += 1;
        if self.bracket_at == Some(self.qualifiers - 1) {
            format!("[{q}]")
        } else {
            q.to_owned()
        }
    }
}

fn synonym(word: &str) -> Option<&'static str> {
    SYNONYMS.iter().find_map(|(a, b)| {
        if *a == word {
            Some(*b)
        } else if *b == word {
            Some(*a)
        } else {
            None
        }
    })
}

/// Splits a token into its word and trailing punctuation.
fn split_punctuation(token: &str) -> (&str, &str) {
    let end = token.trim_end_matches([',', ';', ':', '.']).len();
    token.split_at(end)
}

/// Swaps up to `max` words of `text` (first occurrences) for their synonyms.
fn swap_words(rng: &mut Rng, text: &str, max: usize) -> String {
    let tokens: Vec<&str> = text.split(' ').collect();
    let candidates: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, token)| {
            !token.contains(['*', '[', ']', '(', ')'])
                && synonym(split_punctuation(token).0).is_some()
        })
        .map(|(idx, _)| idx)
        .collect();
    if candidates.is_empty() {
        return text.to_owned();
    }
    let mut chosen = Vec::new();
    for _ in 0..max {
        chosen.push(rng.pick(&candidates));
    }
    tokens
        .iter()
        .enumerate()
        .map(|(idx, token)| {
            if chosen.contains(&idx) {
                let (word, punctuation) = split_punctuation(token);
                format!("{}{punctuation}", synonym(word).unwrap_or(word))
            } else {
                (*token).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_plain(token: &str) -> bool {
    !token.is_empty() && !token.contains(['*', '[', ']', '(', ')'])
}

fn occurs_once(wording: &str, span: &str) -> bool {
    !span.is_empty() && wording.matches(span).count() == 1
}

/// A span edit a delegation might propose: `(span, replacement)`, where the span occurs
/// exactly once in `wording` and both keep the square brackets balanced.
fn span_edit(rng: &mut Rng, wording: &str) -> Option<(String, String)> {
    let mode = rng.below(100);
    let phrase_swap = |rng: &mut Rng, list: &[&'static str]| {
        let present: Vec<&str> = list
            .iter()
            .copied()
            .filter(|phrase| occurs_once(wording, phrase))
            .collect();
        if present.is_empty() {
            return None;
        }
        let span = rng.pick(&present);
        let mut replacement = rng.pick(list);
        while replacement == span {
            replacement = rng.pick(list);
        }
        Some((span.to_owned(), replacement.to_owned()))
    };
    let found = match mode {
        0..45 => synonym_edit(rng, wording),
        45..65 => phrase_swap(rng, NOUNS),
        65..75 => phrase_swap(rng, QUALIFIERS),
        75..85 => {
            // "to strengthen" -> "to further strengthen"
            let present: Vec<String> = VERBS
                .iter()
                .map(|verb| format!("to {verb}"))
                .filter(|span| occurs_once(wording, span))
                .collect();
            if present.is_empty() {
                None
            } else {
                let span = present[rng.below(present.len())].clone();
                let adverb = rng.pick(&["further", "effectively", "continue to"]);
                let replacement = format!("to {adverb} {}", &span[3..]);
                Some((span, replacement))
            }
        }
        _ => None,
    };
    found
        .or_else(|| synonym_edit(rng, wording))
        .or_else(|| bracket_edit(rng, wording))
}

/// Two to six words around one that has a synonym, with that word swapped.
fn synonym_edit(rng: &mut Rng, wording: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = wording.lines().collect();
    for _ in 0..8 {
        let tokens: Vec<&str> = rng.pick(&lines).split(' ').collect();
        let candidates: Vec<usize> = (0..tokens.len())
            .filter(|&i| is_plain(tokens[i]) && synonym(split_punctuation(tokens[i]).0).is_some())
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let at = rng.pick(&candidates);
        let mut start = at.saturating_sub(rng.below(3));
        let mut end = (at + 1 + rng.below(3)).min(tokens.len());
        loop {
            while !tokens[start..end].iter().all(|t| is_plain(t)) && start < at {
                start += 1;
            }
            while !tokens[start..end].iter().all(|t| is_plain(t)) && end > at + 1 {
                end -= 1;
            }
            let span = tokens[start..end].join(" ");
            if occurs_once(wording, &span) && end - start >= 2 {
                let replacement = tokens[start..end]
                    .iter()
                    .enumerate()
                    .map(|(offset, token)| {
                        if start + offset == at {
                            let (word, punctuation) = split_punctuation(token);
                            format!("{}{punctuation}", synonym(word).unwrap_or(word))
                        } else {
                            (*token).to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                return Some((span, replacement));
            }
            // Widen until unique, as far as plain words go.
            let can_left = start > 0 && is_plain(tokens[start - 1]);
            let can_right = end < tokens.len() && is_plain(tokens[end]);
            if can_right {
                end += 1;
            } else if can_left {
                start -= 1;
            } else {
                break;
            }
        }
    }
    None
}

/// Two to five plain words put in square brackets: not agreed.
fn bracket_edit(rng: &mut Rng, wording: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = wording.lines().collect();
    for _ in 0..12 {
        let tokens: Vec<&str> = rng.pick(&lines).split(' ').collect();
        let len = rng.range(2, 5).min(tokens.len());
        if len < 2 {
            continue;
        }
        let start = rng.below(tokens.len() - len + 1);
        let window = &tokens[start..start + len];
        if !window.iter().all(|t| is_plain(t)) {
            continue;
        }
        let span = window.join(" ");
        if occurs_once(wording, &span) {
            let (body, punctuation) = split_punctuation(&span);
            return Some((span.clone(), format!("[{body}]{punctuation}")));
        }
    }
    None
}

/// The chair's compromise on a span edit: the proposal with other words swapped, or the
/// proposal in square brackets.
fn modified_replacement(rng: &mut Rng, span: &str, proposed: &str) -> String {
    let swapped = swap_words(rng, proposed, 2);
    if swapped != proposed && swapped != span {
        return swapped;
    }
    if proposed.contains(['[', ']']) {
        return span.to_owned() + " as appropriate";
    }
    let (body, punctuation) = split_punctuation(proposed);
    format!("[{body}]{punctuation}")
}

/// A redrafted whole wording: a few words swapped and a qualifier added to the first line.
fn redraft(rng: &mut Rng, wording: &str) -> String {
    let mut lines: Vec<String> = wording.lines().map(str::to_owned).collect();
    let first = swap_words(rng, &lines[0], 3);
    let (body, punctuation) = split_punctuation(&first);
    let (body, punctuation) = match body.strip_suffix(", inter alia") {
        Some(body) => (body.to_owned(), format!(", inter alia{punctuation}")),
        None => (body.to_owned(), punctuation.to_owned()),
    };
    lines[0] = format!("{body}, {}{punctuation}", rng.pick(QUALIFIERS));
    // Sub-paragraph lines keep their labels: the wording format strips and re-derives them.
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------
// The generator's own view of the negotiation, to choose actions that the rules allow.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Tabled,
    Withdrawn,
    Accepted,
    AcceptedAsModified,
    Rejected,
    Applied,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Tabled => "tabled",
            Status::Withdrawn => "withdrawn",
            Status::Accepted => "accepted",
            Status::AcceptedAsModified => "accepted-as-modified",
            Status::Rejected => "rejected",
            Status::Applied => "applied",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Accept,
    AcceptModified,
    Reject,
    Withdraw,
    Leave,
}

#[derive(Debug, Clone)]
enum Op {
    Span {
        clause: ClauseId,
        span: String,
        text: String,
    },
    Whole {
        clause: ClauseId,
        text: String,
    },
    Insert {
        anchor: Option<ClauseId>,
        before: bool,
        part: Part,
        text: String,
    },
    Delete {
        clause: ClauseId,
    },
    Move {
        clause: ClauseId,
        anchor: ClauseId,
    },
}

impl Op {
    fn target(&self) -> Option<&ClauseId> {
        match self {
            Op::Span { clause, .. }
            | Op::Whole { clause, .. }
            | Op::Delete { clause }
            | Op::Move { clause, .. } => Some(clause),
            Op::Insert { .. } => None,
        }
    }

    fn anchor(&self) -> Option<&ClauseId> {
        match self {
            Op::Insert { anchor, .. } => anchor.as_ref(),
            Op::Move { anchor, .. } => Some(anchor),
            _ => None,
        }
    }
}

struct Amd {
    id: AmendmentId,
    proposer: usize,
    op: Op,
    /// The target's wording hash when proposed.
    base_hash: Option<String>,
    status: Status,
    /// Delegations (indices) that proposed, co-sponsored, supported or opposed it.
    involved: Vec<usize>,
    fate: Fate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    React { amendment: usize, kind: u8 },
    Decide { amendment: usize },
}

/// CPU time this thread has used (Linux: /proc/thread-self/schedstat), or zero where that is
/// unavailable. Wall-clock time alone misleads on a shared machine.
fn cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// Time spent in `perform` (wall clock and CPU), by kind of action.
#[derive(Default)]
struct Timing {
    by_kind: BTreeMap<&'static str, (usize, Duration, Duration)>,
}

impl Timing {
    fn add(&mut self, kind: &'static str, elapsed: Duration, cpu: Duration) {
        let entry = self.by_kind.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += elapsed;
        entry.2 += cpu;
    }

    fn total(&self) -> (usize, Duration, Duration) {
        self.by_kind.values().fold(
            (0, Duration::ZERO, Duration::ZERO),
            |(n, d, c), (m, e, u)| (n + m, d + *e, c + *u),
        )
    }

    /// "propose 120 x 8.1 ms (cpu 6.0)".
    fn summary(&self) -> String {
        let ms = |d: &Duration, n: usize| d.as_secs_f64() * 1000.0 / n.max(1) as f64;
        self.by_kind
            .iter()
            .map(|(kind, (n, wall, cpu))| {
                format!(
                    "{kind} {n} x {:.1} ms (cpu {:.1})",
                    ms(wall, *n),
                    ms(cpu, *n)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

struct Generator<'a> {
    repo: &'a DeclRepo,
    bulk: &'a Bulk<'a>,
    dir: PathBuf,
    rng: Rng,
    clock: DateTime<FixedOffset>,
    codes: Vec<DelegationCode>,
    chair: DelegationCode,
    secretariat: DelegationCode,
    declaration: Declaration,
    amendments: Vec<Amd>,
    /// Clauses and anchors touched by amendments accepted since the last cut.
    touched: Vec<ClauseId>,
    revision: usize,
    commits: usize,
    actions_since_pack: usize,
    pack_every: usize,
    progress: usize,
    started: Instant,
    timing: Timing,
    window: Timing,
    pack_time: Duration,
    failures: BTreeMap<String, usize>,
}

impl Generator<'_> {
    fn run(dir: &Path, config: Config, progress: usize, pack_every: usize) -> Result<(), String> {
        let started = Instant::now();
        let mut rng = Rng::new(config.seed);
        let repo = DeclRepo::create(dir).map_err(|e| e.to_string())?;
        // The committer: the secretariat's machine, whoever runs the generator.
        let git_config = dir.join(".git").join("config");
        let mut text = std::fs::read_to_string(&git_config).map_err(|e| e.to_string())?;
        text.push_str(
            "[user]\n\tname = Secretariat\n\temail = sec@delegation.invalid\n[gc]\n\tautoDetach = false\n",
        );
        std::fs::write(&git_config, text).map_err(|e| e.to_string())?;

        let chair: DelegationCode = "CHAIR".parse().map_err(|e| format!("{e}"))?;
        let secretariat: DelegationCode = "SEC".parse().map_err(|e| format!("{e}"))?;
        let mut delegations = vec![
            Delegation {
                code: chair.clone(),
                name: "Chair of the Conference".into(),
                role: Role::Chair,
                email: None,
                keys: Vec::new(),
            },
            Delegation {
                code: secretariat.clone(),
                name: "Secretariat of the Conference".into(),
                role: Role::Secretariat,
                email: None,
                keys: Vec::new(),
            },
        ];
        let mut codes = Vec::new();
        for idx in 1..=config.delegations {
            let code: DelegationCode = format!("D{idx:03}").parse().map_err(|e| format!("{e}"))?;
            let syllables = rng.range(2, 3);
            let name: String = (0..syllables).map(|_| rng.pick(SYLLABLES)).collect();
            delegations.push(Delegation {
                code: code.clone(),
                name: format!("{} {}ia", rng.pick(NAME_PREFIXES), capitalise(&name)),
                role: Role::Member,
                email: None,
                keys: Vec::new(),
            });
            codes.push(code);
        }

        let preambular = (config.clauses / 4).max(1);
        let id_width = if config.clauses >= 1000 { 4 } else { 3 };
        let mut meta = DeclarationMeta {
            title: format!(
                "Generated Declaration on Sustainable Development, Security and Cooperation (seed {})",
                config.seed
            ),
            short_title: "Generated Declaration".into(),
            symbol: "GEN/2025/1".into(),
            conference: "Generated International Conference on Sustainable Development, Security and Cooperation".into(),
            place: "Geneva".into(),
            dates: ConferenceDates {
                from: NaiveDate::from_ymd_opt(2025, 6, 16).expect("valid date"),
                to: NaiveDate::from_ymd_opt(2025, 6, 20),
            },
            languages: vec!["en".into()],
            style: DocumentStyle::Declaration,
            chapeau: "We, the Heads of State and Government and high representatives, gathered \
                      in Geneva from 16 to 20 June 2025,"
                .into(),
            preamble: Vec::new(),
            operative: Vec::new(),
            adopted: None,
        };
        let mut clauses = BTreeMap::new();
        for idx in 0..config.clauses {
            let (part, prefix, number) = if idx < preambular {
                (Part::Preamble, "pp", idx + 1)
            } else {
                (Part::Operative, "op", idx + 1 - preambular)
            };
            let id: ClauseId = format!("{prefix}-{number:0id_width$}")
                .parse()
                .map_err(|e| format!("{e}"))?;
            let (text, subparagraphs) = clause_text(&mut rng, part);
            let bracketed = text.contains('[');
            clauses.insert(
                id.clone(),
                Clause {
                    kind: part.kind(),
                    status: if bracketed {
                        ClauseStatus::Bracketed
                    } else {
                        ClauseStatus::Draft
                    },
                    text,
                    subparagraphs,
                    notes: None,
                },
            );
            match part {
                Part::Preamble => meta.preamble.push(id),
                Part::Operative => meta.operative.push(id),
            }
        }

        let offset = FixedOffset::east_opt(3600).expect("valid offset");
        let clock = offset
            .with_ymd_and_hms(2025, 1, 13, 9, 0, 0)
            .single()
            .expect("valid time");
        let secretariat_delegation = delegations[1].clone();
        let mut tx = repo.begin().map_err(|e| e.to_string())?;
        tx.put_meta(&meta).map_err(|e| e.to_string())?;
        tx.put_delegations(&delegations)
            .map_err(|e| e.to_string())?;
        for (id, clause) in &clauses {
            tx.put_clause(id, clause).map_err(|e| e.to_string())?;
        }
        tx.commit(
            &secretariat_delegation,
            clock,
            "SEC circulates the zero draft\n\nDecl-Action: zero-draft\n",
            Some(NewTag {
                name: "zero-draft".into(),
                label: "Zero draft".into(),
            }),
        )
        .map_err(|e| e.to_string())?;
        let declaration = Declaration {
            meta,
            delegations,
            clauses,
        };
        println!(
            "generate: seed {}, {} clauses, {} delegations, {} amendments, {} revisions -> {}",
            config.seed,
            config.clauses,
            config.delegations,
            config.amendments,
            config.revisions,
            dir.display()
        );

        repo.in_bulk(|repo, bulk| {
            let mut generator = Generator {
                repo,
                bulk,
                dir: dir.to_owned(),
                rng,
                clock,
                codes,
                chair,
                secretariat,
                declaration,
                amendments: Vec::new(),
                touched: Vec::new(),
                revision: 0,
                commits: 1,
                actions_since_pack: 0,
                pack_every,
                progress,
                started,
                timing: Timing::default(),
                window: Timing::default(),
                pack_time: Duration::ZERO,
                failures: BTreeMap::new(),
            };
            generator.negotiate(&config)?;
            generator.finish()
        })
        .map_err(|e| e.to_string())?
    }

    /// Proposals in `revisions` periods; reactions and decisions follow each proposal after a
    /// seeded delay (in proposals), some spilling over a cut; each period ends with a cut.
    fn negotiate(&mut self, config: &Config) -> Result<(), String> {
        let mut queue: BinaryHeap<std::cmp::Reverse<(usize, u64, Event)>> = BinaryHeap::new();
        let mut sequence = 0u64;
        let mut proposed = 0usize;
        let mut deferred: Vec<usize> = Vec::new();
        for period in 0..config.revisions {
            let count = config.amendments / config.revisions
                + usize::from(period < config.amendments % config.revisions);
            let react_delay = (count / 100).max(1);
            let decide_delay = (count / 4).max(2);
            for _ in 0..count {
                while let Some(std::cmp::Reverse((due, _, _))) = queue.peek() {
                    if *due > proposed {
                        break;
                    }
                    let std::cmp::Reverse((_, _, event)) = queue.pop().expect("peeked");
                    if self.handle(event)?
                        && let Event::Decide { amendment } = event
                    {
                        deferred.push(amendment);
                    }
                }
                let index = self.propose()?;
                let reactions = match self.rng.below(100) {
                    0..20 => 0,
                    20..55 => 1,
                    55..85 => 2,
                    _ => 3,
                };
                for _ in 0..reactions {
                    let kind = match self.rng.below(100) {
                        0..55 => 0,
                        55..90 => 1,
                        _ => 2,
                    };
                    let due = proposed + self.rng.range(1, react_delay);
                    sequence += 1;
                    queue.push(std::cmp::Reverse((
                        due,
                        sequence,
                        Event::React {
                            amendment: index,
                            kind,
                        },
                    )));
                }
                if self.amendments[index].fate != Fate::Leave {
                    let due = proposed + react_delay + self.rng.range(1, decide_delay);
                    sequence += 1;
                    queue.push(std::cmp::Reverse((
                        due,
                        sequence,
                        Event::Decide { amendment: index },
                    )));
                }
                proposed += 1;
            }
            // Whatever was due before the end of the period happens before the cut.
            while let Some(std::cmp::Reverse((due, _, _))) = queue.peek() {
                if *due > proposed {
                    break;
                }
                let std::cmp::Reverse((_, _, event)) = queue.pop().expect("peeked");
                if self.handle(event)?
                    && let Event::Decide { amendment } = event
                {
                    deferred.push(amendment);
                }
            }
            self.cut()?;
            // Decisions the chair held back because the paragraph was already being changed
            // come early in the next period.
            let react_delay = (config.amendments / config.revisions / 100).max(1);
            for amendment in deferred.drain(..) {
                sequence += 1;
                let due = proposed + self.rng.range(1, 2 * react_delay);
                queue.push(std::cmp::Reverse((
                    due,
                    sequence,
                    Event::Decide { amendment },
                )));
            }
        }
        Ok(())
    }

    fn tick(&mut self) -> DateTime<FixedOffset> {
        self.clock += chrono::Duration::minutes(self.rng.range(1, 15) as i64);
        self.clock
    }

    /// Performs one action; a refusal is counted (it would be a bug in the generator) and
    /// reported at the end, never hidden.
    fn act(
        &mut self,
        kind: &'static str,
        actor: &DelegationCode,
        action: Action,
    ) -> Result<Option<decl::actions::Outcome>, String> {
        let at = self.tick();
        let (started, cpu_started) = (Instant::now(), cpu_time());
        let result = perform(self.repo, actor, at, action);
        let (elapsed, cpu) = (started.elapsed(), cpu_time().saturating_sub(cpu_started));
        match result {
            Ok(outcome) => {
                self.timing.add(kind, elapsed, cpu);
                self.window.add(kind, elapsed, cpu);
                self.commits += 1;
                self.actions_since_pack += 1;
                if self.actions_since_pack >= self.pack_every {
                    self.pack()?;
                }
                let (done, _, _) = self.timing.total();
                if done % self.progress == 0 {
                    self.report_progress();
                }
                Ok(Some(outcome))
            }
            Err(error @ (ActionError::Store(_) | ActionError::Conflicts(_))) => {
                Err(format!("{kind} by {actor} failed: {error}"))
            }
            Err(error) => {
                let message = format!("{kind}: {error}");
                *self.failures.entry(message).or_default() += 1;
                Ok(None)
            }
        }
    }

    /// Writes the objects held in memory as a pack, then lets git tidy up as it would after
    /// a commit (`git gc --auto` joins the packs once there are too many).
    fn pack(&mut self) -> Result<(), String> {
        self.actions_since_pack = 0;
        let started = Instant::now();
        self.bulk.write_pack().map_err(|e| e.to_string())?;
        self.git(&["gc", "--auto", "--quiet"])?;
        self.pack_time += started.elapsed();
        Ok(())
    }

    fn git(&self, args: &[&str]) -> Result<(), String> {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !status.success() {
            return Err(format!("git {} failed: {status}", args.join(" ")));
        }
        Ok(())
    }

    fn report_progress(&mut self) {
        let (done, _, _) = self.timing.total();
        let (window_count, window_time, window_cpu) = self.window.total();
        let tabled = self
            .amendments
            .iter()
            .filter(|a| a.status == Status::Tabled)
            .count();
        println!(
            "[{:>7.1}s] {done:>6} actions, {} amendments ({tabled} tabled), rev{}; last {window_count}: {:.1} ms/action, cpu {:.1} ({})",
            self.started.elapsed().as_secs_f64(),
            self.amendments.len(),
            self.revision,
            window_time.as_secs_f64() * 1000.0 / window_count.max(1) as f64,
            window_cpu.as_secs_f64() * 1000.0 / window_count.max(1) as f64,
            self.window.summary()
        );
        self.window = Timing::default();
    }

    fn clause_ids(&self, part: Option<Part>) -> Vec<ClauseId> {
        let mut ids = Vec::new();
        for p in [Part::Preamble, Part::Operative] {
            if part.is_none_or(|wanted| wanted == p) {
                ids.extend(self.declaration.order(p).iter().cloned());
            }
        }
        ids
    }

    /// A target clause: a third of the time one of a few "hot" paragraphs, which collect many
    /// amendments, as contested paragraphs do.
    fn pick_clause(&mut self) -> ClauseId {
        let ids = self.clause_ids(None);
        let hot = (ids.len() / 100).max(3);
        if self.rng.chance(25) {
            ids[self.rng.below(hot)].clone()
        } else {
            ids[self.rng.below(ids.len())].clone()
        }
    }

    fn pick_member(&mut self, not: &[usize]) -> Option<usize> {
        if not.len() >= self.codes.len() {
            return None;
        }
        loop {
            let idx = self.rng.below(self.codes.len());
            if !not.contains(&idx) {
                return Some(idx);
            }
        }
    }

    /// Proposes one amendment, mostly span replacements, sometimes whole replacements,
    /// insertions, deletions and moves; returns its index in `self.amendments`.
    fn propose(&mut self) -> Result<usize, String> {
        let proposer = self.rng.below(self.codes.len());
        let op = match self.rng.below(100) {
            // 70%: replace a span that occurs exactly once.
            0..70 => {
                let clause = self.pick_clause();
                let wording = self.declaration.clauses[&clause].wording();
                span_edit(&mut self.rng, &wording).map(|(span, text)| Op::Span {
                    clause,
                    span,
                    text,
                })
            }
            // 12%: replace the whole wording (below).
            70..82 => None,
            // 9%: insert a new paragraph after or before another, or at the end of a part.
            82..91 => {
                let ids = self.clause_ids(None);
                let roll = self.rng.below(10);
                let (anchor, before, part) = if roll == 0 {
                    let part = if self.rng.chance(25) {
                        Part::Preamble
                    } else {
                        Part::Operative
                    };
                    (None, false, part)
                } else {
                    let anchor = ids[self.rng.below(ids.len())].clone();
                    let part = self.declaration.part_of(&anchor).unwrap_or(Part::Operative);
                    (Some(anchor), roll == 1, part)
                };
                let (mut text, subparagraphs) = clause_text(&mut self.rng, part);
                for sub in subparagraphs {
                    text.push('\n');
                    text.push_str(&sub);
                }
                Some(Op::Insert {
                    anchor,
                    before,
                    part,
                    text,
                })
            }
            // 3%: delete a paragraph.
            91..94 => {
                let ids = self.clause_ids(None);
                (ids.len() > 8).then(|| Op::Delete {
                    clause: ids[self.rng.below(ids.len())].clone(),
                })
            }
            // 6%: move a paragraph within its part.
            _ => {
                let part = if self.rng.chance(25) {
                    Part::Preamble
                } else {
                    Part::Operative
                };
                let ids = self.clause_ids(Some(part));
                (ids.len() >= 3).then(|| {
                    let from = self.rng.below(ids.len());
                    let mut to = self.rng.below(ids.len());
                    while to == from {
                        to = self.rng.below(ids.len());
                    }
                    Op::Move {
                        clause: ids[from].clone(),
                        anchor: ids[to].clone(),
                    }
                })
            }
        };
        let op = match op {
            Some(op) => op,
            None => {
                let clause = self.pick_clause();
                let wording = self.declaration.clauses[&clause].wording();
                let mut text = redraft(&mut self.rng, &wording);
                if text == wording {
                    text.push_str(" [as appropriate]");
                }
                Op::Whole { clause, text }
            }
        };
        self.propose_op(proposer, op)
    }

    fn propose_op(&mut self, proposer: usize, op: Op) -> Result<usize, String> {
        let mut cosponsors = Vec::new();
        let mut involved = vec![proposer];
        if self.rng.chance(15) {
            for _ in 0..self.rng.range(1, 2) {
                if let Some(idx) = self.pick_member(&involved) {
                    involved.push(idx);
                    cosponsors.push(self.codes[idx].clone());
                }
            }
        }
        let justification = self
            .rng
            .chance(60)
            .then(|| self.rng.pick(JUSTIFICATIONS).to_string());
        let (target, text, span) = match &op {
            Op::Span { clause, span, text } => (
                Target::Replace(clause.clone()),
                Some(text.clone()),
                Some(span.clone()),
            ),
            Op::Whole { clause, text } => {
                (Target::Replace(clause.clone()), Some(text.clone()), None)
            }
            Op::Insert {
                anchor,
                before,
                part,
                text,
            } => {
                let position = match anchor {
                    Some(anchor) if *before => Position::Before(anchor.clone()),
                    Some(anchor) => Position::After(anchor.clone()),
                    None => Position::End(*part),
                };
                (Target::Insert(position), Some(text.clone()), None)
            }
            Op::Delete { clause } => (Target::Delete(clause.clone()), None, None),
            Op::Move { clause, anchor } => {
                let position = if self.rng.chance(50) {
                    Position::After(anchor.clone())
                } else {
                    Position::Before(anchor.clone())
                };
                (Target::Move(clause.clone(), position), None, None)
            }
        };
        let base_hash = op
            .target()
            .and_then(|id| self.declaration.clauses.get(id))
            .map(Clause::wording_hash);
        let fate = match self.rng.below(100) {
            0..45 => Fate::Accept,
            45..55 => Fate::AcceptModified,
            55..80 => Fate::Reject,
            80..88 => Fate::Withdraw,
            _ => Fate::Leave,
        };
        let code = self.codes[proposer].clone();
        let outcome = self.act(
            "propose",
            &code,
            Action::Propose(Proposal {
                target,
                text,
                span,
                justification,
                cosponsors,
                new_id: None,
            }),
        )?;
        let Some(outcome) = outcome else {
            return Err("a proposal was refused; see the failures below".into());
        };
        let id = outcome
            .amendment
            .ok_or("a proposal returned no amendment id")?;
        self.amendments.push(Amd {
            id,
            proposer,
            op,
            base_hash,
            status: Status::Tabled,
            involved,
            fate,
        });
        Ok(self.amendments.len() - 1)
    }

    /// Handles one event; returns true when a decision must wait for the next revision.
    fn handle(&mut self, event: Event) -> Result<bool, String> {
        match event {
            Event::React { amendment, kind } => {
                if self.amendments[amendment].status != Status::Tabled {
                    return Ok(false);
                }
                let involved = self.amendments[amendment].involved.clone();
                let Some(who) = self.pick_member(&involved) else {
                    return Ok(false);
                };
                let (name, act) = match kind {
                    0 => ("support", Act::Support),
                    1 => (
                        "oppose",
                        Act::Oppose {
                            reason: self
                                .rng
                                .chance(50)
                                .then(|| self.rng.pick(OPPOSE_REASONS).to_string()),
                        },
                    ),
                    _ => ("cosponsor", Act::Cosponsor),
                };
                let id = self.amendments[amendment].id.clone();
                let code = self.codes[who].clone();
                if self.act(name, &code, Action::Act { id, act })?.is_some() {
                    self.amendments[amendment].involved.push(who);
                }
            }
            Event::Decide { amendment } => {
                if self.amendments[amendment].status != Status::Tabled {
                    return Ok(false);
                }
                let fate = self.amendments[amendment].fate;
                let id = self.amendments[amendment].id.clone();
                match fate {
                    Fate::Withdraw => {
                        let code = self.codes[self.amendments[amendment].proposer].clone();
                        let action = Action::Act {
                            id,
                            act: Act::Withdraw,
                        };
                        if self.act("withdraw", &code, action)?.is_some() {
                            self.amendments[amendment].status = Status::Withdrawn;
                        }
                    }
                    Fate::Reject => self.reject(amendment, None)?,
                    Fate::Accept | Fate::AcceptModified => return self.accept(amendment, fate),
                    Fate::Leave => {}
                }
            }
        }
        Ok(false)
    }

    fn reject(&mut self, amendment: usize, reason: Option<String>) -> Result<(), String> {
        let reason = reason.or_else(|| {
            self.rng
                .chance(60)
                .then(|| self.rng.pick(REJECT_REASONS).to_string())
        });
        let id = self.amendments[amendment].id.clone();
        let chair = self.chair.clone();
        let action = Action::Act {
            id,
            act: Act::Reject { reason },
        };
        if self.act("reject", &chair, action)?.is_some() {
            self.amendments[amendment].status = Status::Rejected;
        }
        Ok(())
    }

    /// Accepts when the next cut can apply it; defers it (returns true) when another amendment
    /// accepted since the last cut touches the same clauses; rejects it when the text has
    /// overtaken it.
    fn accept(&mut self, amendment: usize, fate: Fate) -> Result<bool, String> {
        let op = self.amendments[amendment].op.clone();
        let base_hash = self.amendments[amendment].base_hash.clone();
        let clauses = &self.declaration.clauses;
        let exists = |id: &ClauseId| clauses.contains_key(id);
        if [op.target(), op.anchor()]
            .into_iter()
            .flatten()
            .any(|id| self.touched.contains(id))
        {
            return Ok(true);
        }
        let mut ok = op.target().is_none_or(exists) && op.anchor().is_none_or(exists);
        let mut modified = fate == Fate::AcceptModified;
        if ok {
            match &op {
                Op::Span { clause, span, .. } => {
                    let wording = clauses[clause].wording();
                    ok = wording.matches(span.as_str()).count() == 1;
                }
                Op::Whole { clause, .. } => {
                    // A whole replacement drafted on an older text can only be accepted with
                    // the chair's wording against the current one.
                    if Some(clauses[clause].wording_hash()) != base_hash {
                        modified = true;
                    }
                }
                Op::Move { clause, anchor } => {
                    ok = self.declaration.part_of(clause) == self.declaration.part_of(anchor);
                }
                Op::Insert { .. } | Op::Delete { .. } => {}
            }
        }
        if !ok {
            self.reject(
                amendment,
                Some("Overtaken by the current text: the paragraph has changed.".into()),
            )?;
            return Ok(false);
        }
        let modified_text = if modified {
            match &op {
                Op::Span { span, text, .. } => {
                    Some(modified_replacement(&mut self.rng, span, text))
                }
                Op::Whole { clause, .. } => {
                    let wording = self.declaration.clauses[clause].wording();
                    Some(redraft(&mut self.rng, &wording))
                }
                Op::Insert { text, .. } => Some(redraft(&mut self.rng, text)),
                Op::Delete { .. } | Op::Move { .. } => None,
            }
        } else {
            None
        };
        let touched: Vec<ClauseId> = [op.target(), op.anchor()]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let status = if modified_text.is_some() {
            Status::AcceptedAsModified
        } else {
            Status::Accepted
        };
        let id = self.amendments[amendment].id.clone();
        let chair = self.chair.clone();
        let action = Action::Act {
            id,
            act: Act::Accept {
                modified: modified_text.map(decl::model::Modification::of_proposal),
            },
        };
        if self.act("accept", &chair, action)?.is_some() {
            self.amendments[amendment].status = status;
            self.touched.extend(touched);
        }
        Ok(false)
    }

    /// Cuts the next revision, then tidies up what it overtook and marks some clauses agreed.
    fn cut(&mut self) -> Result<(), String> {
        self.revision += 1;
        let secretariat = self.secretariat.clone();
        let action = Action::Cut {
            name: format!("rev{}", self.revision),
            label: Some(format!("Rev.{}", self.revision)),
            adoption: Adoption::None,
        };
        if self.act("cut", &secretariat, action)?.is_none() {
            return Err(format!("rev{} could not be cut", self.revision));
        }
        for amd in &mut self.amendments {
            if matches!(amd.status, Status::Accepted | Status::AcceptedAsModified) {
                amd.status = Status::Applied;
            }
        }
        self.touched.clear();
        self.declaration = self
            .repo
            .load(&At::Rev("HEAD".into()))
            .map_err(|e| e.to_string())?;

        // Amendments to clauses that no longer exist cannot be decided on their merits.
        let overtaken: Vec<usize> = (0..self.amendments.len())
            .filter(|&idx| {
                let amd = &self.amendments[idx];
                amd.status == Status::Tabled
                    && [amd.op.target(), amd.op.anchor()]
                        .into_iter()
                        .flatten()
                        .any(|id| !self.declaration.clauses.contains_key(id))
            })
            .collect();
        for idx in overtaken {
            let reason = format!(
                "Overtaken by Rev.{}: the paragraph was deleted.",
                self.revision
            );
            self.reject(idx, Some(reason))?;
        }

        // The chair records agreement on some unbracketed paragraphs.
        let candidates: Vec<ClauseId> = self
            .clause_ids(None)
            .into_iter()
            .filter(|id| {
                let clause = &self.declaration.clauses[id];
                clause.status != ClauseStatus::Agreed
                    && clause.brackets().is_ok_and(|spans| spans.is_empty())
            })
            .collect();
        if !candidates.is_empty() {
            let count = (candidates.len() / 20).max(1);
            let mut chosen: Vec<ClauseId> = Vec::new();
            for _ in 0..count {
                let id = candidates[self.rng.below(candidates.len())].clone();
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            let chair = self.chair.clone();
            let status = if self.revision % 2 == 1 {
                ClauseStatus::AgreedAdRef
            } else {
                ClauseStatus::Agreed
            };
            self.act(
                "mark",
                &chair,
                Action::Mark {
                    status,
                    clauses: chosen,
                },
            )?;
            self.declaration = self
                .repo
                .load(&At::Rev("HEAD".into()))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), String> {
        // The repository a benchmark reads is a maintained one: one pack, and the
        // commit-graph git writes with it.
        self.pack()?;
        let started = Instant::now();
        self.git(&["gc", "--quiet"])?;
        self.pack_time += started.elapsed();
        let elapsed = self.started.elapsed();
        let (actions, perform_time, perform_cpu) = self.timing.total();
        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        let loaded = Instant::now();
        let amendments = self
            .repo
            .load_amendments(&At::WorkTree)
            .map_err(|e| e.to_string())?;
        let load_time = loaded.elapsed();
        for amendment in &amendments {
            *by_status.entry(amendment.status.to_string()).or_default() += 1;
        }
        // The generator's view must agree with the repository's.
        let mut mirror: BTreeMap<String, usize> = BTreeMap::new();
        for amd in &self.amendments {
            *mirror.entry(amd.status.name().to_owned()).or_default() += 1;
        }
        if mirror != by_status {
            return Err(format!(
                "the repository disagrees with the generator: {by_status:?}, expected {mirror:?}"
            ));
        }
        println!();
        println!(
            "commits:     {} ({} actions + the zero draft)",
            self.commits, actions
        );
        println!(
            "amendments:  {} ({})",
            amendments.len(),
            by_status
                .iter()
                .map(|(status, n)| format!("{n} {status}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "clauses:     {} at HEAD ({} preambular, {} operative)",
            self.declaration.clauses.len(),
            self.declaration.meta.preamble.len(),
            self.declaration.meta.operative.len()
        );
        println!(
            "revisions:   zero-draft, {}",
            (1..=self.revision)
                .map(|n| format!("rev{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "perform:     {:.1} s in {actions} actions ({:.1} s cpu), {:.2} ms/action ({})",
            perform_time.as_secs_f64(),
            perform_cpu.as_secs_f64(),
            perform_time.as_secs_f64() * 1000.0 / actions.max(1) as f64,
            self.timing.summary()
        );
        println!("packing:     {:.1} s", self.pack_time.as_secs_f64());
        println!(
            "check:       loading all {} amendments took {:.0} ms",
            amendments.len(),
            load_time.as_secs_f64() * 1000.0
        );
        if !self.failures.is_empty() {
            println!("refused actions (the generator chose something the rules forbid):");
            for (message, count) in &self.failures {
                println!("  {count} x {message}");
            }
        }
        println!("elapsed:     {:.1} s", elapsed.as_secs_f64());
        Ok(())
    }
}
