//! Amendments: what a delegation proposes, and the rules for acting on it.
//!
//! An [`Amendment`] carries its whole record (proposal, supports, oppositions, decision,
//! application), so the status is a function of the record and every rule about who may do
//! what is checked here, without I/O. The store saves one file per amendment.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::declaration::{Clause, Declaration, Delegation, Part};
use super::id::{AmendmentId, ClauseId, DelegationCode};

mod file;
use file::AmendmentFile;
mod modify;
mod procedure;

pub use modify::{ModifyError, modification_from_paragraph};
pub use procedure::{Act, Modification, RuleError, Stance};

/// One amendment, as `amendments/<ID>.yaml` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AmendmentFile", into = "AmendmentFile")]
pub struct Amendment {
    pub id: AmendmentId,
    pub proposer: DelegationCode,
    /// Delegations that joined as co-sponsors, each by its own `cosponsor` act.
    pub cosponsors: Vec<DelegationCode>,
    /// Delegations the proposer named as co-sponsors that have not (yet) joined: a name on a
    /// proposal is an invitation, never a co-sponsorship.
    pub invited: Vec<DelegationCode>,
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
    /// With `accept`: the wording as modified by the chair (replacing `span`, or what the
    /// proposal replaces); with `rebase`: the wording the amendment now proposes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// With `accept` as modified: the words of the clause the chair's `text` replaces, when
    /// they are not the proposal's span.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<String>,
    /// With `apply`: the revision that applied it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// Why an amendment no longer fits the current text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// Its clause's wording changed after it was drafted: its redline may surprise.
    Changed,
    /// The clause it replaces, deletes or moves is no longer in the text.
    ClauseGone(ClauseId),
    /// The clause it places a clause next to is no longer in the text.
    AnchorGone(ClauseId),
}

