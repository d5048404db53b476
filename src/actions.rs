//! The actions that change a declaration repository, each one commit.
//!
//! Both the command line and the replay of a recorded negotiation (`decl init --from`) come
//! here, so the rules of procedure are applied the same way whoever acts. An action loads only
//! what it needs from the last commit (never the history), checks the rules in the model, and
//! commits through a store [`Transaction`](crate::store::Transaction).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};

use crate::model::adoption::{Translation, export_blockers};
use crate::model::amendment::{
    ModifyError, modification_from_paragraph, normalise_wording, replace_unique,
};
use crate::model::declaration::{Clause, ClauseKind};
use crate::model::revision::{Conflict, apply_accepted};
use crate::model::suggest::did_you_mean;
use crate::model::validate::wording_problems;
use crate::model::{
    Act, Amendment, AmendmentId, AmendmentStatus, Base, Change, ClauseId, ClauseStatus,
    Declaration, Delegation, DelegationCode, Part, Position, RuleError, Staleness,
};
use crate::store::{DeclRepo, NewTag, StoreError, Transaction};

/// Something a delegation does.
#[derive(Debug, Clone)]
pub enum Action {
    Propose(Proposal),
    Act {
        id: AmendmentId,
        act: Act,
    },
    /// Accept an amendment as modified: `paragraph` is the whole paragraph as the chair wants
    /// it to read (for an insertion, the new paragraph); decl works out what it replaces.
    AcceptAsModified {
        id: AmendmentId,
        paragraph: String,
    },
    Cut {
        name: String,
        label: Option<String>,
        /// The adopted text: refused while anything stands in the way of a final export,
        /// unless `force`; afterwards no amendment is proposed or accepted.
        adoption: Adoption,
    },
    Mark {
        status: ClauseStatus,
        clauses: Vec<ClauseId>,
    },
    /// Carry a stale amendment onto the current text of its clause.
    Rebase {
        id: AmendmentId,
    },
    /// Record a translation of the current text (the secretariat).
    Translate {
        translation: Translation,
    },
}

/// Whether a revision cut adopts the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Adoption {
    /// A revision of the negotiation (Rev.1, Rev.2, ...).
    #[default]
    None,
    /// The adopted text, which must be ready for a final export.
    Final,
    /// The adopted text, as it stands, whatever is unsettled.
    FinalForced,
}

/// What `decl amend propose` asks for.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub target: Target,
    pub text: Option<String>,
    pub span: Option<String>,
    pub justification: Option<String>,
    pub cosponsors: Vec<DelegationCode>,
    /// For an insertion: the new clause's id (default: the proposer's code and number).
    pub new_id: Option<ClauseId>,
}

#[derive(Debug, Clone)]
pub enum Target {
    Replace(ClauseId),
    Insert(Position),
    Delete(ClauseId),
    Move(ClauseId, Position),
}

/// What an action did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub commit: String,
    pub summary: String,
    /// The amendment proposed or acted on.
    pub amendment: Option<AmendmentId>,
    /// Amendments that compete with one just accepted and still need a decision.
    pub competing: Vec<AmendmentId>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("unknown delegation {code}{hint}")]
    UnknownDelegation { code: String, hint: String },
    #[error("unknown clause {id}{hint}")]
    UnknownClause { id: String, hint: String },
    #[error("unknown amendment {id}{hint}")]
    UnknownAmendment { id: String, hint: String },
    #[error("{0}")]
    Refused(String),
    #[error("the accepted amendments conflict, so no revision was cut:\n{}", list_conflicts(.0))]
    Conflicts(Vec<Conflict>),
    #[error("{id} cannot be accepted: it would not apply beside the amendments already accepted:\n{}", list_conflicts(.conflicts))]
    WouldNotApply {
        id: AmendmentId,
        /// What the amendment does (`Change::operation`): the ways out differ.
        operation: &'static str,
        conflicts: Vec<Conflict>,
    },
    #[error(transparent)]
    Modify(#[from] ModifyError),
    #[error("the text was adopted in revision {revision}: {what}")]
    Adopted {
        revision: String,
        what: &'static str,
    },
    #[error("the text cannot be adopted as {name} yet:\n{}", .blockers.iter().map(|b| format!("  {b}")).collect::<Vec<_>>().join("\n"))]
    NotReadyForAdoption { name: String, blockers: Vec<String> },
}

