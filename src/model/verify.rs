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
    /// `declaration.yaml`: metadata and the order of clauses.
    Meta,
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
                FileChange::Meta => self.text_change(actor, is_cut, "declaration.yaml", false),
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
                format!("amendments/{id}.yaml removed by {code}; an amendment is withdrawn, never deleted"),
            );
            return;
        };
        let is_proposer = &after.proposer == code && id.proposer() == code;
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
                let cosponsors_before: BTreeSet<_> = before.cosponsors.iter().collect();
                let cosponsors_after: BTreeSet<_> = after.cosponsors.iter().collect();
                let others = cosponsors_before
                    .symmetric_difference(&cosponsors_after)
                    .any(|c| *c != code);
                if others && !is_proposer {
                    self.breach_by(
                        actor,
                        Rule::RecordNotOwn,
                        format!("{code} changed another delegation's co-sponsorship of {id}"),
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
                RecordAction::Accept | RecordAction::Reject | RecordAction::Apply
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
        RecordAction::Withdraw => "withdraw",
        RecordAction::Accept => "accept",
        RecordAction::Reject => "reject",
        RecordAction::Apply => "apply",
        RecordAction::Rebase => "rebase",
    }
}
