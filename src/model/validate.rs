//! The rules that tie the files of a declaration together.
//!
//! Each file can be well-formed on its own and still disagree with the others: an order entry
//! with no clause file, a clause listed twice, an amendment by an unknown delegation. Checks
//! here collect every such problem (never only the first) as a [`Finding`] naming the file and
//! the YAML path of the offending value; the store turns the path into a line and column.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::amendment::Amendment;
use super::declaration::{Clause, Declaration, Part};
use super::id::{AmendmentId, ClauseId};
use super::suggest::did_you_mean;

/// One problem, located by file and YAML path (`operative[3]`, `delegations[2].code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    /// Where in the file; `None` for the file as a whole.
    pub path: Option<String>,
    pub message: String,
}

impl Finding {
    pub fn new(file: impl Into<String>, path: Option<String>, message: impl Into<String>) -> Self {
        Finding {
            file: file.into(),
            path,
            message: message.into(),
        }
    }
}

pub const DECLARATION_FILE: &str = "declaration.yaml";
pub const DELEGATIONS_FILE: &str = "delegations.yaml";

pub fn clause_file(id: &impl std::fmt::Display) -> String {
    format!("clauses/{id}.yaml")
}

/// Where an amendment is kept: in its proposer's folder (`amendments/TUR/TUR-3.yaml`), so
/// that each commit rewrites one delegation's small folder, not one folder holding every
/// amendment of the negotiation.
pub fn amendment_file(id: &AmendmentId) -> String {
    format!("amendments/{}/{id}.yaml", id.proposer())
}

/// The amendment whose file `path` is, when `path` is where [`amendment_file`] puts it.
pub fn amendment_of_path(path: &str) -> Option<AmendmentId> {
    let (folder, name) = path.strip_prefix("amendments/")?.split_once('/')?;
    let id: AmendmentId = name.strip_suffix(".yaml")?.parse().ok()?;
    (id.proposer().as_str() == folder).then_some(id)
}

