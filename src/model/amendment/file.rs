//! The file form of an amendment (`amendments/<PROPOSER>/<ID>.yaml`): a flat shape that reads
//! well in plain git, converted to and from [`Amendment`], refusing field combinations that
//! make no sense for the operation.

use serde::{Deserialize, Serialize};

use super::{Amendment, AmendmentStatus, Base, Change, Position, RecordEntry};
use crate::model::id::{AmendmentId, ClauseId, DelegationCode};

/// The flat shape of an amendment file, which reads well in plain git; [`Amendment`] converts
/// from it, refusing field combinations that make no sense for the operation.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AmendmentFile {
    id: AmendmentId,
    proposer: DelegationCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cosponsors: Vec<DelegationCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    invited: Vec<DelegationCode>,
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
            invited: file.invited,
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
            invited: amendment.invited,
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