impl ActionError {
    /// What to do about it, as commands that work, where decl knows.
    pub fn hints(&self) -> Vec<String> {
        let others = |conflicts: &[Conflict], except: Option<&AmendmentId>| {
            let mut ids: Vec<String> = conflicts
                .iter()
                .flat_map(|c| &c.amendments)
                .filter(|id| Some(*id) != except)
                .map(|id| id.to_string())
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        match self {
            ActionError::Conflicts(conflicts) => {
                let ids = others(conflicts, None);
                vec![format!(
                    "reopen the amendments named (decl amend reopen {} --reason ...), then reject one, or accept it as modified with wording that fits; then cut again",
                    ids.first().map_or("ID", String::as_str)
                )]
            }
            ActionError::WouldNotApply {
                id,
                operation,
                conflicts,
            } => {
                let ids = others(conflicts, Some(id));
                let mut hints = vec![match *operation {
                    "replace" => format!(
                        "accept {id} as modified with the whole paragraph as it should read (decl amend accept {id} --text ...), or reject it (decl amend reject {id} --reason ...)"
                    ),
                    "insert" => format!(
                        "reject {id} (decl amend reject {id} --reason ...); its proposer may propose the clause again where it fits, or accept it as modified (decl amend accept {id} --text ...) if only its wording collides"
                    ),
                    _ => format!("reject {id} (decl amend reject {id} --reason ...)"),
                }];
                if let Some(other) = ids.first() {
                    hints.push(format!(
                        "or reopen {other} to decide between them (decl amend reopen {other} --reason ...)"
                    ));
                }
                hints
            }
            ActionError::NotReadyForAdoption { name, .. } => vec![format!(
                "settle each point (decl status shows them), or adopt the text as it stands (decl revision cut {name} --final --force)"
            )],
            _ => Vec::new(),
        }
    }
}

fn list_conflicts(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(|c| {
            let ids: Vec<String> = c.amendments.iter().map(|a| a.to_string()).collect();
            format!("  {}: {}", ids.join(", "), c.reason)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Performs `action` as `actor` at time `at`: one commit, or an error and no change.
pub fn perform(
    repo: &DeclRepo,
    actor: &DelegationCode,
    at: DateTime<FixedOffset>,
    action: Action,
) -> Result<Outcome, ActionError> {
    refuse_unwritable_text(&action)?;
    let tx = repo.begin()?;
    let declaration = match clauses_needed(&tx, actor, &action)? {
        Some(clauses) => tx.declaration_with(&clauses)?,
        None => tx.declaration()?,
    };
    let actor = find_delegation(&declaration, actor)?.clone();
    match action {
        Action::Propose(proposal) => propose(tx, &declaration, &actor, at, proposal),
        Action::Act { id, act } => act_on(tx, &declaration, &actor, at, id, act),
        Action::AcceptAsModified { id, paragraph } => {
            let amendment = find_amendment(&tx, &id)?;
            let current = amendment
                .change
                .target()
                .and_then(|target| declaration.clauses.get(target))
                .map(|clause| clause.wording())
                .unwrap_or_default();
            let modified = modification_from_paragraph(&amendment, &current, &paragraph)?;
            act_on(tx, &declaration, &actor, at, id, Act::Accept { modified })
        }
        Action::Cut {
            name,
            label,
            adoption,
        } => cut(tx, &declaration, &actor, at, name, label, adoption),
        Action::Rebase { id } => rebase(tx, &declaration, &actor, at, id),
        Action::Translate { translation } => translate(tx, &declaration, &actor, at, translation),
        Action::Mark { status, clauses } => {
            let mut tx = tx;
            if !actor.may_decide() {
                return Err(RuleError::NotChairOrSecretariat {
                    actor: actor.code.clone(),
                    role: actor.role,
                    what: "change a clause's status",
                }
                .into());
            }
            if clauses.is_empty() {
                return Err(ActionError::Refused("name at least one clause".into()));
            }
            let mut labels = Vec::new();
            for id in &clauses {
                let mut clause = find_clause(&declaration, id)?.clone();
                let agreed = matches!(status, ClauseStatus::Agreed | ClauseStatus::AgreedAdRef);
                if agreed
                    && let Ok(spans) = clause.brackets()
                    && !spans.is_empty()
                {
                    return Err(ActionError::Refused(format!(
                        "{} still holds {} bracketed span(s): a clause with square-bracketed text cannot be {status}",
                        label(&declaration, id),
                        spans.len()
                    )));
                }
                clause.status = status;
                tx.put_clause(id, &clause)?;
                labels.push(label(&declaration, id));
            }
            // A summary line stays readable in `git log --oneline`; the full list goes below.
            let summary = match labels.len() {
                1..=3 => format!("{} marks {} {status}", actor.code, labels.join(", ")),
                n => format!("{} marks {n} clauses {status}", actor.code),
            };
            let message = format!("{summary}\n\n{}\n\nDecl-Action: mark\n", labels.join("\n"));
            let commit = tx.commit(&actor, at, &message, None)?;
            Ok(Outcome {
                commit,
                summary,
                amendment: None,
                competing: Vec::new(),
            })
        }
    }
}

/// Support, oppose, co-sponsor, retract, withdraw, accept, reject or reopen: one entry in the
/// amendment's record. An acceptance is checked as the next cut will apply it, beside every
/// amendment already accepted, so that no decision can jam a cut.
fn act_on(
    mut tx: Transaction<'_>,
    declaration: &Declaration,
    actor: &Delegation,
    at: DateTime<FixedOffset>,
    id: AmendmentId,
    act: Act,
) -> Result<Outcome, ActionError> {
    let mut amendment = find_amendment(&tx, &id)?;
    let describe = amendment.describe(declaration);
    let is_accept = matches!(act, Act::Accept { .. });
    if is_accept {
        refuse_after_adoption(declaration, "no amendment can be accepted")?;
    }
    let summary = act_summary(actor, &act, &amendment, &describe);
    let body = match &act {
        Act::Oppose {
            reason: Some(reason),
        }
        | Act::Reject {
            reason: Some(reason),
        }
        | Act::Reopen {
            reason: Some(reason),
        } => format!("\n\n{reason}"),
        _ => String::new(),
    };
    // Only a tabled amendment is still to be judged against the current text; any other is
    // refused by the record's rules below, with the reason that applies.
    if let Act::Accept { modified } = &act
        && amendment.status == AmendmentStatus::Tabled
        && amendment.staleness(declaration) == Some(Staleness::Changed)
    {
        match modified {
            // The chair's modified wording is written against the current text.
            Some(_) => amendment.base = current_base(&tx, declaration, &amendment),
            None if is_whole_replacement(&amendment) => {
                return Err(ActionError::Refused(format!(
                    "{} was drafted against an older text of {}: rebase it first \
                     (decl amend rebase {}), or accept it as modified with --text",
                    amendment.id,
                    label(declaration, amendment.clause()),
                    amendment.id
                )));
            }
            None => {}
        }
    }
    amendment.act(actor, act, at)?;
    if is_accept {
        check_applies(&tx, declaration, &amendment)?;
    }
    tx.put_amendment(&amendment)?;
    let competing = if is_accept {
        tx.tabled_amendments_on(amendment.clause())?
            .into_iter()
            .filter(|other| other.id != amendment.id)
            .map(|other| other.id)
            .collect()
    } else {
        Vec::new()
    };
    let message = format!("{summary}{body}\n\nDecl-Amendment: {}\n", amendment.id);
    let commit = tx.commit(actor, at, &message, None)?;
    Ok(Outcome {
        commit,
        summary,
        amendment: Some(amendment.id),
        competing,
    })
}

/// Refuses user text that no file or commit message could hold as typed: a NUL anywhere
/// (git cannot store it), and a line break or other control character in a revision's label,
/// which is one line of the commit's summary.
fn refuse_unwritable_text(action: &Action) -> Result<(), ActionError> {
    let mut texts: Vec<(&str, &str)> = Vec::new();
    match action {
        Action::Propose(proposal) => {
            texts.extend(proposal.text.as_deref().map(|t| ("the text", t)));
            texts.extend(proposal.span.as_deref().map(|t| ("the span", t)));
            texts.extend(
                proposal
                    .justification
                    .as_deref()
                    .map(|t| ("the justification", t)),
            );
        }
        Action::Act { act, .. } => match act {
            Act::Oppose {
                reason: Some(reason),
            }
            | Act::Reject {
                reason: Some(reason),
            }
            | Act::Reopen {
                reason: Some(reason),
            } => texts.push(("the reason", reason)),
            Act::Accept {
                modified: Some(modified),
            } => texts.push(("the modified text", &modified.text)),
            _ => {}
        },
        Action::AcceptAsModified { paragraph, .. } => texts.push(("the paragraph", paragraph)),
        Action::Cut { name, label, .. } => {
            for (what, text) in std::iter::once(("the revision name", name.as_str()))
                .chain(label.as_deref().map(|l| ("the label", l)))
            {
                if let Some(c) = text.chars().find(|c| c.is_control()) {
                    return Err(ActionError::Refused(format!(
                        "{what} {text:?} holds the control character U+{:04X}: a revision's name and label are one line",
                        u32::from(c)
                    )));
                }
            }
        }
        Action::Mark { .. } | Action::Rebase { .. } | Action::Translate { .. } => {}
    }
    if let Some((what, _)) = texts.iter().find(|(_, text)| text.contains('\0')) {
        return Err(ActionError::Refused(format!(
            "{what} holds a NUL character (U+0000), which no file or commit can keep: remove it"
        )));
    }
    for (what, text) in texts {
        if let Some(control) = crate::model::validate::bidi_control(text) {
            return Err(ActionError::Refused(format!(
                "{what} holds the bidirectional control U+{:04X}, which makes text display in another order than it reads (\"evil\" shows as \"live\"): remove it",
                u32::from(control)
            )));
        }
    }
    Ok(())
}

/// Refuses what can no longer happen once the text is adopted.
fn refuse_after_adoption(declaration: &Declaration, what: &'static str) -> Result<(), ActionError> {
    match &declaration.meta.adopted {
        Some(revision) => Err(ActionError::Adopted {
            revision: revision.clone(),
            what,
        }),
        None => Ok(()),
    }
}

/// Refuses an acceptance that the next cut could not apply: the amendment with every other
/// one already accepted, applied to the current text as the cut applies them. Conflicts among
/// the others alone (left by an older decl) are not this decision's to refuse.
fn check_applies(
    tx: &Transaction<'_>,
    declaration: &Declaration,
    accepted: &Amendment,
) -> Result<(), ActionError> {
    let others = tx.amendments_awaiting_application()?;
    let mut all: Vec<&Amendment> = others
        .iter()
        .filter(|other| other.id != accepted.id && other.awaits_application())
        .collect();
    all.push(accepted);
    match apply_accepted(declaration, &all) {
        Ok(_) => Ok(()),
        Err(conflicts) => {
            let conflicts: Vec<Conflict> = conflicts
                .into_iter()
                .filter(|conflict| conflict.amendments.contains(&accepted.id))
                .collect();
            if conflicts.is_empty() {
                Ok(())
            } else {
                Err(ActionError::WouldNotApply {
                    id: accepted.id.clone(),
                    operation: accepted.change.operation(),
                    conflicts,
                })
            }
        }
    }
}

/// The clauses an action reads, or `None` when it needs the whole declaration (a revision cut,
/// a rebase, a translation). Most actions touch one clause, and reading only that one keeps
/// their cost independent of the declaration's size.
fn clauses_needed(
    tx: &Transaction<'_>,
    actor: &DelegationCode,
    action: &Action,
) -> Result<Option<BTreeSet<ClauseId>>, ActionError> {
    let change_clauses = |change: &Change| {
        let mut ids: BTreeSet<ClauseId> = BTreeSet::from([change.clause().clone()]);
        if let Change::Insert { position, .. } | Change::Move { position, .. } = change {
            ids.extend(position.anchor().cloned());
        }
        ids
    };
    Ok(match action {
        Action::Propose(proposal) => {
            let mut ids = BTreeSet::new();
            match &proposal.target {
                Target::Replace(id) | Target::Delete(id) => {
                    ids.insert(id.clone());
                }
                Target::Insert(position) => {
                    ids.extend(position.anchor().cloned());
                    // Whether the new clause's id is free: read it if it exists.
                    let number = tx.next_amendment_number(actor)?;
                    ids.extend(default_new_clause_id(actor, number).ok());
                    ids.extend(proposal.new_id.clone());
                }
                Target::Move(id, position) => {
                    ids.insert(id.clone());
                    ids.extend(position.anchor().cloned());
                }
            }
            Some(ids)
        }
        Action::Act { id, act } => {
            let accepts = matches!(act, Act::Accept { .. });
            amendment_clauses(tx, id, accepts, change_clauses)?
        }
        Action::AcceptAsModified { id, .. } => amendment_clauses(tx, id, true, change_clauses)?,
        Action::Mark { clauses, .. } => Some(clauses.iter().cloned().collect()),
        Action::Cut { .. } | Action::Rebase { .. } | Action::Translate { .. } => None,
    })
}

/// The clauses an action on amendment `id` reads: those its change concerns, and for an
/// acceptance those of every amendment already accepted, which it is applied beside.
fn amendment_clauses(
    tx: &Transaction<'_>,
    id: &AmendmentId,
    accepts: bool,
    change_clauses: impl Fn(&Change) -> BTreeSet<ClauseId>,
) -> Result<Option<BTreeSet<ClauseId>>, ActionError> {
    // Unknown: the action reports it, with the nearest ids, after loading.
    let Some(amendment) = tx.amendment(id)? else {
        return Ok(Some(BTreeSet::new()));
    };
    let mut ids = change_clauses(&amendment.change);
    if accepts {
        for other in tx.amendments_awaiting_application()? {
            ids.extend(change_clauses(&other.change));
        }
    }
    Ok(Some(ids))
}

/// The id an inserted clause gets unless the proposer names one: the proposer's code and the
/// amendment's number ("tur-3").
fn default_new_clause_id(actor: &DelegationCode, number: u32) -> Result<ClauseId, ActionError> {
    format!("{}-{number}", actor.as_str().to_lowercase())
        .parse()
        .map_err(|e: crate::model::IdError| ActionError::Refused(e.to_string()))
}

/// The amendment `actor` would table with `proposal`, checked by every rule a proposal is
/// checked by, without committing anything: what a web page shows before "Submit".
pub fn preview(
    repo: &DeclRepo,
    actor: &DelegationCode,
    at: DateTime<FixedOffset>,
    proposal: Proposal,
) -> Result<(Amendment, Declaration), ActionError> {
    let tx = repo.begin()?;
    let action = Action::Propose(proposal);
    let declaration = match clauses_needed(&tx, actor, &action)? {
        Some(clauses) => tx.declaration_with(&clauses)?,
        None => tx.declaration()?,
    };
    let actor = find_delegation(&declaration, actor)?.clone();
    let Action::Propose(proposal) = action else {
        unreachable!("built above as a proposal")
    };
    let amendment = draft_proposal(&tx, &declaration, &actor, at, proposal)?;
    // The transaction is dropped unused: nothing is written.
    Ok((amendment, declaration))
}

fn propose(
    mut tx: Transaction<'_>,
    declaration: &Declaration,
    actor: &Delegation,
    at: DateTime<FixedOffset>,
    proposal: Proposal,
) -> Result<Outcome, ActionError> {
    refuse_after_adoption(declaration, "no amendment can be proposed")?;
    let amendment = draft_proposal(&tx, declaration, actor, at, proposal)?;
    let id = amendment.id.clone();
    tx.put_amendment(&amendment)?;
    let summary = format!(
        "{} proposes {id}: {}",
        actor.code,
        amendment.describe(declaration)
    );
    let mut message = summary.clone();
    if let Some(justification) = &amendment.justification {
        message.push_str(&format!("\n\n{justification}"));
    }
    if !amendment.invited.is_empty() {
        let invited: Vec<&str> = amendment.invited.iter().map(|c| c.as_str()).collect();
        message.push_str(&format!(
            "\n\nInvited to co-sponsor: {}",
            invited.join(", ")
        ));
    }
    message.push_str(&format!("\n\nDecl-Amendment: {id}\n"));
    let commit = tx.commit(actor, at, &message, None)?;
    Ok(Outcome {
        commit,
        summary,
        amendment: Some(id),
        competing: Vec::new(),
    })
}

/// The amendment a proposal makes, after every rule of procedure is checked.
fn draft_proposal(
    tx: &Transaction<'_>,
    declaration: &Declaration,
    actor: &Delegation,
    at: DateTime<FixedOffset>,
    proposal: Proposal,
) -> Result<Amendment, ActionError> {
    if !actor.may_negotiate() {
        return Err(RuleError::Observer {
            actor: actor.code.clone(),
            what: "propose amendments",
        }
        .into());
    }
    for (idx, code) in proposal.cosponsors.iter().enumerate() {
        if proposal.cosponsors[..idx].contains(code) {
            return Err(ActionError::Refused(format!(
                "{code} is named twice as a co-sponsor"
            )));
        }
        let cosponsor = find_delegation(declaration, code)?;
        if cosponsor.code == actor.code {
            return Err(ActionError::Refused(format!(
                "{} is the proposer; a delegation cannot co-sponsor its own amendment",
                actor.code
            )));
        }
        if !cosponsor.may_negotiate() {
            return Err(RuleError::Observer {
                actor: code.clone(),
                what: "co-sponsor amendments",
            }
            .into());
        }
        if !cosponsor.may_cosponsor() {
            return Err(RuleError::NotMember {
                actor: code.clone(),
                role: cosponsor.role,
                what: "co-sponsor",
            }
            .into());
        }
    }
    let number = tx.next_amendment_number(&actor.code)?;
    let id = AmendmentId::new(actor.code.clone(), number);
    let need_text = |what: &str| {
        proposal
            .text
            .clone()
            .filter(|text| !text.trim().is_empty() || proposal.span.is_some())
            .ok_or_else(|| {
                ActionError::Refused(format!(
                    "{what} needs the new wording (--text, --text-file, or an editor)"
                ))
            })
    };
    if proposal.span.is_some() && !matches!(proposal.target, Target::Replace(_)) {
        return Err(ActionError::Refused(
            "--span goes only with --replace".into(),
        ));
    }
    let check_position = |position: &Position| -> Result<(), ActionError> {
        if let Some(anchor) = position.anchor() {
            find_clause(declaration, anchor)?;
        }
        Ok(())
    };
    let change = match proposal.target {
        Target::Replace(clause_id) => {
            let clause = find_clause(declaration, &clause_id)?;
            let text = need_text("a replacement")?;
            if let Some(span) = &proposal.span {
                let wording = clause.wording();
                let count = wording.matches(span.as_str()).count();
                if span.is_empty() || count != 1 {
                    let problem = if count == 0 || span.is_empty() {
                        "does not occur"
                    } else {
                        "occurs more than once"
                    };
                    return Err(ActionError::Refused(format!(
                        "the span {span:?} {problem} in {}; quote enough words to make it unique",
                        label(declaration, &clause_id)
                    )));
                }
            }
            Change::Replace {
                clause: clause_id,
                span: proposal.span,
                text,
            }
        }
        Target::Insert(position) => {
            check_position(&position)?;
            let new_clause = match proposal.new_id {
                Some(id) => id,
                None => default_new_clause_id(&actor.code, number)?,
            };
            if declaration.clauses.contains_key(&new_clause) {
                return Err(ActionError::Refused(format!(
                    "a clause called {new_clause} already exists; choose another with --new-id"
                )));
            }
            Change::Insert {
                new_clause,
                position,
                text: need_text("an insertion")?,
            }
        }
        Target::Delete(clause_id) => {
            find_clause(declaration, &clause_id)?;
            refuse_text(&proposal.text, "a deletion")?;
            Change::Delete { clause: clause_id }
        }
        Target::Move(clause_id, position) => {
            find_clause(declaration, &clause_id)?;
            check_position(&position)?;
            refuse_text(&proposal.text, "a move")?;
            let to_part = match &position {
                Position::End(part) => Some(*part),
                Position::After(anchor) | Position::Before(anchor) => declaration.part_of(anchor),
            };
            if position.anchor() == Some(&clause_id) {
                return Err(ActionError::Refused(
                    "a clause cannot be moved next to itself".into(),
                ));
            }
            if to_part != declaration.part_of(&clause_id) {
                return Err(ActionError::Refused(format!(
                    "{} cannot move between the preamble and the operative part; propose a deletion and an insertion",
                    label(declaration, &clause_id)
                )));
            }
            Change::Move {
                clause: clause_id,
                position,
            }
        }
    };
    check_proposed_wording(declaration, &change)?;
    if let Change::Insert { new_clause, .. } = &change {
        let claimed = tx
            .tabled_amendments_on(new_clause)?
            .into_iter()
            .chain(tx.amendments_awaiting_application()?)
            .find(|other| matches!(&other.change, Change::Insert { new_clause: other_new, .. } if other_new == new_clause));
        if let Some(other) = claimed {
            return Err(ActionError::Refused(format!(
                "{} already proposes a clause called {new_clause}; choose another id with --new-id",
                other.id
            )));
        }
    }
    let text_hash = change
        .target()
        .and_then(|target| declaration.clauses.get(target))
        .map(|clause| clause.wording_hash());
    let base = Base {
        commit: tx.base_commit().unwrap_or_default(),
        text_hash,
    };
    Ok(Amendment::propose(
        id,
        change,
        proposal.cosponsors,
        proposal.justification,
        base,
        at,
    ))
}

/// Refuses a proposal whose wording `decl check` would refuse once applied (an unbalanced
/// square bracket, an empty paragraph), or that changes nothing.
fn check_proposed_wording(declaration: &Declaration, change: &Change) -> Result<(), ActionError> {
    let (clause_label, current, result) = match change {
        Change::Replace { clause, span, text } => {
            let current = find_clause(declaration, clause)?.wording();
            let result = match span {
                Some(span) => replace_unique(&current, span, text).unwrap_or_default(),
                None => normalise_wording(text),
            };
            (label(declaration, clause), Some(current), result)
        }
        Change::Insert {
            new_clause, text, ..
        } => (new_clause.to_string(), None, normalise_wording(text)),
        Change::Delete { .. } | Change::Move { .. } => return Ok(()),
    };
    if current.as_deref() == Some(result.as_str()) {
        return Err(ActionError::Refused(format!(
            "the proposed wording is the current text of {clause_label}: the amendment would change nothing"
        )));
    }
    let mut clause = Clause {
        kind: ClauseKind::Operative,
        status: ClauseStatus::Draft,
        text: String::new(),
        subparagraphs: Vec::new(),
        notes: None,
    };
    clause.set_wording(&result);
    if let Some((_, problem)) = wording_problems(&clause).into_iter().next() {
        return Err(ActionError::Refused(format!(
            "the proposed wording would make {clause_label} invalid: {problem}; square brackets mark text not yet agreed and come in pairs"
        )));
    }
    Ok(())
}

fn cut(
    mut tx: Transaction<'_>,
    declaration: &Declaration,
    actor: &Delegation,
    at: DateTime<FixedOffset>,
    name: String,
    label_text: Option<String>,
    adoption: Adoption,
) -> Result<Outcome, ActionError> {
    if !actor.may_decide() {
        return Err(RuleError::NotChairOrSecretariat {
            actor: actor.code.clone(),
            role: actor.role,
            what: "cut a revision",
        }
        .into());
    }
    refuse_after_adoption(declaration, "no revision follows the adopted text")?;
    tx.check_new_revision_name(&name)?;
    let amendments = tx.amendments_awaiting_application()?;
    let accepted: Vec<&Amendment> = amendments
        .iter()
        .filter(|a| a.awaits_application())
        .collect();
    let mut applied = apply_accepted(declaration, &accepted).map_err(ActionError::Conflicts)?;
    if adoption != Adoption::None {
        if adoption == Adoption::Final {
            // What a final export requires, of the text as this cut leaves it: the accepted
            // amendments applied, so only the tabled ones remain in the way.
            let tabled: Vec<Amendment> = tx
                .amendments()?
                .into_iter()
                .filter(|a| a.status == AmendmentStatus::Tabled)
                .collect();
            let blockers = export_blockers(&applied.declaration, &tabled);
            if !blockers.is_empty() {
                return Err(ActionError::NotReadyForAdoption { name, blockers });
            }
        }
        applied.declaration.meta.adopted = Some(name.clone());
    }
    let label_text = label_text.unwrap_or_else(|| name.clone());

    for id in &applied.written {
        tx.put_clause(id, &applied.declaration.clauses[id])?;
    }
    for id in &applied.removed {
        tx.remove_clause(id);
    }
    if applied.declaration.meta != declaration.meta {
        tx.put_meta(&applied.declaration.meta)?;
    }
    let mut lines = Vec::new();
    let mut trailers = Vec::new();
    for amendment in &accepted {
        let mut updated = (*amendment).clone();
        updated.mark_applied(&actor.code, &name, at);
        tx.put_amendment(&updated)?;
        let proposer = declaration
            .delegation(&amendment.proposer)
            .map_or(amendment.proposer.as_str(), |d| d.name.as_str());
        lines.push(format!(
            "- {} ({proposer}): {}",
            amendment.id,
            amendment.describe(declaration)
        ));
        trailers.push(format!(
            "Decl-Applied: {} {}",
            amendment.id,
            amendment.clause()
        ));
    }
    let mut summary = format!(
        "{} cuts {label_text} ({name}): {} amendment{} applied",
        actor.code,
        accepted.len(),
        if accepted.len() == 1 { "" } else { "s" }
    );
    if !applied.returned_to_draft.is_empty() {
        let labels: Vec<String> = applied
            .returned_to_draft
            .iter()
            .map(|id| label(declaration, id))
            .collect();
        let n = labels.len();
        summary.push_str(&format!(
            "; {} {} draft again (agreed, then amended)",
            if n <= 3 {
                labels.join(", ")
            } else {
                format!("{n} clauses")
            },
            if n == 1 { "is" } else { "are" }
        ));
    }
    let mut message = summary.clone();
    if !lines.is_empty() {
        message.push_str("\n\n");
        message.push_str(&lines.join("\n"));
    }
    message.push_str(&format!("\n\nDecl-Action: cut\nDecl-Revision: {name}\n"));
    if adoption != Adoption::None {
        message.push_str("Decl-Adopted: yes\n");
    }
    for trailer in trailers {
        message.push_str(&trailer);
        message.push('\n');
    }
    let commit = tx.commit(
        actor,
        at,
        &message,
        Some(NewTag {
            name,
            label: label_text,
        }),
    )?;
    Ok(Outcome {
        commit,
        summary,
        amendment: None,
        competing: Vec::new(),
    })
}

fn rebase(
    mut tx: Transaction<'_>,
    declaration: &Declaration,
    actor: &Delegation,
    at: DateTime<FixedOffset>,
    id: AmendmentId,
) -> Result<Outcome, ActionError> {
    let mut amendment = find_amendment(&tx, &id)?;
    let clause_label = label(declaration, amendment.clause());
    if !amendment.is_pending() {
        return Err(RuleError::NotTabled {
            id,
            status: amendment.status,
            what: "rebased",
        }
        .into());
    }
    if !amendment.is_stale(declaration) {
        return Err(ActionError::Refused(format!(
            "{id} is already drafted against the current text of {clause_label}; there is nothing to rebase"
        )));
    }
    let current = find_clause(declaration, amendment.clause())?.wording();
    let redraft = |why: String| {
        ActionError::Refused(format!(
            "{id} cannot be carried onto the current text of {clause_label}: {why}; \
             {} must withdraw it and propose it again",
            amendment.proposer
        ))
    };
    let merged = match &amendment.change {
        Change::Replace {
            span: Some(span), ..
        } => {
            if crate::model::amendment::unique_position(&current, span).is_none() {
                return Err(redraft(format!(
                    "the words {span:?} no longer occur exactly once"
                )));
            }
            None
        }
        Change::Replace {
            clause, span: None, ..
        } => {
            let base = tx
                .clause_at(&amendment.base.commit, clause)?
                .map(|clause| clause.wording())
                .ok_or_else(|| redraft("its base text cannot be found".into()))?;
            let proposed = crate::model::amendment::normalise_wording(
                amendment.effective_text().unwrap_or_default(),
            );
            let merged =
                crate::model::merge::merge3(&base, &proposed, &current).ok_or_else(|| {
                    redraft("the revision changed the same or neighbouring words".into())
                })?;
            Some(merged)
        }
        // Deleting or moving a clause does not depend on its words.
        _ => None,
    };
    let base = current_base(&tx, declaration, &amendment);
    amendment.rebase(actor, base, merged, at)?;
    tx.put_amendment(&amendment)?;
    let summary = format!(
        "{} rebases {id} onto the current text of {clause_label}",
        actor.code
    );
    let commit = tx.commit(
        actor,
        at,
        &format!("{summary}\n\nDecl-Amendment: {id}\n"),
        None,
    )?;
    Ok(Outcome {
        commit,
        summary,
        amendment: Some(id),
        competing: Vec::new(),
    })
}

fn translate(
    mut tx: Transaction<'_>,
    declaration: &Declaration,
    actor: &Delegation,
    at: DateTime<FixedOffset>,
    translation: Translation,
) -> Result<Outcome, ActionError> {
    if !actor.may_decide() {
        return Err(RuleError::NotChairOrSecretariat {
            actor: actor.code.clone(),
            role: actor.role,
            what: "record a translation",
        }
        .into());
    }
    let language = translation.language.clone();
    let valid_code =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_lowercase());
    if !valid_code {
        return Err(ActionError::Refused(format!(
            "{language:?} is not a language code (use ISO 639-1, e.g. ru)"
        )));
    }
    if !declaration.meta.languages.contains(&language) {
        return Err(ActionError::Refused(format!(
            "{language} is not one of the declaration's languages ({}): add it to `languages` in declaration.yaml first",
            declaration.meta.languages.join(", ")
        )));
    }
    if let Some(meta) = &translation.meta {
        tx.put_meta_translation(&language, meta)?;
    }
    // Each translated clause records the hash of the source wording it translates, so a later
    // change of that wording shows the translation as out of date.
    for (id, clause_translation) in &translation.clauses {
        let source = find_clause(declaration, id)?;
        let mut stamped = clause_translation.clone();
        stamped.source_hash = Some(source.wording_hash());
        tx.put_clause_translation(&language, id, &stamped)?;
    }
    let summary = format!(
        "{} records the {language} translation of {} clause{}",
        actor.code,
        translation.clauses.len(),
        if translation.clauses.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    let commit = tx.commit(
        actor,
        at,
        &format!("{summary}\n\nDecl-Action: translate\n"),
        None,
    )?;
    Ok(Outcome {
        commit,
        summary,
        amendment: None,
        competing: Vec::new(),
    })
}

/// The base an amendment has when drafted against the last commit.
fn current_base(tx: &Transaction<'_>, declaration: &Declaration, amendment: &Amendment) -> Base {
    Base {
        commit: tx.base_commit().unwrap_or_default(),
        text_hash: amendment
            .change
            .target()
            .and_then(|target| declaration.clauses.get(target))
            .map(|clause| clause.wording_hash()),
    }
}

fn is_whole_replacement(amendment: &Amendment) -> bool {
    matches!(amendment.change, Change::Replace { span: None, .. })
}

fn refuse_text(text: &Option<String>, what: &str) -> Result<(), ActionError> {
    if text.is_some() {
        return Err(ActionError::Refused(format!("{what} takes no text")));
    }
    Ok(())
}

fn act_summary(actor: &Delegation, act: &Act, amendment: &Amendment, describe: &str) -> String {
    let code = &actor.code;
    let id = &amendment.id;
    match act {
        Act::Support => format!("{code} supports {id} ({describe})"),
        Act::Oppose { .. } => format!("{code} opposes {id} ({describe})"),
        Act::Cosponsor => format!("{code} co-sponsors {id} ({describe})"),
        Act::Withdraw => format!("{code} withdraws {id} ({describe})"),
        Act::Accept { modified: None } => format!("{code} accepts {id} ({describe})"),
        Act::Accept { modified: Some(_) } => {
            format!("{code} accepts {id} as modified ({describe})")
        }
        Act::Reject { .. } => format!("{code} rejects {id} ({describe})"),
        Act::Reopen { .. } => format!("{code} reopens {id} ({describe})"),
        Act::Retract => format!("{code} retracts its position on {id} ({describe})"),
    }
}

/// "OP 5 (op-border-data)".
fn label(declaration: &Declaration, id: &ClauseId) -> String {
    match declaration.number_of(id) {
        Some(number) => format!("{number} ({id})"),
        None => id.to_string(),
    }
}

pub fn find_delegation<'d>(
    declaration: &'d Declaration,
    code: &DelegationCode,
) -> Result<&'d Delegation, ActionError> {
    declaration
        .delegation(code)
        .ok_or_else(|| ActionError::UnknownDelegation {
            code: code.to_string(),
            hint: did_you_mean(
                code.as_str(),
                declaration.delegations.iter().map(|d| d.code.as_str()),
            ),
        })
}

pub fn find_clause<'d>(
    declaration: &'d Declaration,
    id: &ClauseId,
) -> Result<&'d crate::model::Clause, ActionError> {
    declaration
        .clauses
        .get(id)
        .ok_or_else(|| ActionError::UnknownClause {
            id: id.to_string(),
            // The order lists every clause, also when only some were read.
            hint: did_you_mean(
                id.as_str(),
                declaration
                    .order(Part::Preamble)
                    .iter()
                    .chain(declaration.order(Part::Operative))
                    .chain(declaration.clauses.keys())
                    .map(|k| k.as_str()),
            ),
        })
}

fn find_amendment(tx: &Transaction<'_>, id: &AmendmentId) -> Result<Amendment, ActionError> {
    match tx.amendment(id)? {
        Some(amendment) => Ok(amendment),
        None => {
            let ids: Vec<String> = tx.amendment_ids()?.iter().map(|a| a.to_string()).collect();
            Err(ActionError::UnknownAmendment {
                id: id.to_string(),
                hint: did_you_mean(&id.to_string(), ids.iter().map(String::as_str)),
            })
        }
    }
}

/// Parses "preamble" or "operative".
pub fn parse_part(value: &str) -> Result<Part, String> {
    match value {
        "preamble" | "preambular" | "pp" => Ok(Part::Preamble),
        "operative" | "op" => Ok(Part::Operative),
        _ => Err(format!("unknown part {value:?}: use preamble or operative")),
    }
}