/// Checks the declaration's files against each other. `unreadable` names clauses whose file
/// exists but could not be read (already reported): the order may list them.
pub fn validate_declaration(
    declaration: &Declaration,
    unreadable: &BTreeSet<ClauseId>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashMap<&str, String> = HashMap::new();
    for part in [Part::Preamble, Part::Operative] {
        for (idx, id) in declaration.order(part).iter().enumerate() {
            let path = format!("{}[{idx}]", part_key(part));
            if let Some(first) = seen.get(id.as_str()) {
                findings.push(Finding::new(
                    DECLARATION_FILE,
                    Some(path),
                    format!("clause {id} is listed twice in the order (first at {first})"),
                ));
                continue;
            }
            seen.insert(id.as_str(), path.clone());
            match declaration.clauses.get(id) {
                None if unreadable.contains(id) => {}
                None => {
                    let hint =
                        did_you_mean(id.as_str(), declaration.clauses.keys().map(|k| k.as_str()));
                    findings.push(Finding::new(
                        DECLARATION_FILE,
                        Some(path),
                        format!(
                            "the order lists clause {id}, but there is no {}{hint}",
                            clause_file(id)
                        ),
                    ));
                }
                Some(clause) if clause.kind != part.kind() => findings.push(Finding::new(
                    clause_file(id),
                    Some("kind".into()),
                    format!(
                        "clause {id} is {} but is listed in the {} part of declaration.yaml",
                        clause.kind,
                        part.name()
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for (id, clause) in &declaration.clauses {
        let file = clause_file(id);
        if !seen.contains_key(id.as_str()) {
            findings.push(Finding::new(
                file.clone(),
                None,
                format!(
                    "clause {id} is not in the order: add it to `{}` in declaration.yaml",
                    part_key(clause.kind.part())
                ),
            ));
        }
        for (path, message) in wording_problems(clause) {
            findings.push(Finding::new(file.clone(), Some(path), message));
        }
    }

    let mut codes = HashSet::new();
    for (idx, delegation) in declaration.delegations.iter().enumerate() {
        if !codes.insert(&delegation.code) {
            findings.push(Finding::new(
                DELEGATIONS_FILE,
                Some(format!("delegations[{idx}].code")),
                format!("delegation {} is listed twice", delegation.code),
            ));
        }
    }
    if !declaration.delegations.iter().any(|d| d.may_decide()) {
        findings.push(Finding::new(
            DELEGATIONS_FILE,
            None,
            "no delegation is chair or secretariat, so nobody could decide amendments or cut revisions",
        ));
    }
    if declaration.meta.languages.is_empty() {
        findings.push(Finding::new(
            DECLARATION_FILE,
            Some("languages".into()),
            "list at least the language the clauses are written in",
        ));
    }
    findings
}

/// What is wrong with a clause's wording on its own, as (YAML path, message): an unbalanced
/// square bracket in its text or a sub-paragraph. An action checks the wording it would write
/// with this, so that no decision leaves a text `decl check` refuses.
/// The first bidirectional embedding, override or isolate control in `text` (U+202A-U+202E,
/// U+2066-U+2069). The marks U+200E, U+200F and U+061C stay allowed: Arabic and Hebrew text
/// needs them, and they reorder nothing on their own.
pub fn bidi_control(text: &str) -> Option<char> {
    text.chars()
        .find(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

pub fn wording_problems(clause: &Clause) -> Vec<(String, String)> {
    let texts = std::iter::once(("text".to_owned(), &clause.text)).chain(
        clause
            .subparagraphs
            .iter()
            .enumerate()
            .map(|(idx, sub)| (format!("subparagraphs[{idx}]"), sub)),
    );
    let mut problems = Vec::new();
    if clause.text.trim().is_empty() {
        problems.push(("text".to_owned(), "the clause has no text".to_owned()));
    }
    for (path, text) in texts {
        if let Some(control) = bidi_control(text) {
            problems.push((
                path.clone(),
                format!(
                    "holds the bidirectional control U+{:04X}, which makes the text display in another order than it reads (\"evil\" shows as \"live\"): remove it",
                    u32::from(control)
                ),
            ));
        }
        if let Err(bad) = super::declaration::bracket_spans(text) {
            let side = if bad.bracket == '[' {
                "opening"
            } else {
                "closing"
            };
            problems.push((
                path,
                format!(
                    "unbalanced square bracket: the {side} '{}' at character {} has no partner",
                    bad.bracket,
                    text[..bad.offset].chars().count() + 1
                ),
            ));
        }
    }
    problems
}

/// Checks amendments against the declaration and their own record.
pub fn validate_amendments(declaration: &Declaration, amendments: &[Amendment]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let known = |code: &super::id::DelegationCode| declaration.delegation(code).is_some();
    let codes = || declaration.delegations.iter().map(|d| d.code.as_str());
    let mut new_clause_owners: BTreeMap<&str, &Amendment> = BTreeMap::new();
    for amendment in amendments {
        let file = amendment_file(&amendment.id);
        let unknown =
            |findings: &mut Vec<Finding>, path: String, code: &super::id::DelegationCode| {
                findings.push(Finding::new(
                    file.clone(),
                    Some(path),
                    format!(
                        "unknown delegation {code}{}",
                        did_you_mean(code.as_str(), codes())
                    ),
                ));
            };
        if &amendment.proposer != amendment.id.proposer() {
            findings.push(Finding::new(
                file.clone(),
                Some("proposer".into()),
                format!(
                    "amendment {} must be proposed by {}",
                    amendment.id,
                    amendment.id.proposer()
                ),
            ));
        }
        if !known(&amendment.proposer) {
            unknown(&mut findings, "proposer".into(), &amendment.proposer);
        }
        for (field, codes) in [
            ("cosponsors", &amendment.cosponsors),
            ("invited", &amendment.invited),
        ] {
            for (idx, code) in codes.iter().enumerate() {
                if !known(code) {
                    unknown(&mut findings, format!("{field}[{idx}]"), code);
                }
                let problem = if code == &amendment.proposer {
                    Some("is the proposer")
                } else if codes[..idx].contains(code) {
                    Some("is listed twice")
                } else if field == "invited" && amendment.cosponsors.contains(code) {
                    Some("already co-sponsors it")
                } else {
                    None
                };
                if let Some(problem) = problem {
                    findings.push(Finding::new(
                        file.clone(),
                        Some(format!("{field}[{idx}]")),
                        format!("{code} {problem}"),
                    ));
                }
            }
        }
        for (idx, entry) in amendment.record.iter().enumerate() {
            if !known(&entry.by) {
                unknown(&mut findings, format!("record[{idx}].by"), &entry.by);
            }
        }
        let derived = amendment.status_from_record();
        if derived != amendment.status {
            findings.push(Finding::new(
                file.clone(),
                Some("status".into()),
                format!(
                    "the status says {} but the record says {derived}",
                    amendment.status
                ),
            ));
        }
        if amendment.record.first().map(|e| e.action)
            != Some(super::amendment::RecordAction::Propose)
        {
            findings.push(Finding::new(
                file.clone(),
                Some("record".into()),
                "the record must start with the proposal",
            ));
        }
        // A tabled amendment whose clause a revision removed is stale, which decl shows and
        // offers ways out of; an accepted one could never be applied.
        if amendment.awaits_application()
            && let Some(target) = amendment.change.target()
            && !declaration.clauses.contains_key(target)
        {
            findings.push(Finding::new(
                file.clone(),
                Some("clause".into()),
                format!(
                    "amendment {} is accepted but its clause {target} does not exist{}",
                    amendment.id,
                    did_you_mean(
                        target.as_str(),
                        declaration.clauses.keys().map(|k| k.as_str())
                    )
                ),
            ));
        }
        if let super::amendment::Change::Insert { new_clause, .. } = &amendment.change
            && amendment.is_pending()
            && let Some(other) = new_clause_owners.insert(new_clause.as_str(), amendment)
        {
            findings.push(Finding::new(
                file.clone(),
                Some("new_clause".into()),
                format!("{} also inserts a clause called {new_clause}", other.id),
            ));
        }
    }
    findings
}

fn part_key(part: Part) -> &'static str {
    match part {
        Part::Preamble => "preamble",
        Part::Operative => "operative",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amendment_is_kept_in_its_proposers_folder() {
        let id: AmendmentId = "TUR-3".parse().unwrap();
        assert_eq!(amendment_file(&id), "amendments/TUR/TUR-3.yaml");
        assert_eq!(amendment_of_path(&amendment_file(&id)), Some(id));
    }

    #[test]
    fn a_file_outside_its_proposers_folder_is_no_amendment_file() {
        for path in [
            "amendments/TUR-3.yaml",
            "amendments/QAT/TUR-3.yaml",
            "amendments/TUR/TUR-3.yml",
            "amendments/TUR/notes/TUR-3.yaml",
            "clauses/TUR/TUR-3.yaml",
        ] {
            assert_eq!(amendment_of_path(path), None, "{path}");
        }
    }
}
