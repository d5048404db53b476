//! The declaration: its metadata, its delegations, its clauses and their order.
//!
//! A [`Declaration`] is what one revision of the repository says, minus the amendments. It is
//! a plain value: the store builds it from YAML, commands read it, and a revision cut produces
//! a new one. Paragraph numbers are derived here from the order, never stored.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::id::{ClauseId, DelegationCode};
use super::key::DelegationKey;

/// `declaration.yaml`: everything about the document except the clauses themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationMeta {
    pub title: String,
    pub short_title: String,
    pub symbol: String,
    pub conference: String,
    pub place: String,
    pub dates: ConferenceDates,
    pub languages: Vec<String>,
    #[serde(default)]
    pub style: DocumentStyle,
    pub chapeau: String,
    #[serde(default)]
    pub preamble: Vec<ClauseId>,
    #[serde(default)]
    pub operative: Vec<ClauseId>,
    /// The revision that holds the adopted text, written by `decl revision cut --final`:
    /// after it, the negotiation is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConferenceDates {
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

impl ConferenceDates {
    /// As UN documents print them: "18 October 2022", "18–19 October 2022",
    /// "30 September–1 October 2022", "30 December 2022–2 January 2023".
    pub fn long_form(&self) -> String {
        let day_month = |date: NaiveDate| date.format("%-d %B").to_string();
        let full = |date: NaiveDate| date.format("%-d %B %Y").to_string();
        match self.to {
            None => full(self.from),
            Some(to) if to == self.from => full(self.from),
            Some(to) if to.year() != self.from.year() => {
                format!("{}–{}", full(self.from), full(to))
            }
            Some(to) if to.month() != self.from.month() => {
                format!("{}–{}", day_month(self.from), full(to))
            }
            Some(to) => format!("{}–{}", self.from.format("%-d"), full(to)),
        }
    }
}

/// Whose voice the operative paragraphs speak in: a declaration's ministers ("*Call upon*")
/// or a resolution's body ("*Calls upon*").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentStyle {
    #[default]
    Declaration,
    Resolution,
}

/// `delegations.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegationsFile {
    pub delegations: Vec<Delegation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    pub code: DelegationCode,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Public SSH keys the delegation signs its commits with (`decl verify` checks them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<DelegationKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Chair,
    Secretariat,
    Member,
    Observer,
}

/// One paragraph: `clauses/<id>.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub kind: ClauseKind,
    pub status: ClauseStatus,
    #[serde(deserialize_with = "words")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subparagraphs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A clause's words: YAML's null (`~`, `null`, nothing) is refused rather than read as the
/// word "~" or "null", which no drafter means; quoting makes them words.
fn words<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Option::<String>::deserialize(deserializer)?.ok_or_else(|| {
        serde::de::Error::custom(
            "the text is empty (YAML reads `~`, `null` or nothing as no value): write the clause's words, quoted if they are \"~\" or \"null\"",
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseKind {
    Preambular,
    Operative,
}

/// How far a clause has come towards consensus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseStatus {
    Draft,
    Bracketed,
    AgreedAdRef,
    Agreed,
}

/// The two parts of a declaration, which also name where an inserted clause may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    Preamble,
    Operative,
}

/// One revision's text: metadata, delegations and clauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub meta: DeclarationMeta,
    pub delegations: Vec<Delegation>,
    pub clauses: BTreeMap<ClauseId, Clause>,
}

/// A clause with the number a reader sees: `PP 3`, `OP 12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParagraphNumber {
    pub part: Part,
    /// 1-based position within its part.
    pub number: usize,
}

/// A square-bracketed span of not-yet-agreed text, as byte offsets into the wording
/// (brackets included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BracketSpan {
    pub start: usize,
    pub end: usize,
}

/// A bracket that has no partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnbalancedBracket {
    pub offset: usize,
    pub bracket: char,
}

impl Declaration {
    pub fn delegation(&self, code: &DelegationCode) -> Option<&Delegation> {
        self.delegations.iter().find(|d| &d.code == code)
    }

    /// The clause ids of one part, in order.
    pub fn order(&self, part: Part) -> &[ClauseId] {
        match part {
            Part::Preamble => &self.meta.preamble,
            Part::Operative => &self.meta.operative,
        }
    }

    pub fn order_mut(&mut self, part: Part) -> &mut Vec<ClauseId> {
        match part {
            Part::Preamble => &mut self.meta.preamble,
            Part::Operative => &mut self.meta.operative,
        }
    }

    /// Every clause in reading order with its paragraph number. Ids in the order without a
    /// clause file are skipped (validation reports them).
    pub fn numbered(&self) -> impl Iterator<Item = (ParagraphNumber, &ClauseId, &Clause)> {
        [Part::Preamble, Part::Operative]
            .into_iter()
            .flat_map(move |part| {
                self.order(part)
                    .iter()
                    .filter_map(move |id| self.clauses.get(id).map(|clause| (id, clause)))
                    .enumerate()
                    .map(move |(idx, (id, clause))| {
                        let number = ParagraphNumber {
                            part,
                            number: idx + 1,
                        };
                        (number, id, clause)
                    })
            })
    }

