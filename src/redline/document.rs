//! Comparing two revisions of a declaration clause by clause (the one part of `redline` that
//! knows the model: it matches clauses, then word-diffs each with the engine).
//!
//! Clauses are matched by id, never by position, so renumbering is not a change: OP 7 that
//! was OP 6 is shown as renumbered, with its words compared to its own earlier wording.
//! Changed clauses get word redlines from [`crate::redline`]; inserted clauses are wholly
//! inserted, deleted ones wholly struck; a clause whose place relative to the others changed
//! is "moved". Each change is attributed to the amendments applied between the two revisions.

use std::collections::{BTreeMap, HashMap, HashSet};

use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::model::credit::{ChangeCredits, Maker, credit_changes};
use crate::model::{
    Amendment, AmendmentId, ClauseId, ClauseStatus, Declaration, DelegationCode, ParagraphNumber,
    Part,
};
use crate::redline::{Redline, RedlineOptions, redline};

/// The comparison of two whole texts.
#[derive(Debug, Clone)]
pub struct DocumentRedline {
    /// Every clause of either text, in the order of the new text, deleted clauses where they
    /// stood.
    pub clauses: Vec<ClauseRedline>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub changed: usize,
    pub inserted: usize,
    pub deleted: usize,
    pub moved: usize,
    /// Clauses whose number changed only because others were inserted, deleted or moved.
    pub renumbered: usize,
    /// Clauses whose words and place stayed but whose status changed (marked agreed, ...).
    pub status_only: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone)]
pub struct ClauseRedline {
    pub id: ClauseId,
    pub part: Part,
    pub old_number: Option<ParagraphNumber>,
    pub new_number: Option<ParagraphNumber>,
    pub change: ClauseChange,
    /// The clause's place relative to the others changed.
    pub moved: bool,
    /// This entry only marks the old place of a moved clause (`moved` is set too): its own
    /// entry stands at its new place. Both carry the same redline, so a format can show the
    /// old wording here and the new there (Word's tracked moves).
    pub moved_away: bool,
    pub old_status: Option<ClauseStatus>,
    pub new_status: Option<ClauseStatus>,
    /// The wording compared (all inserted for a new clause, all deleted for a removed one).
    pub redline: Redline,
    /// The amendments applied between the two revisions that touched this clause, in the
    /// order they were applied; an amendment the chair accepted as modified is followed by the
    /// chair's own credit for it.
    pub attribution: Vec<Attribution>,
    /// Which of `attribution` deleted or inserted each changed stretch of the wording (byte
    /// ranges of the old and the new wording). What no credit covers falls back on the
    /// clause's attribution as a whole.
    pub credits: ChangeCredits<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseChange {
    Unchanged,
    Changed,
    Inserted,
    Deleted,
}

/// An amendment behind a change, and who proposed and co-sponsored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub amendment: AmendmentId,
    pub proposer: DelegationCode,
    pub proposer_name: String,
    pub cosponsors: Vec<DelegationCode>,
    pub date: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Set on the chair's credit for wording it wrote when accepting `amendment` as modified:
    /// the chair's delegation.
    pub chair: Option<DelegationCode>,
}

impl Attribution {
    /// Who made the change, as a change's author: "European Union (EU-5)", or "Chair,
    /// modifying EU-6".
    pub fn author(&self) -> String {
        match &self.chair {
            Some(_) => format!("Chair, modifying {}", self.amendment),
            None => format!("{} ({})", self.proposer_name, self.amendment),
        }
    }
}

