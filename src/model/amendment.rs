//! Amendments: what a delegation proposes, and the rules for acting on it.
//!
//! An [`Amendment`] carries its whole record (proposal, supports, oppositions, decision,
//! application), so the status is a function of the record and every rule about who may do
//! what is checked here, without I/O. The store saves one file per amendment.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::declaration::{Clause, Declaration, Delegation, Part, Role};
use super::id::{AmendmentId, ClauseId, DelegationCode};

/// One amendment, as `amendments/<ID>.yaml` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AmendmentFile", into = "AmendmentFile")]
pub struct Amendment {
    pub id: AmendmentId,
    pub proposer: DelegationCode,
    pub cosponsors: Vec<DelegationCode>,
    pub change: Change,
    pub justification: Option<String>,
    pub base: Base,
    pub status: AmendmentStatus,
    pub record: Vec<RecordEntry>,
}

/// What the amendment does to the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Replace the whole wording of a clause, or only `span` within it.
    Replace {
        clause: ClauseId,
        span: Option<String>,
        text: String,
    },
    Insert {
        new_clause: ClauseId,
        position: Position,
        text: String,
    },
    Delete {
        clause: ClauseId,
    },
    Move {
        clause: ClauseId,
        position: Position,
    },
}

/// Where an inserted or moved clause goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Position {
    After(ClauseId),
    Before(ClauseId),
    End(Part),
}

/// The text an amendment was drafted against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base {
    pub commit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmendmentStatus {
    Tabled,
    Withdrawn,
    Accepted,
    AcceptedAsModified,
    Rejected,
    Applied,
}

/// One line of an amendment's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordEntry {
    pub action: RecordAction,
    pub by: DelegationCode,
    pub at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// With `accept`: the wording as modified by the chair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// With `apply`: the revision that applied it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordAction {
    Propose,
    Support,
    Oppose,
    Cosponsor,
    Withdraw,
    Accept,
    Reject,
    Apply,
    /// The amendment carried onto a newer text of its clause (`text`: the wording it now
    /// proposes, when that changed).
    Rebase,
}

/// An action a delegation takes on an existing amendment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Support,
    Oppose { reason: Option<String> },
    Cosponsor,
    Withdraw,
    Accept { modified_text: Option<String> },
    Reject { reason: Option<String> },
}

/// A rule of procedure that an action breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{actor} is {role}: only the chair or the secretariat may {what}")]
    NotChairOrSecretariat {
        actor: DelegationCode,
        role: Role,
        what: &'static str,
    },
    #[error("{actor} is an observer: observers may not {what}")]
    Observer {
        actor: DelegationCode,
        what: &'static str,
    },
    #[error(
        "{actor} is the {role}, which acts for the whole conference: only member delegations may co-sponsor"
    )]
    NotMember { actor: DelegationCode, role: Role },
    #[error("{id} is {status}: it can no longer be {what}")]
    NotTabled {
        id: AmendmentId,
        status: AmendmentStatus,
        what: &'static str,
    },
    #[error("{id} was proposed by {actor}: a delegation may not {what} its own amendment")]
    OwnAmendment {
        id: AmendmentId,
        actor: DelegationCode,
        what: &'static str,
    },
    #[error("only {proposer}, which proposed {id}, may {what} it")]
    NotProposer {
        id: AmendmentId,
        proposer: DelegationCode,
        what: &'static str,
    },
    #[error("{actor} already {what} {id}")]
    AlreadyDone {
        id: AmendmentId,
        actor: DelegationCode,
        what: &'static str,
    },
    #[error(
        "{actor} already {other} {id}: a delegation may not both support and oppose an amendment"
    )]
    SupportAndOppose {
        id: AmendmentId,
        actor: DelegationCode,
        other: &'static str,
    },
    #[error(
        "a modified text is only meaningful for an amendment that changes wording; {id} is a {operation}"
    )]
    NoTextToModify {
        id: AmendmentId,
        operation: &'static str,
    },
}

