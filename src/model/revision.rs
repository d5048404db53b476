//! Cutting a revision: applying every accepted amendment to the text at once.
//!
//! The chair accepts amendments one by one; the text only changes when the secretariat cuts
//! the next revision. Applying them together means two accepted amendments can collide (both
//! rewrite OP 5, or one inserts after a clause the other deletes), so [`apply_accepted`] first
//! looks for every conflict and refuses with all of them, then applies in proposal order.
//!
//! Two span replacements in the same clause do not conflict when their spans do not overlap:
//! "replace 'shall' with 'should'" and "replace 'States' with 'all States'" in OP 5 both apply.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::amendment::{Amendment, Change, Position, unique_position};
use super::declaration::{Clause, ClauseStatus, Declaration, Part};
use super::id::{AmendmentId, ClauseId};
use super::validate::wording_problems;

/// Two or more accepted amendments that cannot all be applied, or one that no longer fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub amendments: Vec<AmendmentId>,
    pub reason: String,
}

/// The text after a cut, and what changed.
#[derive(Debug, Clone)]
pub struct AppliedRevision {
    pub declaration: Declaration,
    /// Clauses whose file must be rewritten (changed or new).
    pub written: BTreeSet<ClauseId>,
    /// Clauses whose file must be removed.
    pub removed: BTreeSet<ClauseId>,
    /// Each applied amendment with the clause it changed, in the order applied.
    pub applied: Vec<(AmendmentId, ClauseId)>,
    /// Agreed (or ad ref) clauses whose wording an amendment changed: agreement was given to
    /// the old words, so they are draft again.
    pub returned_to_draft: BTreeSet<ClauseId>,
}

/// Why `name` cannot name a revision, if it cannot. A revision is a git tag, and its name is
/// also typed wherever git takes a revision (`decl redline rev1 rev2`, `git diff rev1`), so
/// it must be a plain word that git reads as nothing else: letters, digits, '.', '-' and '_',
/// starting with a letter or digit, at most 64 characters, and none of git's own names
/// (`HEAD`, `FETCH_HEAD`, `@`, ...). Branch and remote names are the store's to check.
pub fn revision_name_problem(name: &str) -> Option<String> {
    const GIT_NAMES: [&str; 9] = [
        "HEAD",
        "FETCH_HEAD",
        "ORIG_HEAD",
        "MERGE_HEAD",
        "CHERRY_PICK_HEAD",
        "REVERT_HEAD",
        "BISECT_HEAD",
        "AUTO_MERGE",
        "REBASE_HEAD",
    ];
    let problem = if name.is_empty() {
        "it is empty"
    } else if name.chars().count() > 64 {
        "it is longer than 64 characters"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        "use only letters, digits, '.', '-' and '_'"
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        "it must start with a letter or a digit"
    } else if name.ends_with('.') || name.ends_with(".lock") || name.contains("..") {
        "git refuses a name ending in '.' or '.lock' or holding '..'"
    } else if GIT_NAMES.contains(&name) || name.eq_ignore_ascii_case("head") {
        "git uses that name itself"
    } else if name.len() >= 40 && name.chars().all(|c| c.is_ascii_hexdigit()) {
        "it would read as a commit id"
    } else {
        return None;
    };
    Some(format!("{name:?} cannot name a revision: {problem}"))
}