/// Compares `old` with `new`. `applied_between` are the amendments applied at `new` but not at
/// `old`: the ones that made the difference, to which the changes are attributed.
/// `unchanged_unread` are clauses known to be the same on both sides (the same file) whose
/// files were not read: they count as unchanged, with an empty redline.
pub fn compare(
    old: &Declaration,
    new: &Declaration,
    applied_between: &[Amendment],
    unchanged_unread: &HashSet<ClauseId>,
    options: &RedlineOptions,
) -> DocumentRedline {
    // Each clause's amendments in the order the cuts applied them: by cut, then as
    // `apply_accepted` orders one cut's amendments.
    let mut by_clause: HashMap<&ClauseId, Vec<&Amendment>> = HashMap::new();
    for amendment in applied_between {
        by_clause
            .entry(amendment.clause())
            .or_default()
            .push(amendment);
    }
    for amendments in by_clause.values_mut() {
        sort_as_applied(amendments);
    }
    let name_of = |code: &DelegationCode| {
        new.delegation(code)
            .or_else(|| old.delegation(code))
            .map_or_else(|| code.to_string(), |d| d.name.clone())
    };

    // A clause's lines are its sub-paragraphs: a line break added or removed is a change.
    let options = &RedlineOptions {
        line_breaks_significant: true,
        ..options.clone()
    };
    // Looked up once per clause: `Declaration::number_of` searches the order each time.
    let (old_numbers, new_numbers) = (old.paragraph_numbers(), new.paragraph_numbers());
    let mut clauses: Vec<ClauseRedline> = Vec::new();
    for part in [Part::Preamble, Part::Operative] {
        let old_order: Vec<&ClauseId> = old
            .order(part)
            .iter()
            .filter(|id| old.clauses.contains_key(*id) || unchanged_unread.contains(*id))
            .collect();
        let new_order: Vec<&ClauseId> = new
            .order(part)
            .iter()
            .filter(|id| new.clauses.contains_key(*id) || unchanged_unread.contains(*id))
            .collect();
        let moved = moved_clauses(&old_order, &new_order);
        let new_set: HashSet<&ClauseId> = new_order.iter().copied().collect();
        let old_set: HashSet<&ClauseId> = old_order.iter().copied().collect();

        // Deleted clauses, and the old places of moved ones, go after the clause that preceded
        // them in the old text and stayed in place.
        let mut left_after: BTreeMap<Option<&ClauseId>, Vec<&ClauseId>> = BTreeMap::new();
        let mut previous_kept: Option<&ClauseId> = None;
        for id in &old_order {
            if new_set.contains(id) && !moved.contains(id) {
                previous_kept = Some(id);
            } else {
                left_after.entry(previous_kept).or_default().push(id);
            }
        }
        let old_place = |id| (id, true);
        let mut sequence: Vec<(&ClauseId, bool)> = left_after
            .remove(&None)
            .unwrap_or_default()
            .into_iter()
            .map(old_place)
            .collect();
        for id in &new_order {
            sequence.push((id, false));
            if old_set.contains(id) && !moved.contains(id) {
                let left = left_after.remove(&Some(*id)).unwrap_or_default();
                sequence.extend(left.into_iter().map(old_place));
            }
        }

        // A moved clause has two entries, its old place and its new: compared once.
        let mut first_entry_of_moved: HashMap<&ClauseId, usize> = HashMap::new();
        for (id, at_old_place) in sequence {
            if let Some(&at) = first_entry_of_moved.get(id) {
                let mut entry = clauses[at].clone();
                entry.moved_away = at_old_place;
                clauses.push(entry);
                continue;
            }
            let old_clause = old.clauses.get(id).filter(|_| old_set.contains(id));
            let new_clause = new.clauses.get(id).filter(|_| new_set.contains(id));
            let old_wording = old_clause.map(|c| c.wording()).unwrap_or_default();
            let new_wording = new_clause.map(|c| c.wording()).unwrap_or_default();
            let clause_redline = redline(&old_wording, &new_wording, options);
            let unread = old_clause.is_none() && new_clause.is_none();
            let change = match (old_clause, new_clause) {
                _ if unread => ClauseChange::Unchanged,
                (None, _) => ClauseChange::Inserted,
                (_, None) => ClauseChange::Deleted,
                _ if clause_redline.is_unchanged() => ClauseChange::Unchanged,
                _ => ClauseChange::Changed,
            };
            let old_number = (old_clause.is_some() || unread)
                .then(|| old_numbers.get(id).copied())
                .flatten();
            let new_number = (new_clause.is_some() || unread)
                .then(|| new_numbers.get(id).copied())
                .flatten();
            let is_moved = moved.contains(id);
            let moved_away = is_moved && at_old_place;
            if is_moved {
                first_entry_of_moved.insert(id, clauses.len());
            }
            let amendments = by_clause.get(id).map(Vec::as_slice).unwrap_or_default();
            let (attribution, credits) = if change == ClauseChange::Unchanged {
                (
                    attributions(amendments, &name_of).0,
                    ChangeCredits::default(),
                )
            } else {
                clause_credits(&old_wording, &new_wording, amendments, &name_of)
            };
            clauses.push(ClauseRedline {
                id: id.clone(),
                part,
                old_number,
                new_number,
                change,
                moved: is_moved,
                moved_away,
                old_status: old_clause.map(|c| c.status),
                new_status: new_clause.map(|c| c.status),
                redline: clause_redline,
                attribution,
                credits,
            });
        }
    }
    let summary = Summary::of(&clauses);
    DocumentRedline { clauses, summary }
}

