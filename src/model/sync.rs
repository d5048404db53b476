//! Integrating the work of two clones: the three-way merge of one amendment, and renumbering.
//!
//! Pure: the store finds which files both clones changed since they last agreed, and asks
//! here how to combine two versions of an amendment. Supports, oppositions and
//! co-sponsorships made in different clones are independent record entries, so they are
//! united rather than merged as text; changes to the proposal itself, or two decisions on the
//! same amendment, are real conflicts that a person must settle.

use super::amendment::{Amendment, Change, RecordAction, RecordEntry};
use super::id::{AmendmentId, DelegationCode};

/// `ours` and `theirs` combined against their common `base`, or why they cannot be.
///
/// Returns the merged amendment: the proposal's fields as whichever side changed them, the
/// co-sponsors and the record entries of both sides (an entry removed on either side is
/// removed), the record in time order, and the status that record leads to.
pub fn merge_amendment(
    base: Option<&Amendment>,
    ours: &Amendment,
    theirs: &Amendment,
) -> Result<Amendment, String> {
    if ours == theirs {
        return Ok(ours.clone());
    }
    let Some(base) = base else {
        return Err(format!(
            "both clones created {} with different content",
            ours.id
        ));
    };
    let proposer = pick("proposer", &base.proposer, &ours.proposer, &theirs.proposer)?;
    let change = pick(
        "proposed change",
        &base.change,
        &ours.change,
        &theirs.change,
    )?;
    let justification = pick(
        "justification",
        &base.justification,
        &ours.justification,
        &theirs.justification,
    )?;
    let drafted_on = pick("base text", &base.base, &ours.base, &theirs.base)?;

    let cosponsors = merge_list(&base.cosponsors, &ours.cosponsors, &theirs.cosponsors);
    // A delegation that joined in one clone is no longer merely invited in the merge.
    let mut invited = merge_list(&base.invited, &ours.invited, &theirs.invited);
    invited.retain(|code| !cosponsors.contains(code));

    let ours_added = difference(&ours.record, &base.record);
    let theirs_added = difference(&theirs.record, &base.record);
    let decides = |entries: &[&RecordEntry]| {
        entries.iter().any(|entry| {
            matches!(
                entry.action,
                RecordAction::Accept
                    | RecordAction::Reject
                    | RecordAction::Reopen
                    | RecordAction::Withdraw
                    | RecordAction::Apply
                    | RecordAction::Rebase
            )
        })
    };
    if decides(&ours_added) && decides(&theirs_added) && ours_added != theirs_added {
        return Err(format!(
            "both clones decided, withdrew or rebased {} differently",
            ours.id
        ));
    }
    // Entries of the base that both sides kept, then each side's new ones.
    let ours_removed = difference(&base.record, &ours.record);
    let theirs_removed = difference(&base.record, &theirs.record);
    let mut record: Vec<RecordEntry> = Vec::new();
    let mut removed = ours_removed;
    removed.extend(theirs_removed);
    for entry in &base.record {
        if let Some(idx) = removed.iter().position(|other| *other == entry) {
            removed.swap_remove(idx);
        } else {
            record.push(entry.clone());
        }
    }
    for entry in ours_added.iter().chain(theirs_added.iter()) {
        if !record.contains(entry) {
            record.push((*entry).clone());
        }
    }
    record.sort_by_key(|entry| entry.at);
    // A position taken in one clone and another (or a retraction) by the same delegation in the
    // other: which one stands is the delegation's to say, not the merge's.
    let stance = |entry: &RecordEntry| {
        matches!(
            entry.action,
            RecordAction::Support
                | RecordAction::Oppose
                | RecordAction::Cosponsor
                | RecordAction::Retract
        )
    };
    for ours_entry in ours_added.iter().filter(|entry| stance(entry)) {
        if let Some(theirs_entry) = theirs_added.iter().find(|theirs_entry| {
            stance(theirs_entry) && theirs_entry.by == ours_entry.by && theirs_entry != &ours_entry
        }) {
            return Err(format!(
                "{} took different positions on {} in different clones ({} and {})",
                ours_entry.by, ours.id, ours_entry.action, theirs_entry.action
            ));
        }
    }
    let mut merged = Amendment {
        id: ours.id.clone(),
        proposer,
        cosponsors,
        invited,
        change,
        justification,
        base: drafted_on,
        status: ours.status,
        record,
    };
    merged.status = merged.status_from_record();
    Ok(merged)
}

/// Whether `new` is `old` under another number of the same proposer.
pub fn same_but_number(old: &Amendment, new: &Amendment) -> bool {
    old.id != new.id
        && old.id.proposer() == new.id.proposer()
        && renumber(old, new.id.number()) == *new
}

/// `amendment` under the proposer's number `number`. An insertion whose new clause has the
/// default id derived from the old number (`tur-4`) follows it (`tur-5`), so that the two
/// clones' insertions do not both create one clause.
pub fn renumber(amendment: &Amendment, number: u32) -> Amendment {
    let proposer = amendment.id.proposer();
    let mut moved = Amendment {
        id: AmendmentId::new(proposer.clone(), number),
        ..amendment.clone()
    };
    let default_clause = |n: u32| format!("{}-{n}", proposer.as_str().to_lowercase());
    if let Change::Insert { new_clause, .. } = &mut moved.change
        && new_clause.as_str() == default_clause(amendment.id.number())
        && let Ok(renamed) = default_clause(number).parse()
    {
        *new_clause = renamed;
    }
    moved
}