impl Amendment {
    /// A new, tabled amendment whose record holds its proposal.
    pub fn propose(
        id: AmendmentId,
        change: Change,
        cosponsors: Vec<DelegationCode>,
        justification: Option<String>,
        base: Base,
        at: DateTime<FixedOffset>,
    ) -> Amendment {
        let proposer = id.proposer().clone();
        Amendment {
            record: vec![RecordEntry::new(RecordAction::Propose, &proposer, at)],
            id,
            proposer,
            cosponsors,
            change,
            justification,
            base,
            status: AmendmentStatus::Tabled,
        }
    }

    /// Takes an action on the amendment, checking the rules of procedure first; on error the
    /// amendment is unchanged.
    pub fn act(
        &mut self,
        actor: &Delegation,
        act: Act,
        at: DateTime<FixedOffset>,
    ) -> Result<(), RuleError> {
        let code = &actor.code;
        let what = act.verb();
        if matches!(act, Act::Accept { .. } | Act::Reject { .. }) {
            if !actor.may_decide() {
                return Err(RuleError::NotChairOrSecretariat {
                    actor: code.clone(),
                    role: actor.role,
                    what,
                });
            }
        } else if !actor.may_negotiate() {
            return Err(RuleError::Observer {
                actor: code.clone(),
                what,
            });
        } else if matches!(act, Act::Cosponsor) && !actor.may_cosponsor() {
            return Err(RuleError::NotMember {
                actor: code.clone(),
                role: actor.role,
            });
        }
        if self.status != AmendmentStatus::Tabled {
            return Err(RuleError::NotTabled {
                id: self.id.clone(),
                status: self.status,
                what: act.past_participle(),
            });
        }
        let mut entry = RecordEntry::new(act.record_action(), code, at);
        match act {
            Act::Support | Act::Oppose { .. } | Act::Cosponsor => {
                if code == &self.proposer {
                    return Err(RuleError::OwnAmendment {
                        id: self.id.clone(),
                        actor: code.clone(),
                        what,
                    });
                }
                let already = |action| self.did(code, action);
                let this_action = act.record_action();
                if already(this_action)
                    || (this_action == RecordAction::Cosponsor && self.cosponsors.contains(code))
                {
                    return Err(RuleError::AlreadyDone {
                        id: self.id.clone(),
                        actor: code.clone(),
                        what: act.past_tense(),
                    });
                }
                let opposes = already(RecordAction::Oppose);
                let supports = already(RecordAction::Support)
                    || already(RecordAction::Cosponsor)
                    || self.cosponsors.contains(code);
                if (this_action == RecordAction::Oppose && supports)
                    || (this_action != RecordAction::Oppose && opposes)
                {
                    let other = if opposes { "opposed" } else { "supports" };
                    return Err(RuleError::SupportAndOppose {
                        id: self.id.clone(),
                        actor: code.clone(),
                        other,
                    });
                }
                if let Act::Oppose { reason } = act {
                    entry.reason = reason;
                }
                if this_action == RecordAction::Cosponsor {
                    self.cosponsors.push(code.clone());
                }
            }
            Act::Withdraw => {
                if code != &self.proposer {
                    return Err(RuleError::NotProposer {
                        id: self.id.clone(),
                        proposer: self.proposer.clone(),
                        what: "withdraw",
                    });
                }
                self.status = AmendmentStatus::Withdrawn;
            }
            Act::Accept { modified_text } => {
                if modified_text.is_some() && self.change.text().is_none() {
                    return Err(RuleError::NoTextToModify {
                        id: self.id.clone(),
                        operation: self.change.operation(),
                    });
                }
                self.status = if modified_text.is_some() {
                    AmendmentStatus::AcceptedAsModified
                } else {
                    AmendmentStatus::Accepted
                };
                entry.text = modified_text;
            }
            Act::Reject { reason } => {
                self.status = AmendmentStatus::Rejected;
                entry.reason = reason;
            }
        }
        self.record.push(entry);
        Ok(())
    }

    /// Marks the amendment applied by a revision.
    pub fn mark_applied(&mut self, by: &DelegationCode, revision: &str, at: DateTime<FixedOffset>) {
        let mut entry = RecordEntry::new(RecordAction::Apply, by, at);
        entry.revision = Some(revision.to_owned());
        self.record.push(entry);
        self.status = AmendmentStatus::Applied;
    }