/// Applies `accepted` to `declaration`, or returns every conflict among them.
pub fn apply_accepted(
    declaration: &Declaration,
    accepted: &[&Amendment],
) -> Result<AppliedRevision, Vec<Conflict>> {
    let mut ordered: Vec<&Amendment> = accepted.to_vec();
    ordered.sort_by(|a, b| {
        let time = |amendment: &Amendment| amendment.record.first().map(|entry| entry.at);
        time(a).cmp(&time(b)).then_with(|| a.id.cmp(&b.id))
    });
    find_conflicts(declaration, &ordered)?;

    let mut next = declaration.clone();
    let mut written = BTreeSet::new();
    let mut removed = BTreeSet::new();
    let mut applied = Vec::new();

    // Span replacements are located in the wording as it stands before the cut and applied
    // from the end backwards, so that one replacement does not shift another's offset.
    let mut span_edits: BTreeMap<&ClauseId, Vec<(usize, usize, &str)>> = BTreeMap::new();
    for amendment in &ordered {
        let text = amendment.effective_text().unwrap_or_default();
        match (&amendment.change, amendment.effective_span()) {
            (Change::Replace { clause, .. }, Some(span)) => {
                let wording = declaration.clauses[clause].wording();
                // find_conflicts checked the span occurs exactly once.
                let start = unique_position(&wording, span).unwrap_or_default();
                span_edits
                    .entry(clause)
                    .or_default()
                    .push((start, start + span.len(), text));
            }
            (Change::Replace { clause, .. }, None) => {
                if let Some(target) = next.clauses.get_mut(clause) {
                    target.set_wording(text);
                }
                written.insert(clause.clone());
            }
            (Change::Delete { clause }, _) => {
                next.clauses.remove(clause);
                for part in [Part::Preamble, Part::Operative] {
                    next.order_mut(part).retain(|id| id != clause);
                }
                removed.insert(clause.clone());
            }
            (Change::Insert { .. } | Change::Move { .. }, _) => {}
        }
        applied.push((amendment.id.clone(), amendment.clause().clone()));
    }
    for (clause_id, mut edits) in span_edits {
        let mut wording = declaration.clauses[clause_id].wording();
        edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
        for (start, end, text) in edits {
            wording.replace_range(start..end, text);
        }
        if let Some(target) = next.clauses.get_mut(clause_id) {
            target.set_wording(&wording);
        }
        written.insert(clause_id.clone());
    }

    // Several clauses inserted after the same anchor keep their proposal order.
    let mut last_placed_after: HashMap<ClauseId, ClauseId> = HashMap::new();
    for amendment in &ordered {
        let (clause_id, position) = match &amendment.change {
            Change::Insert {
                new_clause,
                position,
                ..
            } => {
                let part = part_for(&next, position);
                let mut clause = Clause {
                    kind: part.kind(),
                    status: ClauseStatus::Draft,
                    text: String::new(),
                    subparagraphs: Vec::new(),
                    notes: None,
                };
                clause.set_wording(amendment.effective_text().unwrap_or_default());
                next.clauses.insert(new_clause.clone(), clause);
                written.insert(new_clause.clone());
                (new_clause, position)
            }
            Change::Move { clause, position } => {
                for part in [Part::Preamble, Part::Operative] {
                    next.order_mut(part).retain(|id| id != clause);
                }
                (clause, position)
            }
            _ => continue,
        };
        let part = part_for(&next, position);
        let order = next.order_mut(part);
        let index = match position {
            Position::After(anchor) => {
                let after = last_placed_after.get(anchor).unwrap_or(anchor);
                order
                    .iter()
                    .position(|id| id == after)
                    .map_or(order.len(), |i| i + 1)
            }
            Position::Before(anchor) => order.iter().position(|id| id == anchor).unwrap_or(0),
            Position::End(_) => order.len(),
        };
        order.insert(index, clause_id.clone());
        if let Position::After(anchor) = position {
            last_placed_after.insert(anchor.clone(), clause_id.clone());
        }
    }

    let mut returned_to_draft = BTreeSet::new();
    let mut broken = Vec::new();
    for id in &written {
        let Some(clause) = next.clauses.get_mut(id) else {
            continue;
        };
        let agreed = matches!(
            clause.status,
            ClauseStatus::Agreed | ClauseStatus::AgreedAdRef
        );
        if agreed && declaration.clauses.get(id).map(Clause::wording) != Some(clause.wording()) {
            clause.status = ClauseStatus::Draft;
            returned_to_draft.insert(id.clone());
        }
        for (_, problem) in wording_problems(clause) {
            let by: Vec<AmendmentId> = ordered
                .iter()
                .filter(|a| a.clause() == id)
                .map(|a| a.id.clone())
                .collect();
            broken.push(Conflict {
                reason: format!(
                    "the resulting wording of {} would be invalid: {problem}",
                    label(declaration, id)
                ),
                amendments: by,
            });
        }
    }
    if !broken.is_empty() {
        return Err(broken);
    }

    Ok(AppliedRevision {
        declaration: next,
        written,
        removed,
        applied,
        returned_to_draft,
    })
}

