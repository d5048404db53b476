//! The rules `decl verify` checks on every commit: who may change which file, and who must
//! have signed.
//!
//! Pure: the store gathers the [`CommitFacts`] of a commit (who authored it, who signed it,
//! which files it changed and how, read from the commit and its first parent), and
//! [`check_commit`] returns every [`Breach`]. The acting delegation is the one the author
//! names, looked up in `delegations.yaml` *before* the commit (in the commit itself for the
//! first commit), so that a commit cannot grant itself the rights it uses.
//!
//! Signatures: a delegation that lists keys in `delegations.yaml` must sign every commit with
//! one of them; with [`SignaturePolicy::Everyone`] (`decl verify --require-signatures`) every
//! commit must be signed with a key of its delegation. The default lets a history that
//! started unsigned, such as the bundled Dushanbe negotiation, verify until keys are added.

use std::collections::BTreeSet;
use std::fmt;

use super::amendment::{Amendment, RecordAction, RecordEntry};
use super::declaration::{Clause, Delegation, Role};
use super::id::{AmendmentId, ClauseId};
use super::key::SignatureCheck;

/// Which commits must carry a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignaturePolicy {
    /// Commits by delegations that have keys in `delegations.yaml`.
    #[default]
    KeyedDelegations,
    /// Every commit.
    Everyone,
}

/// What the store found out about one commit.
#[derive(Debug, Clone)]
pub struct CommitFacts {
    pub commit: String,
    pub summary: String,
    /// `Name <email>`, as the commit says.
    pub author: String,
    /// The delegation the author names, if any.
    pub actor: Option<Delegation>,
    pub signature: SignatureCheck,
    /// The files the commit changed. For a merge: what it changed beyond decl's own merge of
    /// its parents, so that the merger answers for anything slipped in.
    pub changes: Vec<FileChange>,
    /// For a merge whose parents decl cannot merge itself: why.
    pub unmergeable: Option<String>,
}

/// One changed file, classified.
// A commit changes a handful of files: boxing the amendments would save nothing worth it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FileChange {
    Delegations,
    /// `declaration.yaml`: metadata and the order of clauses. `adopts`: the only change
    /// records the adoption (a final cut, which may apply no amendment).
    Meta {
        adopts: bool,
    },
    Clause {
        id: ClauseId,
        before: Option<Clause>,
        after: Option<Clause>,
    },
    Translation {
        path: String,
    },
    Amendment {
        id: AmendmentId,
        before: Option<Amendment>,
        after: Option<Amendment>,
    },
    /// An amendment file that does not parse (or whose name is no amendment id).
    UnreadableAmendment {
        path: String,
    },
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub commit: String,
    pub summary: String,
    /// The acting delegation's code, or the author when it names none.
    pub delegation: String,
    pub rule: Rule,
    pub detail: String,
}

/// The rules, each with a stable name for scripts and hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    UnknownAuthor,
    Unsigned,
    WrongKey,
    BadSignature,
    AmendmentNotProposer,
    RecordNotOwn,
    DecisionNotChair,
    StatusNotFromRecord,
    AmendmentRemoved,
    UnreadableAmendment,
    ClauseOutsideCut,
    DelegationsNotSecretariat,
    MergeNotDecl,
    CosponsorNotOwn,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::UnknownAuthor => "unknown-author",
            Rule::Unsigned => "unsigned",
            Rule::WrongKey => "wrong-key",
            Rule::BadSignature => "bad-signature",
            Rule::AmendmentNotProposer => "amendment-not-proposer",
            Rule::RecordNotOwn => "record-not-own",
            Rule::DecisionNotChair => "decision-not-chair",
            Rule::StatusNotFromRecord => "status-not-from-record",
            Rule::AmendmentRemoved => "amendment-removed",
            Rule::UnreadableAmendment => "unreadable-amendment",
            Rule::ClauseOutsideCut => "clause-outside-cut",
            Rule::DelegationsNotSecretariat => "delegations-not-secretariat",
            Rule::MergeNotDecl => "merge-not-decl",
            Rule::CosponsorNotOwn => "cosponsor-not-own",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every rule `facts` breaks.