    /// Carries the amendment onto the current text of its clause: `new_base` is that text's
    /// commit and hash, `text` the merged wording when it changed. Only the proposer, the chair
    /// or the secretariat may, and only while the amendment is open.
    pub fn rebase(
        &mut self,
        actor: &Delegation,
        new_base: Base,
        text: Option<String>,
        at: DateTime<FixedOffset>,
    ) -> Result<(), RuleError> {
        if actor.code != self.proposer && !actor.may_decide() {
            return Err(RuleError::NotProposer {
                id: self.id.clone(),
                proposer: self.proposer.clone(),
                what: "rebase",
            });
        }
        if !self.is_pending() {
            return Err(RuleError::NotTabled {
                id: self.id.clone(),
                status: self.status,
                what: "rebased",
            });
        }
        let mut entry = RecordEntry::new(RecordAction::Rebase, &actor.code, at);
        entry.text = text;
        self.record.push(entry);
        self.base = new_base;
        Ok(())
    }

    /// The status its record leads to; `check` compares it with the stored status.
    pub fn status_from_record(&self) -> AmendmentStatus {
        self.record
            .iter()
            .fold(AmendmentStatus::Tabled, |status, entry| {
                match entry.action {
                    RecordAction::Withdraw => AmendmentStatus::Withdrawn,
                    RecordAction::Accept if entry.text.is_some() => {
                        AmendmentStatus::AcceptedAsModified
                    }
                    RecordAction::Accept => AmendmentStatus::Accepted,
                    RecordAction::Reject => AmendmentStatus::Rejected,
                    RecordAction::Apply => AmendmentStatus::Applied,
                    _ => status,
                }
            })
    }

    fn did(&self, code: &DelegationCode, action: RecordAction) -> bool {
        self.record
            .iter()
            .any(|entry| entry.action == action && &entry.by == code)
    }

    pub fn supporters(&self) -> Vec<&DelegationCode> {
        self.codes_that(RecordAction::Support)
    }

    pub fn opponents(&self) -> Vec<&DelegationCode> {
        self.codes_that(RecordAction::Oppose)
    }

    fn codes_that(&self, action: RecordAction) -> Vec<&DelegationCode> {
        self.record
            .iter()
            .filter(|entry| entry.action == action)
            .map(|entry| &entry.by)
            .collect()
    }

    /// The decision entry (accept or reject), if any.
    pub fn decision(&self) -> Option<&RecordEntry> {
        self.record
            .iter()
            .rev()
            .find(|e| matches!(e.action, RecordAction::Accept | RecordAction::Reject))
    }

    /// The wording that will be applied: the chair's modified text when accepted as modified,
    /// else the proposal's.
    pub fn effective_text(&self) -> Option<&str> {
        let modified = self
            .record
            .iter()
            .rev()
            .find(|e| {
                matches!(e.action, RecordAction::Accept | RecordAction::Rebase) && e.text.is_some()
            })
            .and_then(|e| e.text.as_deref());
        modified.or(self.change.text())
    }

    /// Whether the chair has accepted it and it waits for the next revision.
    pub fn awaits_application(&self) -> bool {
        matches!(
            self.status,
            AmendmentStatus::Accepted | AmendmentStatus::AcceptedAsModified
        )
    }

    /// Still open: tabled, or accepted but not yet applied.
    pub fn is_pending(&self) -> bool {
        self.status == AmendmentStatus::Tabled || self.awaits_application()
    }

    /// The clause the amendment concerns: the target, or for an insertion the new clause.
    pub fn clause(&self) -> &ClauseId {
        self.change.clause()
    }

    /// Whether the target clause has changed since the amendment was drafted.
    pub fn is_stale(&self, declaration: &Declaration) -> bool {
        let Some(hash) = &self.base.text_hash else {
            return false;
        };
        match declaration.clauses.get(self.change.clause()) {
            Some(clause) => &clause.wording_hash() != hash,
            None => !matches!(self.change, Change::Insert { .. }),
        }
    }