/// "OP 5 (op-border-data)", or the bare id of a clause not (yet) in the order.
fn label(declaration: &Declaration, id: &ClauseId) -> String {
    declaration
        .number_of(id)
        .map_or_else(|| id.to_string(), |n| format!("{n} ({id})"))
}

fn part_for(declaration: &Declaration, position: &Position) -> Part {
    match position {
        Position::After(anchor) | Position::Before(anchor) => {
            declaration.part_of(anchor).unwrap_or(Part::Operative)
        }
        Position::End(part) => *part,
    }
}

fn find_conflicts(declaration: &Declaration, ordered: &[&Amendment]) -> Result<(), Vec<Conflict>> {
    let mut conflicts = Vec::new();
    let mut conflict = |amendments: Vec<&AmendmentId>, reason: String| {
        conflicts.push(Conflict {
            amendments: amendments.into_iter().cloned().collect(),
            reason,
        });
    };

    let deleted: HashMap<&ClauseId, &AmendmentId> = ordered
        .iter()
        .filter_map(|a| match &a.change {
            Change::Delete { clause } => Some((clause, &a.id)),
            _ => None,
        })
        .collect();
    let mut by_target: BTreeMap<&ClauseId, Vec<&Amendment>> = BTreeMap::new();
    let mut new_ids: HashMap<&ClauseId, &AmendmentId> = HashMap::new();

    for amendment in ordered {
        let label = |id: &ClauseId| label(declaration, id);
        if let Some(target) = amendment.change.target() {
            if !declaration.clauses.contains_key(target) {
                conflict(
                    vec![&amendment.id],
                    format!("its clause {target} no longer exists"),
                );
                continue;
            }
            by_target.entry(target).or_default().push(amendment);
        }
        if matches!(amendment.change, Change::Replace { .. })
            && amendment.effective_span().is_none()
            && amendment.is_stale(declaration)
        {
            conflict(
                vec![&amendment.id],
                format!(
                    "it rewrites {} but was drafted against an older text of it; rebase it (decl amend rebase {})",
                    label(amendment.clause()),
                    amendment.id
                ),
            );
        }
        if let (Change::Replace { clause, .. }, Some(span)) =
            (&amendment.change, amendment.effective_span())
        {
            let wording = declaration.clauses[clause].wording();
            if unique_position(&wording, span).is_none() {
                conflict(
                    vec![&amendment.id],
                    format!(
                        "the words {span:?} no longer occur exactly once in {}",
                        label(clause)
                    ),
                );
            }
        }
        if let Change::Insert { new_clause, .. } = &amendment.change {
            if declaration.clauses.contains_key(new_clause) {
                conflict(
                    vec![&amendment.id],
                    format!("the new clause id {new_clause} is already taken"),
                );
            } else if let Some(other) = new_ids.insert(new_clause, &amendment.id) {
                conflict(
                    vec![other, &amendment.id],
                    format!("both insert a clause called {new_clause}"),
                );
            }
        }
        if let Some(anchor) = amendment.change.anchor() {
            if let Some(deleter) = deleted.get(anchor) {
                conflict(
                    vec![&amendment.id, deleter],
                    format!(
                        "{} places a clause next to {}, which {} deletes",
                        amendment.id,
                        label(anchor),
                        deleter
                    ),
                );
            } else if !declaration.clauses.contains_key(anchor)
                && !ordered.iter().any(|a| a.change.clause() == anchor)
            {
                conflict(
                    vec![&amendment.id],
                    format!("it places a clause next to {anchor}, which does not exist"),
                );
            }
        }
        if let Change::Move { clause, position } = &amendment.change
            && let Some(anchor_part) = position
                .anchor()
                .and_then(|anchor| declaration.part_of(anchor))
                .or(match position {
                    Position::End(part) => Some(*part),
                    _ => None,
                })
            && declaration.part_of(clause) != Some(anchor_part)
        {
            conflict(
                vec![&amendment.id],
                format!(
                    "{} would move between the preamble and the operative part",
                    label(clause)
                ),
            );
        }
    }

    for (target, amendments) in by_target {
        if amendments.len() < 2 {
            continue;
        }
        let wording = declaration.clauses[target].wording();
        let spans: Option<Vec<(usize, usize)>> = amendments
            .iter()
            .map(|a| match (&a.change, a.effective_span()) {
                (Change::Replace { .. }, Some(span)) => {
                    unique_position(&wording, span).map(|start| (start, start + span.len()))
                }
                _ => None,
            })
            .collect();
        let disjoint = spans.is_some_and(|mut spans| {
            spans.sort();
            spans.windows(2).all(|pair| pair[0].1 <= pair[1].0)
        });
        if !disjoint {
            let label = label(declaration, target);
            conflict(
                amendments.iter().map(|a| &a.id).collect(),
                format!("they all change {label}"),
            );
        }
    }

    if conflicts.is_empty() {
        Ok(())
    } else {
        Err(conflicts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::amendment::{Act, Base};
    use crate::model::declaration::*;
    use chrono::DateTime;

    fn declaration() -> Declaration {
        let clause = |kind, text: &str| Clause {
            kind,
            status: ClauseStatus::Draft,
            text: text.to_owned(),
            subparagraphs: vec![],
            notes: None,
        };
        let mut clauses = BTreeMap::new();
        clauses.insert(
            "pp-a".parse().unwrap(),
            clause(ClauseKind::Preambular, "*Recalling* A,"),
        );
        clauses.insert(
            "op-a".parse().unwrap(),
            clause(ClauseKind::Operative, "*Call upon* States to act;"),
        );
        clauses.insert(
            "op-b".parse().unwrap(),
            clause(ClauseKind::Operative, "*Decide* to meet."),
        );
        Declaration {
            meta: DeclarationMeta {
                title: "T".into(),
                short_title: "T".into(),
                symbol: "S".into(),
                conference: "C".into(),
                place: "P".into(),
                dates: ConferenceDates {
                    from: "2022-10-18".parse().unwrap(),
                    to: None,
                },
                languages: vec!["en".into()],
                style: DocumentStyle::Declaration,
                chapeau: "We,".into(),
                preamble: vec!["pp-a".parse().unwrap()],
                operative: vec!["op-a".parse().unwrap(), "op-b".parse().unwrap()],
                adopted: None,
            },
            delegations: vec![],
            clauses,
        }
    }

    fn accepted(id: &str, minute: u32, change: Change) -> Amendment {
        let at = |m: u32| {
            DateTime::parse_from_rfc3339(&format!("2022-09-12T10:{m:02}:00+05:00")).unwrap()
        };
        let mut amendment = Amendment::propose(
            id.parse().unwrap(),
            change,
            vec![],
            None,
            Base {
                commit: "0".into(),
                text_hash: None,
            },
            at(minute),
        );
        let chair = Delegation {
            code: "TJK".parse().unwrap(),
            name: "Tajikistan".into(),
            role: Role::Chair,
            email: None,
            keys: Vec::new(),
        };
        amendment
            .act(&chair, Act::Accept { modified: None }, at(59))
            .unwrap();
        amendment
    }

    fn id(s: &str) -> ClauseId {
        s.parse().unwrap()
    }

    #[test]
    fn disjoint_span_replacements_in_one_clause_both_apply() {
        let a = accepted(
            "TUR-1",
            1,
            Change::Replace {
                clause: id("op-a"),
                span: Some("States".into()),
                text: "all States".into(),
            },
        );
        let b = accepted(
            "QAT-1",
            2,
            Change::Replace {
                clause: id("op-a"),
                span: Some("act".into()),
                text: "act together".into(),
            },
        );
        let result = apply_accepted(&declaration(), &[&a, &b]).unwrap();
        assert_eq!(
            result.declaration.clauses[&id("op-a")].text,
            "*Call upon* all States to act together;"
        );
        assert_eq!(result.applied.len(), 2);
    }

    #[test]
    fn two_whole_replacements_of_one_clause_conflict() {
        let a = accepted(
            "TUR-1",
            1,
            Change::Replace {
                clause: id("op-a"),
                span: None,
                text: "x".into(),
            },
        );
        let b = accepted("QAT-1", 2, Change::Delete { clause: id("op-a") });
        let conflicts = apply_accepted(&declaration(), &[&a, &b]).unwrap_err();
        assert_eq!(conflicts.len(), 1);
        assert!(conflicts[0].reason.contains("OP 1"), "{:?}", conflicts);
    }

    #[test]
    fn insertion_next_to_a_deleted_clause_conflicts() {
        let a = accepted(
            "TUR-1",
            1,
            Change::Insert {
                new_clause: id("op-new"),
                position: Position::After(id("op-b")),
                text: "New;".into(),
            },
        );
        let b = accepted("QAT-1", 2, Change::Delete { clause: id("op-b") });
        let conflicts = apply_accepted(&declaration(), &[&a, &b]).unwrap_err();
        assert!(conflicts[0].reason.contains("deletes"), "{conflicts:?}");
    }

    #[test]
    fn inserts_after_one_anchor_keep_proposal_order_and_moves_reorder() {
        let a = accepted(
            "TUR-1",
            1,
            Change::Insert {
                new_clause: id("op-c"),
                position: Position::After(id("op-a")),
                text: "C;".into(),
            },
        );
        let b = accepted(
            "QAT-1",
            2,
            Change::Insert {
                new_clause: id("op-d"),
                position: Position::After(id("op-a")),
                text: "D;".into(),
            },
        );
        let c = accepted(
            "KAZ-1",
            3,
            Change::Move {
                clause: id("op-b"),
                position: Position::Before(id("op-a")),
            },
        );
        let result = apply_accepted(&declaration(), &[&b, &c, &a]).unwrap();
        let order: Vec<_> = result
            .declaration
            .meta
            .operative
            .iter()
            .map(|i| i.as_str())
            .collect();
        assert_eq!(order, ["op-b", "op-a", "op-c", "op-d"]);
        assert_eq!(
            result.declaration.clauses[&id("op-c")].kind,
            ClauseKind::Operative
        );
    }

    #[test]
    fn revision_names_are_plain_words_git_reads_as_nothing_else() {
        for good in ["rev1", "Rev.2", "adopted", "zero-draft", "r_3"] {
            assert_eq!(revision_name_problem(good), None, "{good}");
        }
        let long = "r".repeat(300);
        for bad in [
            "",
            "-rf",
            "HEAD",
            "head",
            "@",
            "FETCH_HEAD",
            "rev1/x",
            "origin/main",
            "a b",
            "rev..1",
            "rev1.lock",
            "rev1.",
            &long,
            "é",
        ] {
            assert!(revision_name_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn an_agreed_clause_changed_by_an_amendment_is_draft_again() {
        let mut agreed = declaration();
        agreed.clauses.get_mut(&id("op-a")).unwrap().status = ClauseStatus::Agreed;
        let a = accepted(
            "TUR-1",
            1,
            Change::Replace {
                clause: id("op-a"),
                span: Some("act".into()),
                text: "[act]".into(),
            },
        );
        let result = apply_accepted(&agreed, &[&a]).unwrap();
        assert_eq!(result.returned_to_draft, BTreeSet::from([id("op-a")]));
        assert_eq!(
            result.declaration.clauses[&id("op-a")].status,
            ClauseStatus::Draft
        );
    }

    #[test]
    fn a_result_with_an_unbalanced_bracket_is_a_conflict() {
        let a = accepted(
            "TUR-1",
            1,
            Change::Replace {
                clause: id("op-a"),
                span: Some("act".into()),
                text: "[act".into(),
            },
        );
        let conflicts = apply_accepted(&declaration(), &[&a]).unwrap_err();
        assert!(conflicts[0].reason.contains("unbalanced"), "{conflicts:?}");
        assert_eq!(conflicts[0].amendments, std::slice::from_ref(&a.id));
    }

    #[test]
    fn a_move_between_parts_is_refused() {
        let a = accepted(
            "TUR-1",
            1,
            Change::Move {
                clause: id("op-b"),
                position: Position::After(id("pp-a")),
            },
        );
        assert!(apply_accepted(&declaration(), &[&a]).is_err());
    }
}