pub fn check_commit(facts: &CommitFacts, policy: SignaturePolicy) -> Vec<Breach> {
    let mut checker = Checker {
        facts,
        breaches: Vec::new(),
    };
    let Some(actor) = &facts.actor else {
        checker.breach(
            facts.author.clone(),
            Rule::UnknownAuthor,
            format!(
                "the author {} is no delegation in delegations.yaml",
                facts.author
            ),
        );
        if let SignatureCheck::Bad(why) = &facts.signature {
            checker.breach(facts.author.clone(), Rule::BadSignature, why.clone());
        }
        return checker.breaches;
    };
    checker.signature(actor, policy);
    if let Some(why) = &facts.unmergeable {
        checker.breach_by(actor, Rule::MergeNotDecl, why.clone());
    }
    checker.changes(actor);
    checker.breaches
}

struct Checker<'f> {
    facts: &'f CommitFacts,
    breaches: Vec<Breach>,
}

impl Checker<'_> {
    fn breach(&mut self, delegation: String, rule: Rule, detail: String) {
        self.breaches.push(Breach {
            commit: self.facts.commit.clone(),
            summary: self.facts.summary.clone(),
            delegation,
            rule,
            detail,
        });
    }

    fn breach_by(&mut self, actor: &Delegation, rule: Rule, detail: String) {
        self.breach(actor.code.to_string(), rule, detail);
    }

    fn signature(&mut self, actor: &Delegation, policy: SignaturePolicy) {
        let required = !actor.keys.is_empty() || policy == SignaturePolicy::Everyone;
        match &self.facts.signature {
            SignatureCheck::Unsigned if required => {
                let why = if actor.keys.is_empty() {
                    format!(
                        "the commit is not signed (and {} has no key in delegations.yaml)",
                        actor.code
                    )
                } else {
                    "the commit is not signed".to_owned()
                };
                self.breach_by(actor, Rule::Unsigned, why);
            }
            SignatureCheck::Unsigned => {}
            SignatureCheck::Good { fingerprint, key } => {
                let own = actor.keys.iter().any(|k| k.matches(key));
                if !own && required {
                    self.breach_by(
                        actor,
                        Rule::WrongKey,
                        format!(
                            "signed with {fingerprint}, which is not one of {}'s keys",
                            actor.code
                        ),
                    );
                }
            }
            SignatureCheck::Bad(why) => self.breach_by(actor, Rule::BadSignature, why.clone()),
        }
    }

    fn changes(&mut self, actor: &Delegation) {
        let changes = &self.facts.changes;
        // A revision cut marks the amendments it applies; only then may the chair rewrite text.
        let is_cut = changes.iter().any(|change| match change {
            FileChange::Amendment {
                before,
                after: Some(after),
                ..
            } => added_entries(before.as_ref(), after)
                .iter()
                .any(|entry| entry.action == RecordAction::Apply),
            _ => false,
        });
        let renumbered = renumberings(changes);
        for change in changes {
            match change {
                FileChange::Delegations => {
                    if actor.role != Role::Secretariat {
                        self.breach_by(
                            actor,
                            Rule::DelegationsNotSecretariat,
                            format!(
                                "delegations.yaml changed by {} ({}); only the secretariat may change it",
                                actor.code, actor.role
                            ),
                        );
                    }
                }
                FileChange::Meta { adopts } => {
                    self.text_change(actor, is_cut || *adopts, "declaration.yaml", false)
                }
                FileChange::Clause { id, before, after } => {
                    let status_only = match (before, after) {
                        (Some(before), Some(after)) => {
                            Clause {
                                status: after.status,
                                ..before.clone()
                            } == *after
                        }
                        _ => false,
                    };
                    self.text_change(actor, is_cut, &format!("clauses/{id}.yaml"), status_only);
                }
                FileChange::Translation { path } => {
                    if !actor.may_decide() {
                        self.breach_by(
                            actor,
                            Rule::ClauseOutsideCut,
                            format!("{path} changed by {}; only the chair or the secretariat records translations", actor.code),
                        );
                    }
                }
                FileChange::UnreadableAmendment { path } => self.breach_by(
                    actor,
                    Rule::UnreadableAmendment,
                    format!("{path} is not a valid amendment file"),
                ),
                FileChange::Amendment { id, before, after } => {
                    if renumbered.contains(id) {
                        if let Some(amendment) = before.as_ref().or(after.as_ref())
                            && amendment.proposer != actor.code
                        {
                            self.breach_by(
                                actor,
                                Rule::AmendmentNotProposer,
                                format!(
                                    "{id} renumbered by {}, not by its proposer {}",
                                    actor.code, amendment.proposer
                                ),
                            );
                        }
                        continue;
                    }
                    self.amendment(actor, id, before.as_ref(), after.as_ref());
                }
            }
        }
    }

    /// A change of the text (a clause, or the order in `declaration.yaml`): the secretariat
    /// may edit; the chair may cut a revision or change a clause's status.
    fn text_change(&mut self, actor: &Delegation, is_cut: bool, path: &str, status_only: bool) {
        let allowed = match actor.role {
            Role::Secretariat => true,
            Role::Chair => is_cut || status_only,
            Role::Member | Role::Observer => false,
        };
        if !allowed {
            self.breach_by(
                actor,
                Rule::ClauseOutsideCut,
                format!(
                    "{path} changed by {} ({}) outside a revision cut or a secretariat edit",
                    actor.code, actor.role
                ),
            );
        }
    }

    fn amendment(
        &mut self,
        actor: &Delegation,
        id: &AmendmentId,
        before: Option<&Amendment>,
        after: Option<&Amendment>,
    ) {
        let code = &actor.code;
        let Some(after) = after else {
            self.breach_by(
                actor,
                Rule::AmendmentRemoved,
                format!(
                    "{} removed by {code}; an amendment is withdrawn, never deleted",
                    super::validate::amendment_file(id)
                ),
            );
            return;
        };
        let is_proposer = &after.proposer == code && id.proposer() == code;
        // Co-sponsorship is given, not taken: a delegation joins (or leaves) by its own commit,
        // and only the proposer invites.
        let no_cosponsors = Vec::new();
        let (cosponsors_before, invited_before) = before
            .map_or((&no_cosponsors, &no_cosponsors), |b| {
                (&b.cosponsors, &b.invited)
            });
        let cosponsors_before: BTreeSet<_> = cosponsors_before.iter().collect();
        let cosponsors_after: BTreeSet<_> = after.cosponsors.iter().collect();
        for other in cosponsors_before.symmetric_difference(&cosponsors_after) {
            if *other != code {
                self.breach_by(
                    actor,
                    Rule::CosponsorNotOwn,
                    format!("{code} changed {other}'s co-sponsorship of {id}; a delegation joins or leaves by its own commit"),
                );
            }
        }
        let invited_before: BTreeSet<_> = invited_before.iter().collect();
        for added in after.invited.iter().filter(|c| !invited_before.contains(c)) {
            if !is_proposer {
                self.breach_by(
                    actor,
                    Rule::CosponsorNotOwn,
                    format!("{code} invited {added} to co-sponsor {id}; only its proposer invites"),
                );
            }
        }
        for removed in invited_before.iter().filter(|c| !after.invited.contains(c)) {
            if *removed != code && !is_proposer {
                self.breach_by(
                    actor,
                    Rule::CosponsorNotOwn,
                    format!("{code} took back {removed}'s invitation to co-sponsor {id}"),
                );
            }
        }
        match before {
            None if !is_proposer => {
                self.breach_by(
                    actor,
                    Rule::AmendmentNotProposer,
                    format!(
                        "{id} created by {code}, but it is {}'s amendment",
                        after.proposer
                    ),
                );
                return;
            }
            Some(before) => {
                let fields_changed = before.proposer != after.proposer
                    || before.change != after.change
                    || before.justification != after.justification;
                if fields_changed && !is_proposer {
                    self.breach_by(
                        actor,
                        Rule::AmendmentNotProposer,
                        format!(
                            "{id}'s proposal changed by {code}; only {} may change it",
                            before.proposer
                        ),
                    );
                }
                if before.base != after.base && !is_proposer && !actor.may_decide() {
                    self.breach_by(
                        actor,
                        Rule::AmendmentNotProposer,
                        format!("{id}'s base text changed by {code}; only its proposer, the chair or the secretariat may rebase it"),
                    );
                }
            }
            None => {}
        }
        if after.status != after.status_from_record() {
            self.breach_by(
                actor,
                Rule::StatusNotFromRecord,
                format!(
                    "{id} says it is {}, but its record makes it {}",
                    after.status,
                    after.status_from_record()
                ),
            );
        }
        let mut changed = added_entries(before, after);
        if let Some(before) = before {
            changed.extend(added_entries(Some(after), before));
        }
        for entry in changed {
            if &entry.by != code {
                self.breach_by(
                    actor,
                    Rule::RecordNotOwn,
                    format!(
                        "{code} changed {}'s {} entry in {id}'s record",
                        entry.by,
                        action_name(entry.action)
                    ),
                );
                continue;
            }
            match entry.action {
                RecordAction::Accept
                | RecordAction::Reject
                | RecordAction::Reopen
                | RecordAction::Apply
                    if !actor.may_decide() =>
                {
                    self.breach_by(
                        actor,
                        Rule::DecisionNotChair,
                        format!(
                            "{code} ({}) recorded {} on {id}; only the chair or the secretariat decides",
                            actor.role,
                            action_name(entry.action)
                        ),
                    );
                }
                RecordAction::Propose | RecordAction::Withdraw if !is_proposer => {
                    self.breach_by(
                        actor,
                        Rule::AmendmentNotProposer,
                        format!(
                            "{code} recorded {} on {id}, which is {}'s",
                            action_name(entry.action),
                            after.proposer
                        ),
                    );
                }
                RecordAction::Rebase if !is_proposer && !actor.may_decide() => {
                    self.breach_by(
                        actor,
                        Rule::AmendmentNotProposer,
                        format!("{code} rebased {id}, which is {}'s", after.proposer),
                    );
                }
                _ => {}
            }
        }
    }
}