    /// A short description for lists and commit messages: "replace OP 5", "insert after PP 2".
    pub fn describe(&self, declaration: &Declaration) -> String {
        self.describe_numbered(|id| declaration.number_of(id))
    }

    /// [`Amendment::describe`], with paragraph numbers from `number_of` (for describing many
    /// against one [`Declaration::paragraph_numbers`]).
    pub fn describe_numbered(
        &self,
        number_of: impl Fn(&ClauseId) -> Option<super::declaration::ParagraphNumber>,
    ) -> String {
        let label = |id: &ClauseId| match number_of(id) {
            Some(number) => format!("{number}"),
            None => id.to_string(),
        };
        let position = |position: &Position| match position {
            Position::After(id) => format!("after {}", label(id)),
            Position::Before(id) => format!("before {}", label(id)),
            Position::End(part) => format!("at the end of the {}", part.name()),
        };
        match &self.change {
            Change::Replace {
                clause, span: None, ..
            } => format!("replace {}", label(clause)),
            Change::Replace {
                clause,
                span: Some(span),
                ..
            } => format!("replace \"{}\" in {}", ellipsize(span, 40), label(clause)),
            Change::Insert { position: p, .. } => format!("insert {}", position(p)),
            Change::Delete { clause } => format!("delete {}", label(clause)),
            Change::Move {
                clause,
                position: p,
            } => format!("move {} {}", label(clause), position(p)),
        }
    }

    /// The wording before and after the amendment, for its redline against the current text.
    /// Insertions compare with nothing, deletions with nothing, moves compare a text with
    /// itself. Returns `None` when the target clause does not exist in `declaration`.
    pub fn wordings(&self, declaration: &Declaration) -> Option<(String, String)> {
        let current = |id: &ClauseId| declaration.clauses.get(id).map(Clause::wording);
        let text = self.effective_text().unwrap_or_default().to_owned();
        match &self.change {
            Change::Replace { clause, span, .. } => {
                let old = current(clause)?;
                let new = match span {
                    Some(span) => replace_unique(&old, span, &text).unwrap_or_else(|| old.clone()),
                    None => normalise_wording(&text),
                };
                Some((old, new))
            }
            Change::Insert { .. } => Some((String::new(), normalise_wording(&text))),
            Change::Delete { clause } => Some((current(clause)?, String::new())),
            Change::Move { clause, .. } => {
                let wording = current(clause)?;
                Some((wording.clone(), wording))
            }
        }
    }
}

/// Rewrites a wording into the canonical form [`Clause::wording`] gives (labels derived).
pub fn normalise_wording(wording: &str) -> String {
    let mut clause = Clause {
        kind: super::declaration::ClauseKind::Operative,
        status: super::declaration::ClauseStatus::Draft,
        text: String::new(),
        subparagraphs: Vec::new(),
        notes: None,
    };
    clause.set_wording(wording);
    clause.wording()
}

/// Replaces `span` in `text` when it occurs exactly once.
pub fn replace_unique(text: &str, span: &str, replacement: &str) -> Option<String> {
    let start = unique_position(text, span)?;
    Some(format!(
        "{}{}{}",
        &text[..start],
        replacement,
        &text[start + span.len()..]
    ))
}

/// The byte offset of `span` in `text` when it occurs exactly once.
pub fn unique_position(text: &str, span: &str) -> Option<usize> {
    if span.is_empty() {
        return None;
    }
    let mut found = text.match_indices(span);
    let (first, _) = found.next()?;
    found.next().is_none().then_some(first)
}

fn ellipsize(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max_chars - 1).collect();
        format!("{cut}…")
    }
}

impl Change {
    /// The clause the change is about (the new one for an insertion).
    pub fn clause(&self) -> &ClauseId {
        match self {
            Change::Replace { clause, .. }
            | Change::Delete { clause }
            | Change::Move { clause, .. } => clause,
            Change::Insert { new_clause, .. } => new_clause,
        }
    }

    /// The clause that must exist for the change to make sense (none for an insertion).
    pub fn target(&self) -> Option<&ClauseId> {
        match self {
            Change::Insert { .. } => None,
            other => Some(other.clause()),
        }
    }

