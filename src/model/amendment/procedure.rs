//! The rules of procedure for acting on an amendment: who may support, oppose, co-sponsor,
//! withdraw, decide, reopen or take back a position, and in which state.
//!
//! Every action appends one entry to the amendment's record, so the status and each
//! delegation's position are functions of the record (see [`Amendment::stance_of`]). A
//! delegation holds at most one position on an amendment at a time, the latest it took; it
//! changes its mind by retracting ([`Act::Retract`]) and acting again. The chair and the
//! secretariat act for the whole conference, so they decide but take no position. Nothing here
//! knows whether the amendment still fits the text: that is checked by the action against
//! the current text and the other accepted amendments (`actions`).

use chrono::{DateTime, FixedOffset};

use super::{Amendment, AmendmentStatus, RecordAction, RecordEntry};
use crate::model::declaration::{Delegation, Role};
use crate::model::id::{AmendmentId, DelegationCode};

/// An action a delegation takes on an existing amendment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Support,
    Oppose {
        reason: Option<String>,
    },
    Cosponsor,
    /// Take back one's own support, opposition or co-sponsorship ("join consensus").
    Retract,
    Withdraw,
    Accept {
        modified: Option<Modification>,
    },
    Reject {
        reason: Option<String>,
    },
    /// Return an accepted or rejected amendment, not yet applied, to the table.
    Reopen {
        reason: Option<String>,
    },
}

/// The chair's wording when accepting as modified, as the record keeps it.
///
/// `text` replaces `span` in the clause; without a span it replaces what the proposal replaces
/// (its own span, or the whole wording). The chair edits the resulting paragraph; the action
/// works out the span and text from it (`actions::modification_from_paragraph`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modification {
    pub span: Option<String>,
    pub text: String,
}

impl Modification {
    /// A modification of whatever the proposal replaces.
    pub fn of_proposal(text: impl Into<String>) -> Self {
        Modification {
            span: None,
            text: text.into(),
        }
    }
}