/// The record entries in `after` that `before` does not have (as a multiset).
fn added_entries<'a>(before: Option<&Amendment>, after: &'a Amendment) -> Vec<&'a RecordEntry> {
    let mut remaining: Vec<&RecordEntry> = before
        .map(|b| b.record.iter().collect())
        .unwrap_or_default();
    let mut added = Vec::new();
    for entry in &after.record {
        match remaining.iter().position(|other| *other == entry) {
            Some(idx) => {
                remaining.swap_remove(idx);
            }
            None => added.push(entry),
        }
    }
    added
}

/// Amendments removed and re-created under another number with the same content (what
/// `decl sync` does when two clones took the same id): both ids.
fn renumberings(changes: &[FileChange]) -> BTreeSet<AmendmentId> {
    let removed: Vec<&Amendment> = changes
        .iter()
        .filter_map(|change| match change {
            FileChange::Amendment {
                before: Some(before),
                after: None,
                ..
            } => Some(before),
            _ => None,
        })
        .collect();
    let mut ids = BTreeSet::new();
    for change in changes {
        if let FileChange::Amendment {
            before: None,
            after: Some(after),
            ..
        } = change
            && let Some(old) = removed
                .iter()
                .find(|old| super::sync::same_but_number(old, after))
        {
            ids.insert(old.id.clone());
            ids.insert(after.id.clone());
        }
    }
    ids
}