    /// The clause a position names, if any.
    pub fn anchor(&self) -> Option<&ClauseId> {
        match self {
            Change::Insert { position, .. } | Change::Move { position, .. } => position.anchor(),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Change::Replace { text, .. } | Change::Insert { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn operation(&self) -> &'static str {
        match self {
            Change::Replace { .. } => "replace",
            Change::Insert { .. } => "insert",
            Change::Delete { .. } => "delete",
            Change::Move { .. } => "move",
        }
    }
}

impl Position {
    pub fn anchor(&self) -> Option<&ClauseId> {
        match self {
            Position::After(id) | Position::Before(id) => Some(id),
            Position::End(_) => None,
        }
    }
}

impl RecordEntry {
    pub fn new(action: RecordAction, by: &DelegationCode, at: DateTime<FixedOffset>) -> Self {
        RecordEntry {
            action,
            by: by.clone(),
            at,
            reason: None,
            text: None,
            revision: None,
        }
    }
}

impl Act {
    fn record_action(&self) -> RecordAction {
        match self {
            Act::Support => RecordAction::Support,
            Act::Oppose { .. } => RecordAction::Oppose,
            Act::Cosponsor => RecordAction::Cosponsor,
            Act::Withdraw => RecordAction::Withdraw,
            Act::Accept { .. } => RecordAction::Accept,
            Act::Reject { .. } => RecordAction::Reject,
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            Act::Support => "support",
            Act::Oppose { .. } => "oppose",
            Act::Cosponsor => "co-sponsor",
            Act::Withdraw => "withdraw",
            Act::Accept { .. } => "accept",
            Act::Reject { .. } => "reject",
        }
    }

    fn past_tense(&self) -> &'static str {
        match self {
            Act::Support => "supports",
            Act::Oppose { .. } => "opposed",
            Act::Cosponsor => "co-sponsors",
            Act::Withdraw => "withdrew",
            Act::Accept { .. } => "accepted",
            Act::Reject { .. } => "rejected",
        }
    }

    fn past_participle(&self) -> &'static str {
        match self {
            Act::Support => "supported",
            Act::Oppose { .. } => "opposed",
            Act::Cosponsor => "co-sponsored",
            Act::Withdraw => "withdrawn",
            Act::Accept { .. } => "accepted",
            Act::Reject { .. } => "rejected",
        }
    }
}

impl fmt::Display for AmendmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            AmendmentStatus::Tabled => "tabled",
            AmendmentStatus::Withdrawn => "withdrawn",
            AmendmentStatus::Accepted => "accepted",
            AmendmentStatus::AcceptedAsModified => "accepted-as-modified",
            AmendmentStatus::Rejected => "rejected",
            AmendmentStatus::Applied => "applied",
        })
    }
}

impl std::str::FromStr for AmendmentStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, String> {
        Ok(match value {
            "tabled" => AmendmentStatus::Tabled,
            "withdrawn" => AmendmentStatus::Withdrawn,
            "accepted" => AmendmentStatus::Accepted,
            "accepted-as-modified" => AmendmentStatus::AcceptedAsModified,
            "rejected" => AmendmentStatus::Rejected,
            "applied" => AmendmentStatus::Applied,
            _ => {
                return Err(format!(
                    "unknown amendment status {value:?}: use tabled, withdrawn, accepted, \
                     accepted-as-modified, rejected or applied"
                ));
            }
        })
    }
}

impl fmt::Display for RecordAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            RecordAction::Propose => "propose",
            RecordAction::Support => "support",
            RecordAction::Oppose => "oppose",
            RecordAction::Cosponsor => "cosponsor",
            RecordAction::Withdraw => "withdraw",
            RecordAction::Accept => "accept",
            RecordAction::Reject => "reject",
            RecordAction::Apply => "apply",
            RecordAction::Rebase => "rebase",
        })
    }
}

/// The flat shape of an amendment file, which reads well in plain git; [`Amendment`] converts
/// from it, refusing field combinations that make no sense for the operation.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AmendmentFile {
    id: AmendmentId,
    proposer: DelegationCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cosponsors: Vec<DelegationCode>,
    operation: Operation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clause: Option<ClauseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    span: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    position: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    new_clause: Option<ClauseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
    base: Base,
    status: AmendmentStatus,
    record: Vec<RecordEntry>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Operation {
    Replace,
    Insert,
    Delete,
    Move,
}