/// The position a delegation holds on an amendment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stance {
    Supports,
    Cosponsors,
    Opposes,
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
        "{actor} is the {role}, which acts for the whole conference: only member delegations may {what}"
    )]
    NotMember {
        actor: DelegationCode,
        role: Role,
        what: &'static str,
    },
    #[error("{id} is {status}: it can no longer be {what}")]
    NotTabled {
        id: AmendmentId,
        status: AmendmentStatus,
        what: &'static str,
    },
    #[error(
        "{id} is {status}: only an accepted or rejected amendment not yet applied can be reopened"
    )]
    NotDecided {
        id: AmendmentId,
        status: AmendmentStatus,
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
        "{actor} {held} {id}: a delegation holds one position on an amendment; take it back first (decl amend retract {id})"
    )]
    HoldsAnotherPosition {
        id: AmendmentId,
        actor: DelegationCode,
        held: &'static str,
    },
    #[error("{actor} holds no position on {id}: there is nothing to retract")]
    NoPosition {
        id: AmendmentId,
        actor: DelegationCode,
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
    /// Takes an action on the amendment, checking the rules of procedure first; on error the
    /// amendment is unchanged.
    pub fn act(
        &mut self,
        actor: &Delegation,
        act: Act,
        at: DateTime<FixedOffset>,
    ) -> Result<(), RuleError> {
        let code = &actor.code;
        check_role(actor, &act)?;
        if let Act::Reopen { .. } = act {
            if !self.awaits_application() && self.status != AmendmentStatus::Rejected {
                return Err(RuleError::NotDecided {
                    id: self.id.clone(),
                    status: self.status,
                });
            }
        } else if self.status != AmendmentStatus::Tabled {
            return Err(RuleError::NotTabled {
                id: self.id.clone(),
                status: self.status,
                what: act.past_participle(),
            });
        }
        let mut entry = RecordEntry::new(act.record_action(), code, at);
        match act {
            Act::Support | Act::Oppose { .. } | Act::Cosponsor => {
                let wanted = match act {
                    Act::Support => Stance::Supports,
                    Act::Cosponsor => Stance::Cosponsors,
                    _ => Stance::Opposes,
                };
                self.check_new_stance(code, wanted, &act)?;
                if let Act::Oppose { reason } = act {
                    entry.reason = reason;
                }
                if wanted == Stance::Cosponsors {
                    self.cosponsors.push(code.clone());
                    self.invited.retain(|invited| invited != code);
                }
            }
            Act::Retract => {
                // Retracting also declines an invitation to co-sponsor.
                if self.stance_of(code).is_none() && !self.invited.contains(code) {
                    return Err(RuleError::NoPosition {
                        id: self.id.clone(),
                        actor: code.clone(),
                    });
                }
                self.cosponsors.retain(|cosponsor| cosponsor != code);
                self.invited.retain(|invited| invited != code);
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
            Act::Accept { modified } => {
                if modified.is_some() && self.change.text().is_none() {
                    return Err(RuleError::NoTextToModify {
                        id: self.id.clone(),
                        operation: self.change.operation(),
                    });
                }
                self.status = if modified.is_some() {
                    AmendmentStatus::AcceptedAsModified
                } else {
                    AmendmentStatus::Accepted
                };
                if let Some(modified) = modified {
                    entry.text = Some(modified.text);
                    entry.span = modified.span;
                }
            }
            Act::Reject { reason } => {
                self.status = AmendmentStatus::Rejected;
                entry.reason = reason;
            }
            Act::Reopen { reason } => {
                self.status = AmendmentStatus::Tabled;
                entry.reason = reason;
            }
        }
        self.record.push(entry);
        Ok(())
    }

    /// The position `code` holds now: its latest support, opposition or co-sponsorship that it
    /// has not taken back. An invitation to co-sponsor is no position.
    pub fn stance_of(&self, code: &DelegationCode) -> Option<Stance> {
        if self.cosponsors.contains(code) {
            return Some(Stance::Cosponsors);
        }
        self.record
            .iter()
            .filter(|entry| &entry.by == code)
            .fold(None, |stance, entry| match entry.action {
                RecordAction::Support => Some(Stance::Supports),
                RecordAction::Oppose => Some(Stance::Opposes),
                // A co-sponsorship that is no longer in the list was taken back.
                RecordAction::Cosponsor | RecordAction::Retract => None,
                _ => stance,
            })
    }

    /// The delegations that support it now (co-sponsors are counted apart), in the order they
    /// first took a position.
    pub fn supporters(&self) -> Vec<&DelegationCode> {
        self.holding(Stance::Supports)
    }

    /// The delegations that oppose it now.
    pub fn opponents(&self) -> Vec<&DelegationCode> {
        self.holding(Stance::Opposes)
    }

    fn holding(&self, wanted: Stance) -> Vec<&DelegationCode> {
        let mut codes: Vec<&DelegationCode> = Vec::new();
        for entry in &self.record {
            if !codes.contains(&&entry.by) && self.stance_of(&entry.by) == Some(wanted) {
                codes.push(&entry.by);
            }
        }
        codes
    }

    fn check_new_stance(
        &self,
        code: &DelegationCode,
        wanted: Stance,
        act: &Act,
    ) -> Result<(), RuleError> {
        if code == &self.proposer {
            return Err(RuleError::OwnAmendment {
                id: self.id.clone(),
                actor: code.clone(),
                what: act.verb(),
            });
        }
        match self.stance_of(code) {
            None => Ok(()),
            Some(held) if held == wanted => Err(RuleError::AlreadyDone {
                id: self.id.clone(),
                actor: code.clone(),
                what: act.past_tense(),
            }),
            // A supporter who joins as a co-sponsor keeps one position, the stronger one.
            Some(Stance::Supports) if wanted == Stance::Cosponsors => Ok(()),
            Some(held) => Err(RuleError::HoldsAnotherPosition {
                id: self.id.clone(),
                actor: code.clone(),
                held: match held {
                    Stance::Supports => "supports",
                    Stance::Cosponsors => "co-sponsors",
                    Stance::Opposes => "opposed",
                },
            }),
        }
    }
}

fn check_role(actor: &Delegation, act: &Act) -> Result<(), RuleError> {
    let code = &actor.code;
    let what = act.verb();
    let decides = matches!(
        act,
        Act::Accept { .. } | Act::Reject { .. } | Act::Reopen { .. }
    );
    if decides {
        if !actor.may_decide() {
            return Err(RuleError::NotChairOrSecretariat {
                actor: code.clone(),
                role: actor.role,
                what,
            });
        }
        return Ok(());
    }
    if !actor.may_negotiate() {
        return Err(RuleError::Observer {
            actor: code.clone(),
            what,
        });
    }
    let takes_position = matches!(act, Act::Support | Act::Oppose { .. } | Act::Cosponsor);
    if takes_position && !actor.may_cosponsor() {
        return Err(RuleError::NotMember {
            actor: code.clone(),
            role: actor.role,
            what: if matches!(act, Act::Cosponsor) {
                "co-sponsor"
            } else {
                "take positions on amendments"
            },
        });
    }
    Ok(())
}

impl Act {
    pub(super) fn record_action(&self) -> RecordAction {
        match self {
            Act::Support => RecordAction::Support,
            Act::Oppose { .. } => RecordAction::Oppose,
            Act::Cosponsor => RecordAction::Cosponsor,
            Act::Retract => RecordAction::Retract,
            Act::Withdraw => RecordAction::Withdraw,
            Act::Accept { .. } => RecordAction::Accept,
            Act::Reject { .. } => RecordAction::Reject,
            Act::Reopen { .. } => RecordAction::Reopen,
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            Act::Support => "support",
            Act::Oppose { .. } => "oppose",
            Act::Cosponsor => "co-sponsor",
            Act::Retract => "retract a position on",
            Act::Withdraw => "withdraw",
            Act::Accept { .. } => "accept",
            Act::Reject { .. } => "reject",
            Act::Reopen { .. } => "reopen",
        }
    }

    fn past_tense(&self) -> &'static str {
        match self {
            Act::Support => "supports",
            Act::Oppose { .. } => "opposed",
            Act::Cosponsor => "co-sponsors",
            Act::Retract => "retracted",
            Act::Withdraw => "withdrew",
            Act::Accept { .. } => "accepted",
            Act::Reject { .. } => "rejected",
            Act::Reopen { .. } => "reopened",
        }
    }

    fn past_participle(&self) -> &'static str {
        match self {
            Act::Support => "supported",
            Act::Oppose { .. } => "opposed",
            Act::Cosponsor => "co-sponsored",
            Act::Retract => "retracted on",
            Act::Withdraw => "withdrawn",
            Act::Accept { .. } => "accepted",
            Act::Reject { .. } => "rejected",
            Act::Reopen { .. } => "reopened",
        }
    }
}