fn action_name(action: RecordAction) -> &'static str {
    match action {
        RecordAction::Propose => "propose",
        RecordAction::Support => "support",
        RecordAction::Oppose => "oppose",
        RecordAction::Cosponsor => "co-sponsor",
        RecordAction::Retract => "retract",
        RecordAction::Withdraw => "withdraw",
        RecordAction::Accept => "accept",
        RecordAction::Reject => "reject",
        RecordAction::Reopen => "reopen",
        RecordAction::Apply => "apply",
        RecordAction::Rebase => "rebase",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Act, Base, Change, ClauseKind, ClauseStatus, DelegationKey};
    use chrono::DateTime;

    fn delegation(code: &str, role: Role) -> Delegation {
        Delegation {
            code: code.parse().unwrap(),
            name: code.into(),
            role,
            email: None,
            keys: Vec::new(),
        }
    }

    fn facts(actor: Option<Delegation>, changes: Vec<FileChange>) -> CommitFacts {
        CommitFacts {
            commit: "c0ffee".into(),
            summary: "a change".into(),
            author: "Someone <someone@example.org>".into(),
            actor,
            signature: SignatureCheck::Unsigned,
            changes,
            unmergeable: None,
        }
    }

    /// The names of the rules `facts` breaks.
    fn check(facts: &CommitFacts) -> Vec<&'static str> {
        check_commit(facts, SignaturePolicy::KeyedDelegations)
            .iter()
            .map(|breach| breach.rule.name())
            .collect()
    }

    fn proposal(id: &str) -> Amendment {
        Amendment::propose(
            id.parse().unwrap(),
            Change::Delete {
                clause: "op-x".parse().unwrap(),
            },
            Vec::new(),
            None,
            Base {
                commit: "abc".into(),
                text_hash: None,
            },
            DateTime::parse_from_rfc3339("2022-09-12T10:00:00+05:00").unwrap(),
        )
    }

    fn amendment_change(before: Option<Amendment>, after: Amendment) -> FileChange {
        FileChange::Amendment {
            id: after.id.clone(),
            before,
            after: Some(after),
        }
    }

    fn clause(status: ClauseStatus, text: &str) -> Clause {
        Clause {
            kind: ClauseKind::Operative,
            status,
            text: text.into(),
            subparagraphs: Vec::new(),
            notes: None,
        }
    }

    #[test]
    fn a_delegation_proposes_and_supports_for_itself_only() {
        let tur = delegation("TUR", Role::Member);
        let qat = delegation("QAT", Role::Member);
        let new = amendment_change(None, proposal("TUR-1"));
        assert!(check(&facts(Some(tur.clone()), vec![new.clone()])).is_empty());
        assert_eq!(
            check(&facts(Some(qat.clone()), vec![new])),
            ["amendment-not-proposer"]
        );

        let at = DateTime::parse_from_rfc3339("2022-09-12T11:00:00+05:00").unwrap();
        let mut supported = proposal("TUR-1");
        supported.act(&qat, Act::Support, at).unwrap();
        let support = amendment_change(Some(proposal("TUR-1")), supported);
        assert!(check(&facts(Some(qat), vec![support.clone()])).is_empty());
        // TUR writing QAT's support into the record is a forgery, even on its own amendment.
        assert_eq!(check(&facts(Some(tur), vec![support])), ["record-not-own"]);
    }

    #[test]
    fn decisions_belong_to_the_chair() {
        let at = DateTime::parse_from_rfc3339("2022-09-12T11:00:00+05:00").unwrap();
        let chair = delegation("TJK", Role::Chair);
        let mut accepted = proposal("TUR-1");
        accepted
            .act(&chair, Act::Accept { modified: None }, at)
            .unwrap();
        let decision = amendment_change(Some(proposal("TUR-1")), accepted.clone());
        assert!(check(&facts(Some(chair), vec![decision])).is_empty());
        // The same entry in a member's name and hand.
        let mut forged = accepted;
        forged.record[1].by = "RUS".parse().unwrap();
        let decision = amendment_change(Some(proposal("TUR-1")), forged);
        let rus = delegation("RUS", Role::Member);
        assert_eq!(
            check(&facts(Some(rus), vec![decision])),
            ["decision-not-chair"]
        );
    }

    #[test]
    fn clauses_change_by_the_secretariat_or_a_chair_s_status_mark() {
        let id: ClauseId = "op-x".parse().unwrap();
        let change = |before: Clause, after: Clause| FileChange::Clause {
            id: id.clone(),
            before: Some(before),
            after: Some(after),
        };
        let mark = change(
            clause(ClauseStatus::Draft, "a"),
            clause(ClauseStatus::Agreed, "a"),
        );
        let edit = change(
            clause(ClauseStatus::Draft, "a"),
            clause(ClauseStatus::Draft, "b"),
        );
        let chair = delegation("TJK", Role::Chair);
        let secretariat = delegation("UNOCT", Role::Secretariat);
        let member = delegation("TUR", Role::Member);
        assert!(check(&facts(Some(chair.clone()), vec![mark.clone()])).is_empty());
        assert_eq!(
            check(&facts(Some(chair), vec![edit.clone()])),
            ["clause-outside-cut"]
        );
        assert!(check(&facts(Some(secretariat.clone()), vec![edit.clone()])).is_empty());
        assert_eq!(
            check(&facts(Some(member.clone()), vec![mark])),
            ["clause-outside-cut"]
        );
        assert_eq!(
            check(&facts(Some(member), vec![FileChange::Delegations])),
            ["delegations-not-secretariat"]
        );
        assert!(check(&facts(Some(secretariat), vec![FileChange::Delegations])).is_empty());
    }

    #[test]
    fn signatures_are_required_of_delegations_with_keys() {
        use ssh_key::PrivateKey;
        use ssh_key::private::Ed25519Keypair;
        let public = |seed| {
            let key = PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]));
            key.public_key().clone()
        };
        let mut tur = delegation("TUR", Role::Member);
        let keyless = facts(Some(tur.clone()), Vec::new());
        assert!(check(&keyless).is_empty());
        assert_eq!(
            check_commit(&keyless, SignaturePolicy::Everyone)[0].rule,
            Rule::Unsigned
        );
        tur.keys = vec![DelegationKey::new(public(1))];
        let mut commit = facts(Some(tur), Vec::new());
        assert_eq!(check(&commit), ["unsigned"]);
        commit.signature = SignatureCheck::Good {
            fingerprint: "SHA256:x".into(),
            key: public(2).key_data().clone(),
        };
        assert_eq!(check(&commit), ["wrong-key"]);
        commit.signature = SignatureCheck::Good {
            fingerprint: "SHA256:x".into(),
            key: public(1).key_data().clone(),
        };
        assert!(check(&commit).is_empty());
        assert_eq!(check(&facts(None, Vec::new())), ["unknown-author"]);
    }
}