impl TryFrom<AmendmentFile> for Amendment {
    type Error = String;

    fn try_from(file: AmendmentFile) -> Result<Self, String> {
        let need = |value: Option<ClauseId>, field: &str, op: &str| {
            value.ok_or_else(|| format!("a {op} amendment needs `{field}`"))
        };
        let refuse = |present: bool, field: &str, op: &str| {
            if present {
                Err(format!("a {op} amendment has no `{field}`"))
            } else {
                Ok(())
            }
        };
        let change = match file.operation {
            Operation::Replace => {
                refuse(file.position.is_some(), "position", "replace")?;
                refuse(file.new_clause.is_some(), "new_clause", "replace")?;
                Change::Replace {
                    clause: need(file.clause, "clause", "replace")?,
                    span: file.span,
                    text: file
                        .text
                        .ok_or_else(|| "a replace amendment needs `text`".to_owned())?,
                }
            }
            Operation::Insert => {
                refuse(file.clause.is_some(), "clause (use new_clause)", "insert")?;
                refuse(file.span.is_some(), "span", "insert")?;
                Change::Insert {
                    new_clause: need(file.new_clause, "new_clause", "insert")?,
                    position: file
                        .position
                        .ok_or_else(|| "an insert amendment needs `position`".to_owned())?,
                    text: file
                        .text
                        .ok_or_else(|| "an insert amendment needs `text`".to_owned())?,
                }
            }
            Operation::Delete | Operation::Move => {
                let op = if matches!(file.operation, Operation::Delete) {
                    "delete"
                } else {
                    "move"
                };
                refuse(file.span.is_some(), "span", op)?;
                refuse(file.text.is_some(), "text", op)?;
                refuse(file.new_clause.is_some(), "new_clause", op)?;
                let clause = need(file.clause, "clause", op)?;
                if matches!(file.operation, Operation::Delete) {
                    refuse(file.position.is_some(), "position", op)?;
                    Change::Delete { clause }
                } else {
                    Change::Move {
                        clause,
                        position: file
                            .position
                            .ok_or_else(|| "a move amendment needs `position`".to_owned())?,
                    }
                }
            }
        };
        Ok(Amendment {
            id: file.id,
            proposer: file.proposer,
            cosponsors: file.cosponsors,
            change,
            justification: file.justification,
            base: file.base,
            status: file.status,
            record: file.record,
        })
    }
}