/// Orders one clause's amendments as the cuts applied them: by cut, then as `apply_accepted`
/// orders the amendments of one cut.
pub fn sort_as_applied(amendments: &mut [&Amendment]) {
    amendments.sort_by_key(|a| (applied_at(a), a.record.first().map(|e| e.at), a.id.clone()));
}

fn applied_at(amendment: &Amendment) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    amendment
        .record
        .iter()
        .rev()
        .find(|e| e.action == crate::model::RecordAction::Apply)
        .map(|e| e.at)
}

/// Who made the changes from `old` to `new` wording: the credits of `amendments` (applied in
/// this order; an amendment accepted as modified also credits the chair), and which of them
/// deleted or inserted each stretch. `name_of` names a delegation.
pub fn clause_credits(
    old: &str,
    new: &str,
    amendments: &[&Amendment],
    name_of: &dyn Fn(&DelegationCode) -> String,
) -> (Vec<Attribution>, ChangeCredits<usize>) {
    let (attribution, index_of) = attributions(amendments, name_of);
    let credits = if amendments.is_empty() {
        ChangeCredits::default()
    } else {
        credit_changes(old, new, amendments).map(|maker| index_of[&maker])
    };
    (attribution, credits)
}

/// The credits of a clause's amendments, and where each proposal and chair's modification
/// stands among them.
fn attributions(
    amendments: &[&Amendment],
    name_of: &dyn Fn(&DelegationCode) -> String,
) -> (Vec<Attribution>, HashMap<Maker, usize>) {
    let mut attributions = Vec::new();
    let mut index_of = HashMap::new();
    for (idx, amendment) in amendments.iter().enumerate() {
        let attribution = Attribution {
            amendment: amendment.id.clone(),
            proposer: amendment.proposer.clone(),
            proposer_name: name_of(&amendment.proposer),
            cosponsors: amendment.cosponsors.clone(),
            date: applied_at(amendment),
            chair: None,
        };
        index_of.insert(Maker::Proposal(idx), attributions.len());
        attributions.push(attribution.clone());
        if amendment.modified_by_chair() {
            index_of.insert(Maker::ChairModifying(idx), attributions.len());
            attributions.push(Attribution {
                chair: amendment.decision().map(|entry| entry.by.clone()),
                ..attribution
            });
        }
    }
    (attributions, index_of)
}

/// The clauses that a partial reading of two revisions must read: those whose place among the
/// others changed between the two orders (a moved clause is shown even when its words are
/// the same).
pub fn moved_between(old: &Declaration, new: &Declaration) -> HashSet<ClauseId> {
    let mut moved = HashSet::new();
    for part in [Part::Preamble, Part::Operative] {
        let old_order: Vec<&ClauseId> = old.order(part).iter().collect();
        let new_order: Vec<&ClauseId> = new.order(part).iter().collect();
        moved.extend(moved_clauses(&old_order, &new_order).into_iter().cloned());
    }
    moved
}

