//! `decl init --from`: a bundled draft and its recorded negotiation, replayed as real commits.
//!
//! A draft folder holds the zero draft's files and `history.yaml`, a script of who did what and
//! when. Every step goes through [`actions::perform`](crate::actions::perform), the same code
//! as the commands, so the resulting repository is exactly what the delegations would have
//! made by hand: one commit per action, authored and dated as recorded, revisions tagged.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use crate::actions::{self, Action, ActionError, Adoption, Proposal, Target};
use crate::model::{
    Act, AmendmentId, ClauseId, ClauseStatus, DelegationCode, Modification, Part, Position,
};
use crate::store::{DeclRepo, KeySource, NewTag, Problem, StoreError, yaml};

pub const HISTORY_FILE: &str = "history.yaml";

/// `history.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    pub zero_draft: ZeroDraft,
    #[serde(default)]
    pub steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeroDraft {
    pub at: DateTime<FixedOffset>,
    #[serde(rename = "as")]
    pub actor: DelegationCode,
    #[serde(default)]
    pub message: Option<String>,
}

/// One recorded action: when, by whom, and exactly one of the action fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub at: DateTime<FixedOffset>,
    #[serde(rename = "as")]
    pub actor: DelegationCode,
    pub propose: Option<ProposeStep>,
    /// With `propose`: the id the proposal must receive.
    pub expect: Option<AmendmentId>,
    pub support: Option<AmendmentId>,
    pub oppose: Option<ReasonStep>,
    pub withdraw: Option<AmendmentId>,
    pub cosponsor: Option<AmendmentId>,
    pub accept: Option<AcceptStep>,
    pub reject: Option<ReasonStep>,
    pub retract: Option<AmendmentId>,
    pub reopen: Option<ReasonStep>,
    pub cut: Option<CutStep>,
    pub mark: Option<MarkStep>,
    pub translate: Option<TranslateStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslateStep {
    pub language: String,
    /// A folder of translation files, relative to the draft folder.
    pub from: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposeStep {
    pub replace: Option<ClauseId>,
    pub insert_after: Option<ClauseId>,
    pub insert_before: Option<ClauseId>,
    pub insert_at_end: Option<Part>,
    pub delete: Option<ClauseId>,
    #[serde(rename = "move")]
    pub move_clause: Option<ClauseId>,
    pub after: Option<ClauseId>,
    pub before: Option<ClauseId>,
    pub span: Option<String>,
    pub text: Option<String>,
    pub justification: Option<String>,
    #[serde(default)]
    pub cosponsors: Vec<DelegationCode>,
    pub new_id: Option<ClauseId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonStep {
    pub id: AmendmentId,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptStep {
    pub id: AmendmentId,
    /// As modified, as the amendment's record keeps it: the words that replace what the
    /// proposal replaces (its span, or the whole wording).
    pub text: Option<String>,
    /// As modified, as the chair gives it on the command line: the whole paragraph.
    pub paragraph: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutStep {
    pub name: String,
    pub label: Option<String>,
    /// The adopted text (`decl revision cut --final`).
    #[serde(default, rename = "final")]
    pub final_text: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkStep {
    pub status: ClauseStatus,
    pub clauses: Vec<ClauseId>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{file}: step {step} ({actor} at {at}): {source}")]
    Step {
        file: String,
        step: usize,
        actor: DelegationCode,
        at: DateTime<FixedOffset>,
        source: Box<ActionError>,
    },
    #[error("{file}: step {step}: {message}")]
    Script {
        file: String,
        step: usize,
        message: String,
    },
}

/// What a replay made.
#[derive(Debug)]
pub struct Replayed {
    pub commits: usize,
    pub revisions: Vec<String>,
}

/// Builds a new repository in `target` from the draft in `draft_dir`. On error the caller
/// removes `target`: a half-replayed negotiation is no use to anyone.
pub fn replay(
    draft_dir: &Path,
    target: &Path,
    key_source: KeySource,
) -> Result<Replayed, ReplayError> {
    let draft = crate::store::read_draft(draft_dir)?;
    let history_file = draft_dir.join(HISTORY_FILE).display().to_string();
    let history: History = match &draft.history {
        Some(bytes) => yaml::parse(&history_file, bytes).map_err(StoreError::Invalid)?,
        None => {
            return Err(StoreError::Invalid(vec![Problem::at(
                &history_file,
                (1, 1),
                "the draft has no history.yaml",
            )])
            .into());
        }
    };
    let problems = crate::store::check_directory(draft_dir)?;
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems).into());
    }

    let mut repo = DeclRepo::create(target)?;
    repo.sign_with(key_source);
    let declaration = crate::store::load_directory(draft_dir)?;
    let zero = &history.zero_draft;
    let secretariat = declaration
        .delegation(&zero.actor)
        .cloned()
        .ok_or_else(|| ReplayError::Script {
            file: history_file.clone(),
            step: 0,
            message: format!("zero_draft: unknown delegation {}", zero.actor),
        })?;
    let mut tx = repo.begin()?;
    for (path, bytes) in draft.files {
        tx.put_bytes(&path, bytes);
    }
    let message = zero
        .message
        .clone()
        .unwrap_or_else(|| format!("{} circulates the zero draft", zero.actor));
    tx.commit(
        &secretariat,
        zero.at,
        &format!("{message}\n\nDecl-Action: zero-draft\n"),
        Some(NewTag {
            name: "zero-draft".into(),
            label: "Zero draft".into(),
        }),
    )?;
    let mut replayed = Replayed {
        commits: 1,
        revisions: vec!["zero-draft".into()],
    };

    for (idx, step) in history.steps.into_iter().enumerate() {
        let number = idx + 1;
        let script_error = |message: String| ReplayError::Script {
            file: history_file.clone(),
            step: number,
            message,
        };
        let (actor, at, expect) = (step.actor.clone(), step.at, step.expect.clone());
        let action = match &step.translate {
            Some(translate) => {
                let dir = draft_dir.join(&translate.from);
                let translation = crate::store::read_translation_dir(&dir, &translate.language)?;
                Action::Translate { translation }
            }
            None => step_action(step).map_err(script_error)?,
        };
        let cut_name = match &action {
            Action::Cut { name, .. } => Some(name.clone()),
            _ => None,
        };
        let outcome =
            actions::perform(&repo, &actor, at, action).map_err(|source| ReplayError::Step {
                file: history_file.clone(),
                step: number,
                actor: actor.clone(),
                at,
                source: Box::new(source),
            })?;
        if let Some(expected) = expect
            && outcome.amendment.as_ref() != Some(&expected)
        {
            return Err(script_error(format!(
                "the proposal received the id {}, but the script expects {expected}",
                outcome
                    .amendment
                    .map(|id| id.to_string())
                    .unwrap_or_default()
            )));
        }
        replayed.commits += 1;
        replayed.revisions.extend(cut_name);
    }
    Ok(replayed)
}

fn step_action(step: Step) -> Result<Action, String> {
    let mut actions = Vec::new();
    if let Some(propose) = step.propose {
        actions.push(Action::Propose(proposal(propose)?));
    }
    if step.expect.is_some() && actions.is_empty() {
        return Err("`expect` goes only with `propose`".into());
    }
    let mut act = |id: Option<AmendmentId>, make: &dyn Fn() -> Act| {
        if let Some(id) = id {
            actions.push(Action::Act { id, act: make() });
        }
    };
    act(step.support, &|| Act::Support);
    act(step.withdraw, &|| Act::Withdraw);
    act(step.cosponsor, &|| Act::Cosponsor);
    act(step.retract, &|| Act::Retract);
    if let Some(oppose) = step.oppose {
        actions.push(Action::Act {
            id: oppose.id,
            act: Act::Oppose {
                reason: oppose.reason,
            },
        });
    }
    if let Some(reject) = step.reject {
        actions.push(Action::Act {
            id: reject.id,
            act: Act::Reject {
                reason: reject.reason,
            },
        });
    }
    if let Some(reopen) = step.reopen {
        actions.push(Action::Act {
            id: reopen.id,
            act: Act::Reopen {
                reason: reopen.reason,
            },
        });
    }
    if let Some(accept) = step.accept {
        actions.push(match (accept.text, accept.paragraph) {
            (Some(_), Some(_)) => {
                return Err("an acceptance gives `text` or `paragraph`, not both".into());
            }
            (_, Some(paragraph)) => Action::AcceptAsModified {
                id: accept.id,
                paragraph,
            },
            (text, None) => Action::Act {
                id: accept.id,
                act: Act::Accept {
                    modified: text.map(Modification::of_proposal),
                },
            },
        });
    }
    if let Some(cut) = step.cut {
        actions.push(Action::Cut {
            name: cut.name,
            label: cut.label,
            adoption: if cut.final_text {
                Adoption::Final
            } else {
                Adoption::None
            },
        });
    }
    if let Some(mark) = step.mark {
        actions.push(Action::Mark {
            status: mark.status,
            clauses: mark.clauses,
        });
    }
    match actions.len() {
        1 => Ok(actions.remove(0)),
        0 => Err("the step names no action".into()),
        _ => Err("the step names more than one action".into()),
    }
}

fn proposal(step: ProposeStep) -> Result<Proposal, String> {
    let position = |after: Option<ClauseId>, before: Option<ClauseId>| match (after, before) {
        (Some(after), None) => Ok(Position::After(after)),
        (None, Some(before)) => Ok(Position::Before(before)),
        _ => Err("a move needs exactly one of `after` and `before`".to_owned()),
    };
    let mut targets = Vec::new();
    if let Some(id) = step.replace {
        targets.push(Target::Replace(id));
    }
    if let Some(id) = step.insert_after {
        targets.push(Target::Insert(Position::After(id)));
    }
    if let Some(id) = step.insert_before {
        targets.push(Target::Insert(Position::Before(id)));
    }
    if let Some(part) = step.insert_at_end {
        targets.push(Target::Insert(Position::End(part)));
    }
    if let Some(id) = step.delete {
        targets.push(Target::Delete(id));
    }
    if let Some(id) = step.move_clause {
        targets.push(Target::Move(
            id,
            position(step.after.clone(), step.before.clone())?,
        ));
    } else if step.after.is_some() || step.before.is_some() {
        return Err("`after` and `before` go only with `move`".into());
    }
    if targets.len() != 1 {
        return Err("a proposal needs exactly one of replace, insert_after, insert_before, insert_at_end, delete, move".into());
    }
    Ok(Proposal {
        target: targets.remove(0),
        text: step.text,
        span: step.span,
        justification: step.justification,
        cosponsors: step.cosponsors,
        new_id: step.new_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(yaml: &str) -> Result<Action, String> {
        step_action(serde_yaml::from_str(yaml).unwrap())
    }

    #[test]
    fn a_step_becomes_the_action_it_names() {
        let retract = action("{ at: 2022-09-20T16:06:00+05:00, as: QAT, retract: TUR-1 }");
        assert!(
            matches!(retract, Ok(Action::Act { ref id, act: Act::Retract }) if id.to_string() == "TUR-1"),
            "{retract:?}"
        );
        let reopen = action(
            "{ at: 2022-09-20T16:05:00+05:00, as: TJK, reopen: { id: QAT-1, reason: Consultations. } }",
        );
        assert!(
            matches!(reopen, Ok(Action::Act { act: Act::Reopen { reason: Some(ref r) }, .. }) if r == "Consultations."),
            "{reopen:?}"
        );
        let modified = action(
            "{ at: 2022-09-20T16:00:00+05:00, as: TJK, accept: { id: TUR-1, paragraph: could } }",
        );
        assert!(
            matches!(modified, Ok(Action::AcceptAsModified { ref paragraph, .. }) if paragraph == "could"),
            "{modified:?}"
        );
    }

    #[test]
    fn a_step_names_exactly_one_action() {
        assert_eq!(
            action("{ at: 2022-09-20T16:06:00+05:00, as: QAT, retract: TUR-1, support: TUR-2 }")
                .unwrap_err(),
            "the step names more than one action"
        );
        assert_eq!(
            action("{ at: 2022-09-20T16:06:00+05:00, as: QAT }").unwrap_err(),
            "the step names no action"
        );
        assert_eq!(
            action("{ at: 2022-09-20T16:00:00+05:00, as: TJK, accept: { id: TUR-1, text: a, paragraph: b } }")
                .unwrap_err(),
            "an acceptance gives `text` or `paragraph`, not both"
        );
    }
}