impl From<Amendment> for AmendmentFile {
    fn from(amendment: Amendment) -> Self {
        let (operation, clause, span, text, position, new_clause) = match amendment.change {
            Change::Replace { clause, span, text } => (
                Operation::Replace,
                Some(clause),
                span,
                Some(text),
                None,
                None,
            ),
            Change::Insert {
                new_clause,
                position,
                text,
            } => (
                Operation::Insert,
                None,
                None,
                Some(text),
                Some(position),
                Some(new_clause),
            ),
            Change::Delete { clause } => (Operation::Delete, Some(clause), None, None, None, None),
            Change::Move { clause, position } => (
                Operation::Move,
                Some(clause),
                None,
                None,
                Some(position),
                None,
            ),
        };
        AmendmentFile {
            id: amendment.id,
            proposer: amendment.proposer,
            cosponsors: amendment.cosponsors,
            operation,
            clause,
            span,
            text,
            position,
            new_clause,
            justification: amendment.justification,
            base: amendment.base,
            status: amendment.status,
            record: amendment.record,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delegation(code: &str, role: Role) -> Delegation {
        Delegation {
            code: code.parse().unwrap(),
            name: code.to_owned(),
            role,
            email: None,
            keys: Vec::new(),
        }
    }

    fn at(hour: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2022-09-12T{hour:02}:00:00+05:00")).unwrap()
    }

    fn tabled() -> Amendment {
        Amendment::propose(
            "TUR-1".parse().unwrap(),
            Change::Replace {
                clause: "op-x".parse().unwrap(),
                span: Some("shall".into()),
                text: "should".into(),
            },
            vec![],
            None,
            Base {
                commit: "0".into(),
                text_hash: None,
            },
            at(9),
        )
    }

    #[test]
    fn support_oppose_and_decide_follow_the_rules() {
        let mut amendment = tabled();
        let qat = delegation("QAT", Role::Member);
        let rus = delegation("RUS", Role::Member);
        let tur = delegation("TUR", Role::Member);
        let chair = delegation("TJK", Role::Chair);
        let observer = delegation("UNRCCA", Role::Observer);

        amendment.act(&qat, Act::Support, at(10)).unwrap();
        let twice = amendment.act(&qat, Act::Support, at(11)).unwrap_err();
        assert!(matches!(twice, RuleError::AlreadyDone { .. }), "{twice}");
        let both = amendment
            .act(&qat, Act::Oppose { reason: None }, at(11))
            .unwrap_err();
        assert!(matches!(both, RuleError::SupportAndOppose { .. }), "{both}");
        let own = amendment.act(&tur, Act::Support, at(11)).unwrap_err();
        assert!(matches!(own, RuleError::OwnAmendment { .. }), "{own}");
        let observed = amendment.act(&observer, Act::Support, at(11)).unwrap_err();
        assert!(matches!(observed, RuleError::Observer { .. }), "{observed}");
        let chair_cosponsors = amendment.act(&chair, Act::Cosponsor, at(11)).unwrap_err();
        assert!(
            matches!(chair_cosponsors, RuleError::NotMember { .. }),
            "{chair_cosponsors}"
        );
        assert!(chair_cosponsors.to_string().contains("TJK is the chair"));
        let not_chair = amendment
            .act(
                &rus,
                Act::Accept {
                    modified_text: None,
                },
                at(11),
            )
            .unwrap_err();
        assert!(matches!(not_chair, RuleError::NotChairOrSecretariat { .. }));
        let not_proposer = amendment.act(&rus, Act::Withdraw, at(11)).unwrap_err();
        assert!(matches!(not_proposer, RuleError::NotProposer { .. }));

        amendment
            .act(
                &chair,
                Act::Accept {
                    modified_text: Some("could".into()),
                },
                at(12),
            )
            .unwrap();
        assert_eq!(amendment.status, AmendmentStatus::AcceptedAsModified);
        assert_eq!(amendment.effective_text(), Some("could"));
        assert_eq!(amendment.status_from_record(), amendment.status);
        let late = amendment
            .act(&rus, Act::Oppose { reason: None }, at(13))
            .unwrap_err();
        assert!(matches!(late, RuleError::NotTabled { .. }), "{late}");
        assert_eq!(amendment.supporters().len(), 1);
    }

    #[test]
    fn refused_actions_leave_the_amendment_unchanged() {
        let mut amendment = tabled();
        let before = amendment.clone();
        let tur = delegation("TUR", Role::Member);
        assert!(amendment.act(&tur, Act::Support, at(10)).is_err());
        assert_eq!(amendment, before);
    }

    #[test]
    fn file_round_trip_keeps_every_field() {
        let mut amendment = tabled();
        amendment.justification = Some("Softer, as in OP 4.".into());
        let yaml = serde_yaml::to_string(&amendment).unwrap();
        assert!(yaml.contains("operation: replace"), "{yaml}");
        let back: Amendment = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back, amendment);
    }

    #[test]
    fn nonsensical_field_combinations_are_refused() {
        let yaml = "id: TUR-1\nproposer: TUR\noperation: delete\nclause: op-x\ntext: hi\n\
                    base: {commit: '0'}\nstatus: tabled\nrecord: []\n";
        let error = serde_yaml::from_str::<Amendment>(yaml).unwrap_err();
        assert!(error.to_string().contains("has no `text`"), "{error}");
    }

    #[test]
    fn span_replacement_needs_a_unique_span() {
        assert_eq!(
            replace_unique("a shall b", "shall", "should").unwrap(),
            "a should b"
        );
        assert!(replace_unique("shall shall", "shall", "x").is_none());
        assert!(replace_unique("a b", "c", "x").is_none());
    }
}