    /// Every listed clause's paragraph number, for looking up many: [`Declaration::number_of`]
    /// searches the order each time, which made listing thousands of amendments quadratic.
    pub fn paragraph_numbers(&self) -> HashMap<&ClauseId, ParagraphNumber> {
        [Part::Preamble, Part::Operative]
            .into_iter()
            .flat_map(|part| {
                self.order(part).iter().enumerate().map(move |(idx, id)| {
                    let number = ParagraphNumber {
                        part,
                        number: idx + 1,
                    };
                    (id, number)
                })
            })
            .collect()
    }

    /// The paragraph number a clause has now, if it is in the order.
    pub fn number_of(&self, id: &ClauseId) -> Option<ParagraphNumber> {
        [Part::Preamble, Part::Operative]
            .into_iter()
            .find_map(|part| {
                self.order(part)
                    .iter()
                    .position(|other| other == id)
                    .map(|idx| ParagraphNumber {
                        part,
                        number: idx + 1,
                    })
            })
    }

    /// The part a clause is listed in.
    pub fn part_of(&self, id: &ClauseId) -> Option<Part> {
        self.number_of(id).map(|n| n.part)
    }
}

impl Delegation {
    pub fn may_decide(&self) -> bool {
        matches!(self.role, Role::Chair | Role::Secretariat)
    }

    pub fn may_negotiate(&self) -> bool {
        !matches!(self.role, Role::Observer)
    }

    /// Co-sponsoring puts a delegation's name to a text as its author; the chair and the
    /// secretariat act for the whole conference and so stand behind no delegation's text.
    pub fn may_cosponsor(&self) -> bool {
        matches!(self.role, Role::Member)
    }

    /// The e-mail-like identity that stands as the commit author.
    pub fn email(&self) -> String {
        self.email
            .clone()
            .unwrap_or_else(|| format!("{}@delegation.invalid", self.code.as_str().to_lowercase()))
    }
}

impl Clause {
    /// The whole wording as one text: the paragraph's text, then one line per sub-paragraph
    /// with its derived label, `(a) ...`. Amendments replace and redlines compare this.
    pub fn wording(&self) -> String {
        let mut wording = self.text.clone();
        for (idx, sub) in self.subparagraphs.iter().enumerate() {
            wording.push('\n');
            wording.push_str(&format!("({}) {}", subparagraph_label(idx), sub));
        }
        wording
    }

    /// Replaces text and sub-paragraphs from a wording written as [`Clause::wording`] returns
    /// it. Labels are optional on input: they are derived, so whatever stands there is dropped.
    pub fn set_wording(&mut self, wording: &str) {
        let mut lines = wording
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty());
        self.text = lines.next().unwrap_or_default().to_owned();
        self.subparagraphs = lines.map(|line| strip_label(line).to_owned()).collect();
    }

    /// The sha-256 of the wording, which an amendment records as the base it was drafted on.
    pub fn wording_hash(&self) -> String {
        wording_hash(&self.wording())
    }

    /// The square-bracketed spans in the wording.
    pub fn brackets(&self) -> Result<Vec<BracketSpan>, UnbalancedBracket> {
        bracket_spans(&self.wording())
    }
}

/// sha-256 of a wording, in hex.
pub fn wording_hash(wording: &str) -> String {
    Sha256::digest(wording.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `a`..`z`, then `aa`, `bb`, ... as UN documents letter long lists.
pub fn subparagraph_label(idx: usize) -> String {
    let letter = char::from(b'a' + (idx % 26) as u8);
    letter.to_string().repeat(idx / 26 + 1)
}

fn strip_label(line: &str) -> &str {
    if let Some(rest) = line.strip_prefix('(')
        && let Some((label, after)) = rest.split_once(')')
        && !label.is_empty()
        && label.len() <= 3
        && label.chars().all(|c| c.is_ascii_lowercase())
    {
        return after.trim_start();
    }
    line
}

/// The top-level `[...]` spans of a text. Nested brackets belong to their outer span.
pub fn bracket_spans(text: &str) -> Result<Vec<BracketSpan>, UnbalancedBracket> {
    let mut spans = Vec::new();
    let mut open_stack = Vec::new();
    for (offset, c) in text.char_indices() {
        match c {
            '[' => open_stack.push(offset),
            ']' => {
                let Some(start) = open_stack.pop() else {
                    return Err(UnbalancedBracket {
                        offset,
                        bracket: ']',
                    });
                };
                if open_stack.is_empty() {
                    spans.push(BracketSpan {
                        start,
                        end: offset + 1,
                    });
                }
            }
            _ => {}
        }
    }
    match open_stack.first() {
        Some(&offset) => Err(UnbalancedBracket {
            offset,
            bracket: '[',
        }),
        None => Ok(spans),
    }
}

impl Part {
    pub fn kind(self) -> ClauseKind {
        match self {
            Part::Preamble => ClauseKind::Preambular,
            Part::Operative => ClauseKind::Operative,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Part::Preamble => "preamble",
            Part::Operative => "operative",
        }
    }
}

impl ClauseKind {
    pub fn part(self) -> Part {
        match self {
            ClauseKind::Preambular => Part::Preamble,
            ClauseKind::Operative => Part::Operative,
        }
    }
}

impl fmt::Display for ParagraphNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.part {
            Part::Preamble => "PP",
            Part::Operative => "OP",
        };
        write!(f, "{prefix} {}", self.number)
    }
}