fn pick<T: PartialEq + Clone>(what: &str, base: &T, ours: &T, theirs: &T) -> Result<T, String> {
    if ours == theirs || theirs == base {
        Ok(ours.clone())
    } else if ours == base {
        Ok(theirs.clone())
    } else {
        Err(format!("both clones changed its {what}"))
    }
}

/// The entries of `left` not in `right`, as multisets.
fn difference<'a>(left: &'a [RecordEntry], right: &[RecordEntry]) -> Vec<&'a RecordEntry> {
    let mut remaining: Vec<&RecordEntry> = right.iter().collect();
    let mut only_left = Vec::new();
    for entry in left {
        match remaining.iter().position(|other| *other == entry) {
            Some(idx) => {
                remaining.swap_remove(idx);
            }
            None => only_left.push(entry),
        }
    }
    only_left
}

/// A list of delegations merged three ways: what either side removed is gone, what either
/// side added is there (ours first, then theirs in their order).
fn merge_list(
    base: &[DelegationCode],
    ours: &[DelegationCode],
    theirs: &[DelegationCode],
) -> Vec<DelegationCode> {
    let mut merged: Vec<DelegationCode> = ours
        .iter()
        .filter(|code| theirs.contains(code) || !base.contains(code))
        .cloned()
        .collect();
    for code in theirs {
        if !base.contains(code) && !merged.contains(code) {
            merged.push(code.clone());
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Act, AmendmentStatus, Base, Delegation, Role};
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

    fn at(hour: u32) -> chrono::DateTime<chrono::FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2022-09-12T{hour:02}:00:00+05:00")).unwrap()
    }

    fn proposal() -> Amendment {
        Amendment::propose(
            "TUR-1".parse().unwrap(),
            Change::Delete {
                clause: "op-x".parse().unwrap(),
            },
            Vec::new(),
            None,
            Base {
                commit: "abc".into(),
                text_hash: None,
            },
            at(9),
        )
    }

    fn acted(mut amendment: Amendment, code: &str, role: Role, act: Act, hour: u32) -> Amendment {
        amendment
            .act(&delegation(code, role), act, at(hour))
            .unwrap();
        amendment
    }

    #[test]
    fn supports_from_two_clones_are_united_in_time_order() {
        let base = proposal();
        let ours = acted(base.clone(), "QAT", Role::Member, Act::Support, 11);
        let theirs = acted(base.clone(), "KAZ", Role::Member, Act::Cosponsor, 10);
        let merged = merge_amendment(Some(&base), &ours, &theirs).unwrap();
        let by: Vec<&str> = merged.record.iter().map(|e| e.by.as_str()).collect();
        assert_eq!(by, ["TUR", "KAZ", "QAT"]);
        assert_eq!(merged.cosponsors.len(), 1);
        // The merge is the same whichever side runs it.
        assert_eq!(
            merge_amendment(Some(&base), &theirs, &ours).unwrap(),
            merged
        );
    }

    #[test]
    fn a_support_withdrawn_on_one_side_stays_withdrawn() {
        let supported = acted(proposal(), "QAT", Role::Member, Act::Support, 10);
        let mut ours = supported.clone();
        ours.record.pop();
        let theirs = acted(supported.clone(), "KAZ", Role::Member, Act::Support, 11);
        let merged = merge_amendment(Some(&supported), &ours, &theirs).unwrap();
        let by: Vec<&str> = merged.record.iter().map(|e| e.by.as_str()).collect();
        assert_eq!(by, ["TUR", "KAZ"]);
    }

    #[test]
    fn two_decisions_or_two_proposals_conflict() {
        let base = proposal();
        let ours = acted(
            base.clone(),
            "TJK",
            Role::Chair,
            Act::Accept { modified: None },
            10,
        );
        let theirs = acted(
            base.clone(),
            "TJK",
            Role::Chair,
            Act::Reject { reason: None },
            11,
        );
        assert!(merge_amendment(Some(&base), &ours, &theirs).is_err());
        let mut changed = base.clone();
        changed.justification = Some("why".into());
        let mut other = base.clone();
        other.justification = Some("because".into());
        let error = merge_amendment(Some(&base), &changed, &other).unwrap_err();
        assert!(error.contains("justification"), "{error}");
        assert!(merge_amendment(None, &changed, &other).is_err());
    }

    #[test]
    fn a_decision_on_one_side_sets_the_status() {
        let base = proposal();
        let ours = acted(
            base.clone(),
            "TJK",
            Role::Chair,
            Act::Accept { modified: None },
            12,
        );
        let theirs = acted(base.clone(), "QAT", Role::Member, Act::Support, 10);
        let merged = merge_amendment(Some(&base), &ours, &theirs).unwrap();
        assert_eq!(merged.status, AmendmentStatus::Accepted);
    }

    #[test]
    fn a_default_new_clause_id_follows_the_number() {
        let mut old = proposal();
        old.change = Change::Insert {
            new_clause: "tur-1".parse().unwrap(),
            position: crate::model::Position::End(crate::model::Part::Operative),
            text: "*Decide* to meet.".into(),
        };
        let new = renumber(&old, 3);
        assert!(
            matches!(&new.change, Change::Insert { new_clause, .. } if new_clause.as_str() == "tur-3")
        );
        assert!(same_but_number(&old, &new));
    }

    #[test]
    fn renumbering_is_recognised() {
        let old = proposal();
        let new = renumber(&old, 2);
        assert_eq!(new.id.to_string(), "TUR-2");
        assert!(same_but_number(&old, &new));
        assert!(!same_but_number(&old, &old));
    }
}