/// The clauses present in both orders whose relative place changed: those outside a longest
/// common subsequence of the two orders.
fn moved_clauses<'a>(old: &[&'a ClauseId], new: &[&'a ClauseId]) -> HashSet<&'a ClauseId> {
    let new_set: HashSet<&ClauseId> = new.iter().copied().collect();
    let old_set: HashSet<&ClauseId> = old.iter().copied().collect();
    let old_common: Vec<&ClauseId> = old
        .iter()
        .copied()
        .filter(|id| new_set.contains(id))
        .collect();
    let new_common: Vec<&ClauseId> = new
        .iter()
        .copied()
        .filter(|id| old_set.contains(id))
        .collect();
    let mut moved = HashSet::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_common, &new_common) {
        if let DiffOp::Insert {
            new_index, new_len, ..
        }
        | DiffOp::Replace {
            new_index, new_len, ..
        } = op
        {
            moved.extend(new_common[new_index..new_index + new_len].iter().copied());
        }
    }
    moved
}

impl ClauseRedline {
    /// "OP 7 (was OP 6)", "OP 3 (new)", "PP 2 (deleted)", "OP 6 (moved to OP 3)".
    pub fn label(&self) -> String {
        match (self.old_number, self.new_number) {
            (Some(old), Some(new)) if self.moved_away && old != new => {
                format!("{old} (moved to {new})")
            }
            (Some(old), _) if self.moved_away => format!("{old} (moved from here)"),
            (Some(old), Some(new)) if old != new => format!("{new} (was {old})"),
            (_, Some(new)) if self.change == ClauseChange::Inserted => format!("{new} (new)"),
            (_, Some(new)) => new.to_string(),
            (Some(old), None) => format!("{old} (deleted)"),
            (None, None) => self.id.to_string(),
        }
    }

    /// Whether the text changed for this clause (its words, its presence or its place); a
    /// change of status alone is noted with the clause but does not make it a change.
    pub fn is_interesting(&self) -> bool {
        self.change != ClauseChange::Unchanged || self.moved
    }

    /// Whether only the clause's status changed: same words, same place.
    pub fn is_status_only(&self) -> bool {
        !self.is_interesting()
            && matches!((self.old_status, self.new_status), (Some(old), Some(new)) if old != new)
    }
}

impl Summary {
    /// Counts the changes among `clauses` (all of a comparison, or the ones a reader asked for).
    pub fn of(clauses: &[ClauseRedline]) -> Summary {
        let mut summary = Summary::default();
        for clause in clauses.iter().filter(|clause| !clause.moved_away) {
            if clause.is_status_only() {
                summary.status_only += 1;
            }
            match clause.change {
                ClauseChange::Changed => summary.changed += 1,
                ClauseChange::Inserted => summary.inserted += 1,
                ClauseChange::Deleted => summary.deleted += 1,
                ClauseChange::Unchanged => summary.unchanged += 1,
            }
            if clause.moved {
                summary.moved += 1;
            } else if clause.old_number.is_some()
                && clause.new_number.is_some()
                && clause.old_number != clause.new_number
            {
                summary.renumbered += 1;
            }
        }
        summary
    }

    /// "3 clauses changed, 1 inserted, 1 deleted, 1 moved".
    pub fn sentence(&self) -> String {
        let mut parts = vec![format!(
            "{} clause{} changed",
            self.changed,
            if self.changed == 1 { "" } else { "s" }
        )];
        parts.push(format!("{} inserted", self.inserted));
        parts.push(format!("{} deleted", self.deleted));
        parts.push(format!("{} moved", self.moved));
        if self.renumbered > 0 {
            parts.push(format!("{} renumbered only", self.renumbered));
        }
        if self.status_only > 0 {
            parts.push(format!("{} changed status only", self.status_only));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(names: &[&str]) -> Vec<ClauseId> {
        names.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn moves_are_clauses_outside_the_common_order() {
        let old = ids(&["a", "b", "c", "d"]);
        let new = ids(&["b", "c", "a", "d", "e"]);
        let old_refs: Vec<&ClauseId> = old.iter().collect();
        let new_refs: Vec<&ClauseId> = new.iter().collect();
        let moved = moved_clauses(&old_refs, &new_refs);
        assert_eq!(moved.len(), 1);
        assert!(moved.contains(&old[0]));
    }
}