impl fmt::Display for ClauseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            ClauseStatus::Draft => "draft",
            ClauseStatus::Bracketed => "bracketed",
            ClauseStatus::AgreedAdRef => "agreed-ad-ref",
            ClauseStatus::Agreed => "agreed",
        })
    }
}

impl fmt::Display for ClauseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            ClauseKind::Preambular => "preambular",
            ClauseKind::Operative => "operative",
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Role::Chair => "chair",
            Role::Secretariat => "secretariat",
            Role::Member => "member",
            Role::Observer => "observer",
        })
    }
}

impl std::str::FromStr for ClauseStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "draft" => Ok(ClauseStatus::Draft),
            "bracketed" => Ok(ClauseStatus::Bracketed),
            "agreed-ad-ref" => Ok(ClauseStatus::AgreedAdRef),
            "agreed" => Ok(ClauseStatus::Agreed),
            _ => Err(format!(
                "unknown clause status {value:?}: use draft, bracketed, agreed-ad-ref or agreed"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(text: &str, subs: &[&str]) -> Clause {
        Clause {
            kind: ClauseKind::Operative,
            status: ClauseStatus::Draft,
            text: text.to_owned(),
            subparagraphs: subs.iter().map(|s| s.to_string()).collect(),
            notes: None,
        }
    }

    #[test]
    fn wording_labels_subparagraphs_and_round_trips() {
        let original = clause("*Call upon* States:", &["to act;", "to cooperate."]);
        let wording = original.wording();
        assert_eq!(
            wording,
            "*Call upon* States:\n(a) to act;\n(b) to cooperate."
        );
        let mut copy = clause("", &[]);
        copy.set_wording(&wording);
        assert_eq!(copy.text, original.text);
        assert_eq!(copy.subparagraphs, original.subparagraphs);
    }

    #[test]
    fn set_wording_accepts_unlabelled_lines_and_drops_blank_ones() {
        let mut c = clause("", &[]);
        c.set_wording("Lead-in:\n\n  first;\n(zz) second.\n");
        assert_eq!(c.text, "Lead-in:");
        assert_eq!(c.subparagraphs, ["first;", "second."]);
    }

    #[test]
    fn conference_dates_read_as_in_un_documents() {
        let dates = |from: &str, to: Option<&str>| ConferenceDates {
            from: from.parse().unwrap(),
            to: to.map(|t| t.parse().unwrap()),
        };
        assert_eq!(dates("2022-10-18", None).long_form(), "18 October 2022");
        assert_eq!(
            dates("2022-10-18", Some("2022-10-19")).long_form(),
            "18–19 October 2022"
        );
        assert_eq!(
            dates("2022-09-30", Some("2022-10-01")).long_form(),
            "30 September–1 October 2022"
        );
        assert_eq!(
            dates("2022-12-30", Some("2023-01-02")).long_form(),
            "30 December 2022–2 January 2023"
        );
    }

    #[test]
    fn labels_go_past_z() {
        assert_eq!(subparagraph_label(0), "a");
        assert_eq!(subparagraph_label(25), "z");
        assert_eq!(subparagraph_label(26), "aa");
        assert_eq!(subparagraph_label(27), "bb");
    }

    #[test]
    fn brackets_are_counted_and_nested_ones_belong_to_the_outer_span() {
        let spans = bracket_spans("a [b] c [d [e] f] g").unwrap();
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1], BracketSpan { start: 8, end: 17 });
        assert_eq!(bracket_spans("a ] b").unwrap_err().bracket, ']');
        assert_eq!(bracket_spans("a [ b").unwrap_err().offset, 2);
        assert!(bracket_spans("Кириллица [текст]").unwrap().len() == 1);
    }

    #[test]
    fn hash_depends_on_the_whole_wording() {
        let a = clause("text", &["sub"]);
        let b = clause("text", &["sub."]);
        assert_ne!(a.wording_hash(), b.wording_hash());
        assert_eq!(a.wording_hash().len(), 64);
    }
}