impl Staleness {
    /// The commands that settle it, for the amendment `id` proposed by `proposer`.
    pub fn way_out(&self, id: &AmendmentId, proposer: &DelegationCode) -> String {
        match self {
            Staleness::Changed => {
                format!("{proposer} may rebase it onto the current text (decl amend rebase {id})")
            }
            Staleness::ClauseGone(_) | Staleness::AnchorGone(_) => format!(
                "it cannot apply as it is: {proposer} may withdraw it (decl amend withdraw {id}) and propose it again where it fits, or the chair reject it (decl amend reject {id} --reason ...)"
            ),
        }
    }
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::Changed => write!(f, "the clause has changed since it was drafted"),
            Staleness::ClauseGone(id) => write!(f, "its clause {id} is no longer in the text"),
            Staleness::AnchorGone(id) => write!(
                f,
                "it places a clause next to {id}, which is no longer in the text"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordAction {
    Propose,
    Support,
    Oppose,
    Cosponsor,
    /// A delegation takes back its support, opposition or co-sponsorship.
    Retract,
    Withdraw,
    Accept,
    Reject,
    /// The chair or secretariat returns a decided amendment to the table (`reason`: why).
    Reopen,
    Apply,
    /// The amendment carried onto a newer text of its clause (`text`: the wording it now
    /// proposes, when that changed).
    Rebase,
}

impl Amendment {
    /// A new, tabled amendment whose record holds its proposal.
    pub fn propose(
        id: AmendmentId,
        change: Change,
        invited: Vec<DelegationCode>,
        justification: Option<String>,
        base: Base,
        at: DateTime<FixedOffset>,
    ) -> Amendment {
        let proposer = id.proposer().clone();
        Amendment {
            record: vec![RecordEntry::new(RecordAction::Propose, &proposer, at)],
            id,
            proposer,
            cosponsors: Vec::new(),
            invited,
            change,
            justification,
            base,
            status: AmendmentStatus::Tabled,
        }
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
                    RecordAction::Reopen => AmendmentStatus::Tabled,
                    RecordAction::Apply => AmendmentStatus::Applied,
                    _ => status,
                }
            })
    }

    /// The decision entry (accept or reject), if any.
    pub fn decision(&self) -> Option<&RecordEntry> {
        self.record
            .iter()
            .rev()
            .find(|e| matches!(e.action, RecordAction::Accept | RecordAction::Reject))
    }

    /// The wording that will be applied: the chair's modified text when accepted as modified,
    /// else the proposal's (as carried onto a newer text by a rebase).
    pub fn effective_text(&self) -> Option<&str> {
        self.effective_replacement().map(|(_, text)| text)
    }

    /// The words the effective text replaces: the chair's span when accepting as modified
    /// reached beyond the proposal's, else the proposal's span (`None`: the whole wording).
    pub fn effective_span(&self) -> Option<&str> {
        self.effective_replacement().and_then(|(span, _)| span)
    }

    /// The latest decision's modification unless it was reopened, else the latest rebase,
    /// else the proposal: `(span, text)`.
    fn effective_replacement(&self) -> Option<(Option<&str>, &str)> {
        let proposed_span = match &self.change {
            Change::Replace { span, .. } => span.as_deref(),
            _ => None,
        };
        let mut proposed = self.change.text()?;
        let mut decided: Option<(Option<&str>, &str)> = None;
        for entry in &self.record {
            match (entry.action, entry.text.as_deref()) {
                (RecordAction::Rebase, Some(text)) => {
                    proposed = text;
                    decided = None;
                }
                (RecordAction::Accept, Some(text)) => {
                    decided = Some((entry.span.as_deref().or(proposed_span), text));
                }
                (RecordAction::Accept | RecordAction::Reopen, None) => decided = None,
                _ => {}
            }
        }
        Some(decided.unwrap_or((proposed_span, proposed)))
    }

    /// The wording of `clause` once this amendment alone is applied to `current` (the clause's
    /// wording now), or `None` when its span no longer occurs exactly once there. Only for
    /// replacements and insertions.
    pub fn result_wording(&self, current: &str) -> Option<String> {
        let text = self.effective_text()?;
        match (&self.change, self.effective_span()) {
            (Change::Replace { .. }, Some(span)) => replace_unique(current, span, text),
            _ => Some(normalise_wording(text)),
        }
    }

    /// Like [`result_wording`](Self::result_wording), with the wording the delegation proposed
    /// (as carried onto a newer text by a rebase), whatever the chair decided.
    pub fn proposed_wording(&self, current: &str) -> Option<String> {
        let (span, text) = self.proposed_replacement()?;
        match (&self.change, span) {
            (Change::Replace { .. }, Some(span)) => replace_unique(current, span, text),
            _ => Some(normalise_wording(text)),
        }
    }

    /// Whether the chair's decision changed the wording proposed: accepted as modified.
    pub fn modified_by_chair(&self) -> bool {
        self.effective_replacement() != self.proposed_replacement()
    }

    /// The proposal's `(span, text)`, as the latest rebase left it.
    fn proposed_replacement(&self) -> Option<(Option<&str>, &str)> {
        let span = match &self.change {
            Change::Replace { span, .. } => span.as_deref(),
            _ => None,
        };
        let mut text = self.change.text()?;
        for entry in &self.record {
            if let (RecordAction::Rebase, Some(rebased)) = (entry.action, entry.text.as_deref()) {
                text = rebased;
            }
        }
        Some((span, text))
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

    /// Whether the amendment no longer fits the text: see [`Amendment::staleness`].
    pub fn is_stale(&self, declaration: &Declaration) -> bool {
        self.staleness(declaration).is_some()
    }

    /// How the text has moved on under the amendment, if it has: its clause or its anchor is
    /// gone, or its clause's wording changed since it was drafted.
    pub fn staleness(&self, declaration: &Declaration) -> Option<Staleness> {
        if let Some(target) = self.change.target()
            && !declaration.clauses.contains_key(target)
        {
            return Some(Staleness::ClauseGone(target.clone()));
        }
        if let Some(anchor) = self.change.anchor()
            && !declaration.clauses.contains_key(anchor)
        {
            return Some(Staleness::AnchorGone(anchor.clone()));
        }
        let hash = self.base.text_hash.as_ref()?;
        let clause = declaration.clauses.get(self.change.target()?)?;
        (&clause.wording_hash() != hash).then_some(Staleness::Changed)
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
            Change::Replace { clause, .. } => {
                let old = current(clause)?;
                let new = self.result_wording(&old).unwrap_or_else(|| old.clone());
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
            span: None,
            revision: None,
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
            RecordAction::Retract => "retract",
            RecordAction::Withdraw => "withdraw",
            RecordAction::Accept => "accept",
            RecordAction::Reject => "reject",
            RecordAction::Reopen => "reopen",
            RecordAction::Apply => "apply",
            RecordAction::Rebase => "rebase",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::declaration::Role;

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
        assert!(
            matches!(both, RuleError::HoldsAnotherPosition { .. }),
            "{both}"
        );
        assert!(
            both.to_string().contains("decl amend retract TUR-1"),
            "{both}"
        );
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
            .act(&rus, Act::Accept { modified: None }, at(11))
            .unwrap_err();
        assert!(matches!(not_chair, RuleError::NotChairOrSecretariat { .. }));
        let not_proposer = amendment.act(&rus, Act::Withdraw, at(11)).unwrap_err();
        assert!(matches!(not_proposer, RuleError::NotProposer { .. }));

        amendment
            .act(
                &chair,
                Act::Accept {
                    modified: Some(Modification::of_proposal("could")),
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
    fn a_delegation_holds_one_position_and_can_take_it_back() {
        let mut amendment = tabled();
        let qat = delegation("QAT", Role::Member);
        let kaz = delegation("KAZ", Role::Member);
        amendment.act(&qat, Act::Support, at(10)).unwrap();
        // Joining as co-sponsor supersedes the support: counted once.
        amendment.act(&qat, Act::Cosponsor, at(11)).unwrap();
        assert!(amendment.supporters().is_empty());
        assert_eq!(amendment.cosponsors, std::slice::from_ref(&qat.code));
        let again = amendment.act(&qat, Act::Support, at(11)).unwrap_err();
        assert!(
            matches!(again, RuleError::HoldsAnotherPosition { .. }),
            "{again}"
        );
        amendment.act(&qat, Act::Retract, at(12)).unwrap();
        assert!(amendment.cosponsors.is_empty());
        assert_eq!(amendment.stance_of(&qat.code), None);
        amendment
            .act(&qat, Act::Oppose { reason: None }, at(13))
            .unwrap();
        assert_eq!(amendment.opponents(), [&qat.code]);
        let nothing = amendment.act(&kaz, Act::Retract, at(13)).unwrap_err();
        assert!(matches!(nothing, RuleError::NoPosition { .. }), "{nothing}");
        assert_eq!(amendment.status_from_record(), AmendmentStatus::Tabled);
    }

    #[test]
    fn the_chair_decides_but_takes_no_position() {
        let mut amendment = tabled();
        for role in [Role::Chair, Role::Secretariat] {
            let error = amendment
                .act(&delegation("TJK", role), Act::Support, at(10))
                .unwrap_err();
            assert!(matches!(error, RuleError::NotMember { .. }), "{error}");
        }
    }

    #[test]
    fn a_reopened_decision_no_longer_counts() {
        let mut amendment = tabled();
        let chair = delegation("TJK", Role::Chair);
        let tur = delegation("TUR", Role::Member);
        let not_decided = amendment
            .act(&chair, Act::Reopen { reason: None }, at(10))
            .unwrap_err();
        assert!(
            matches!(not_decided, RuleError::NotDecided { .. }),
            "{not_decided}"
        );
        let modified = Modification {
            span: Some("b shall".into()),
            text: "b could".into(),
        };
        let accept = Act::Accept {
            modified: Some(modified),
        };
        amendment.act(&chair, accept, at(11)).unwrap();
        assert_eq!(amendment.effective_span(), Some("b shall"));
        assert_eq!(
            amendment.result_wording("a b shall c").unwrap(),
            "a b could c"
        );
        let reopen = Act::Reopen {
            reason: Some("Further consultations.".into()),
        };
        assert!(amendment.act(&tur, reopen.clone(), at(12)).is_err());
        amendment.act(&chair, reopen, at(12)).unwrap();
        assert_eq!(amendment.status, AmendmentStatus::Tabled);
        assert_eq!(amendment.status_from_record(), AmendmentStatus::Tabled);
        assert_eq!(amendment.effective_span(), Some("shall"));
        assert_eq!(amendment.effective_text(), Some("should"));
        amendment
            .act(&chair, Act::Reject { reason: None }, at(13))
            .unwrap();
        amendment
            .act(&chair, Act::Reopen { reason: None }, at(14))
            .unwrap();
        amendment.mark_applied(&chair.code, "rev1", at(15));
        let applied = amendment
            .act(&chair, Act::Reopen { reason: None }, at(16))
            .unwrap_err();
        assert!(matches!(applied, RuleError::NotDecided { .. }), "{applied}");
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
