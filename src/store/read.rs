//! The declaration's files read into model values and checked, from any `Source` (the working
//! tree, a git tree or memory): the declaration (whole, or with only some clauses), the
//! amendment files (listed by name; chosen by their briefs when a command wants only some),
//! translations, and every problem `decl check` reports, at `file:line:col`. Also folders laid
//! out like a repository outside one: a bundled draft, a translation to import.
//!
//! Which revision to read is left to `repo`; parsing one YAML file to `yaml` and
//! `parse_cache`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::briefs::{Brief, Briefs, Wanted};
use super::parse_cache::{self, parse_files};
use super::source::Source;
use super::{AMENDMENTS_DIR, Problem, StoreError, yaml};
use crate::model::adoption::{ClauseTranslation, MetaTranslation, Translation};
use crate::model::validate::{self, DECLARATION_FILE, DELEGATIONS_FILE, Finding, amendment_file};
use crate::model::{
    Amendment, AmendmentId, Clause, ClauseId, Declaration, DeclarationMeta, DelegationsFile,
};

/// Every problem in a repository's files, read from `source`: what `decl check` reports.
pub(super) fn check_source(source: &Source<'_>) -> Result<Vec<Problem>, StoreError> {
    let (declaration, mut problems) = read_and_validate(source)?;
    let (amendments, amendment_problems) = read_amendments(source)?;
    problems.extend(amendment_problems);
    if let Some(declaration) = &declaration {
        for language in declaration.meta.languages.iter().skip(1) {
            problems.extend(read_translation(source, language)?.1);
        }
    }
    if let Some(declaration) = declaration {
        let findings = validate::validate_amendments(&declaration, &amendments);
        problems.extend(locate_findings(source, findings)?);
    }
    problems.sort();
    problems.dedup();
    Ok(problems)
}

/// Every problem in a repository's files given as paths and bytes, without a disk or git:
/// the same reading and validation as [`DeclRepo::check`](super::DeclRepo::check), for the
/// fuzz target that feeds it arbitrary files (`fuzz/fuzz_targets/load.rs`).
pub fn check_files(files: BTreeMap<String, Vec<u8>>) -> Vec<Problem> {
    let source = Source::Files(files);
    // Reading from memory cannot fail: every error here is a problem in a file.
    check_source(&source).expect("reading files from memory does no I/O")
}

/// Reads the declaration's files and checks them against each other: the declaration (when
/// every file could be read) and every problem found.
fn read_and_validate(
    source: &Source<'_>,
) -> Result<(Option<Declaration>, Vec<Problem>), StoreError> {
    let (declaration, mut problems, unreadable) = read_declaration(source, None)?;
    if let Some(declaration) = &declaration {
        let findings = validate::validate_declaration(declaration, &unreadable);
        problems.extend(locate_findings(source, findings)?);
    }
    Ok((declaration, problems))
}

type ReadDeclaration = (Option<Declaration>, Vec<Problem>, BTreeSet<ClauseId>);

/// Reads the declaration: every clause file, or with `only`, just those clauses' files (those
/// that exist), by name, without listing the directory.
fn read_declaration(
    source: &Source<'_>,
    only: Option<&BTreeSet<ClauseId>>,
) -> Result<ReadDeclaration, StoreError> {
    let mut problems = Vec::new();
    let mut read_required = |file: &str| -> Result<Option<Vec<u8>>, StoreError> {
        let bytes = source.read(file)?;
        if bytes.is_none() {
            problems.push(Problem::at(
                file,
                (1, 1),
                format!(
                    "{file} is missing: is this a declaration repository? (`decl init` makes one)"
                ),
            ));
        }
        Ok(bytes)
    };
    let meta_bytes = read_required(DECLARATION_FILE)?;
    let delegation_bytes = read_required(DELEGATIONS_FILE)?;
    let meta = meta_bytes.and_then(|bytes| {
        collect(
            &mut problems,
            parse_cache::parse_file::<DeclarationMeta>(
                source.cache_dir(),
                "declaration",
                DECLARATION_FILE,
                bytes,
            ),
        )
    });
    let delegations = delegation_bytes.and_then(|bytes| {
        collect(
            &mut problems,
            parse_cache::parse_file::<DelegationsFile>(
                source.cache_dir(),
                "delegations",
                DELEGATIONS_FILE,
                bytes,
            ),
        )
    });

    let names = match only {
        Some(ids) => ids.iter().map(|id| format!("{id}.yaml")).collect(),
        None => source.list("clauses")?,
    };
    let (clauses, unreadable) = read_clauses(source, names, &mut problems)?;
    let declaration = match (meta, delegations) {
        (Some(meta), Some(delegations)) => Some(Declaration {
            meta,
            delegations: delegations.delegations,
            clauses,
        }),
        _ => None,
    };
    Ok((declaration, problems, unreadable))
}

/// Reads the clause files named (`op-x.yaml`), with the id each holds; the ids of files that
/// exist but do not read are returned apart, their problems added to `problems`.
pub(super) fn read_clauses(
    source: &Source<'_>,
    names: Vec<String>,
    problems: &mut Vec<Problem>,
) -> Result<(BTreeMap<ClauseId, Clause>, BTreeSet<ClauseId>), StoreError> {
    let mut clauses = BTreeMap::new();
    let mut unreadable = BTreeSet::new();
    let mut files = Vec::new();
    for name in names {
        let file = format!("clauses/{name}");
        let Some(stem) = name.strip_suffix(".yaml") else {
            problems.push(Problem::at(&file, (1, 1), "clause files must end in .yaml"));
            continue;
        };
        let id = match stem.parse::<ClauseId>() {
            Ok(id) => id,
            Err(error) => {
                problems.push(Problem::at(
                    &file,
                    (1, 1),
                    format!("the file name is not a valid {error}"),
                ));
                continue;
            }
        };
        if let Some(bytes) = source.read(&file)? {
            files.push((id, file, bytes));
        }
    }
    for (id, _, _, parsed) in parse_files::<Clause, _>(source.cache_dir(), "clauses", files) {
        match collect(problems, parsed) {
            Some(clause) => {
                clauses.insert(id, clause);
            }
            None => {
                unreadable.insert(id);
            }
        }
    }
    Ok((clauses, unreadable))
}

/// The whole declaration in `source`, cross-checked.
pub(super) fn whole_declaration(source: &Source<'_>) -> Result<Declaration, StoreError> {
    match read_and_validate(source)? {
        (Some(declaration), problems) if problems.is_empty() => Ok(declaration),
        (_, problems) => Err(StoreError::Invalid(problems)),
    }
}

/// The declaration in `source` with only the named clauses read, not cross-checked.
pub(super) fn partial_declaration(
    source: &Source<'_>,
    clauses: &BTreeSet<ClauseId>,
) -> Result<Declaration, StoreError> {
    match read_declaration(source, Some(clauses))? {
        (Some(declaration), problems, _) if problems.is_empty() => Ok(declaration),
        (_, problems, _) => Err(StoreError::Invalid(problems)),
    }
}

/// Every amendment in `source`, in id order; an error if any file is invalid.
pub(super) fn every_amendment(source: &Source<'_>) -> Result<Vec<Amendment>, StoreError> {
    let (amendments, problems) = read_amendments(source)?;
    if problems.is_empty() {
        Ok(amendments)
    } else {
        Err(StoreError::Invalid(problems))
    }
}

pub(super) fn amendment_ids(source: &Source<'_>) -> Result<Vec<AmendmentId>, StoreError> {
    Ok(amendment_files(source)?
        .found
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}

/// The amendment files at `source`, in id order.
pub(super) struct AmendmentFiles {
    pub(super) found: Vec<(AmendmentId, String)>,
    /// Files under `amendments/` that are not where an amendment belongs.
    misplaced: Vec<Problem>,
}

/// Lists `amendments/<CODE>/<ID>.yaml` from file names alone, without reading a file.
pub(super) fn amendment_files(source: &Source<'_>) -> Result<AmendmentFiles, StoreError> {
    let mut found = Vec::new();
    let mut misplaced = Vec::new();
    for name in source.list(AMENDMENTS_DIR)? {
        let message = match name
            .strip_suffix(".yaml")
            .and_then(|stem| stem.parse::<AmendmentId>().ok())
        {
            Some(id) => format!(
                "amendments are kept in their proposer's folder: move this file to {}",
                amendment_file(&id)
            ),
            None => "amendments are kept in their proposer's folder, as amendments/TUR/TUR-3.yaml"
                .to_owned(),
        };
        misplaced.push(Problem::at(
            &format!("{AMENDMENTS_DIR}/{name}"),
            (1, 1),
            message,
        ));
    }
    for folder in source.list_folders(AMENDMENTS_DIR)? {
        for name in source.list(&format!("{AMENDMENTS_DIR}/{folder}"))? {
            let file = format!("{AMENDMENTS_DIR}/{folder}/{name}");
            let Some(stem) = name.strip_suffix(".yaml") else {
                misplaced.push(Problem::at(
                    &file,
                    (1, 1),
                    "amendment files must end in .yaml",
                ));
                continue;
            };
            match stem.parse::<AmendmentId>() {
                Ok(id) if id.proposer().as_str() == folder => found.push((id, file)),
                Ok(id) => {
                    let message = format!(
                        "{id} is proposed by {}: move this file to {}",
                        id.proposer(),
                        amendment_file(&id)
                    );
                    misplaced.push(Problem::at(&file, (1, 1), message));
                }
                Err(error) => misplaced.push(Problem::at(
                    &file,
                    (1, 1),
                    format!("the file name is not a valid {error}"),
                )),
            }
        }
    }
    found.sort();
    Ok(AmendmentFiles { found, misplaced })
}

/// The folder a repository path is in (`amendments/TUR` for `amendments/TUR/TUR-3.yaml`).
pub(super) fn parent_folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

pub(super) fn read_amendment(
    source: &Source<'_>,
    id: &AmendmentId,
) -> Result<Option<Amendment>, StoreError> {
    let file = amendment_file(id);
    let Some(bytes) = source.read(&file)? else {
        return Ok(None);
    };
    let amendment = yaml::parse::<Amendment>(&file, &bytes).map_err(StoreError::Invalid)?;
    Ok(Some(amendment))
}

fn read_amendments(source: &Source<'_>) -> Result<(Vec<Amendment>, Vec<Problem>), StoreError> {
    read_amendments_where(source, Wanted::Every)
}

/// Reads the amendments a command wants: chosen by their briefs (clause and status) where the
/// index knows them, else by a byte search, far cheaper than parsing twenty thousand files
/// when a command needs only a few of them.
pub(super) fn read_amendments_where(
    source: &Source<'_>,
    wanted: Wanted<'_>,
) -> Result<(Vec<Amendment>, Vec<Problem>), StoreError> {
    let AmendmentFiles {
        found,
        misplaced: mut problems,
    } = amendment_files(source)?;
    let mut briefs = Briefs::open_for(source.cache_dir(), found.len(), wanted);
    let mut files = Vec::new();
    for (id, file) in found {
        let blob = match &briefs {
            Some(_) => source.blob_id(&file)?,
            None => None,
        };
        if let (Some(briefs), Some(blob)) = (&mut briefs, blob)
            && let Some(brief) = briefs.get(blob)
        {
            if wanted.takes(&brief) {
                let bytes = source.read(&file)?.unwrap_or_default();
                files.push((id, file, bytes));
            }
            continue;
        }
        let Some(bytes) = source.read(&file)? else {
            continue;
        };
        if let (Some(briefs), Some(blob)) = (&mut briefs, blob)
            && let Ok(amendment) = yaml::parse::<Amendment>(&file, &bytes)
        {
            let brief = Brief::of(&amendment);
            let taken = wanted.takes(&brief);
            briefs.learn(blob, brief);
            if taken {
                files.push((id, file, bytes));
            }
            continue;
        }
        if wanted.may_take(&bytes) {
            files.push((id, file, bytes));
        }
    }
    if let Some(briefs) = briefs {
        briefs.save();
    }
    let mut amendments = Vec::new();
    for (id, file, bytes, parsed) in
        parse_files::<Amendment, _>(source.cache_dir(), "amendments", files)
    {
        let Some(amendment) = collect(&mut problems, parsed) else {
            continue;
        };
        if amendment.id != id {
            let at = yaml::decode(&file, &bytes)
                .ok()
                .and_then(|text| yaml::locate(text, "id"))
                .unwrap_or((1, 1));
            problems.push(Problem::at(
                &file,
                at,
                format!(
                    "the id {} does not match the file name {}",
                    amendment.id,
                    file.rsplit('/').next().unwrap_or(&file)
                ),
            ));
            continue;
        }
        if wanted.takes(&Brief::of(&amendment)) {
            amendments.push(amendment);
        }
    }
    amendments.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((amendments, problems))
}

pub(super) fn read_translation(
    source: &Source<'_>,
    language: &str,
) -> Result<(Option<Translation>, Vec<Problem>), StoreError> {
    read_translation_in(source, &format!("translations/{language}"), language)
}

fn read_translation_in(
    source: &Source<'_>,
    dir: &str,
    language: &str,
) -> Result<(Option<Translation>, Vec<Problem>), StoreError> {
    let mut problems = Vec::new();
    let names = source.list(dir)?;
    if names.is_empty() {
        return Ok((None, problems));
    }
    let mut translation = Translation {
        language: language.to_owned(),
        ..Translation::default()
    };
    for name in names {
        let file = format!("{dir}/{name}");
        let Some(bytes) = source.read(&file)? else {
            continue;
        };
        if name == DECLARATION_FILE {
            translation.meta =
                collect(&mut problems, yaml::parse::<MetaTranslation>(&file, &bytes));
            continue;
        }
        let Some(id) = name
            .strip_suffix(".yaml")
            .and_then(|stem| stem.parse::<ClauseId>().ok())
        else {
            problems.push(Problem::at(
                &file,
                (1, 1),
                "translation files are named <clause-id>.yaml or declaration.yaml",
            ));
            continue;
        };
        if let Some(clause) = collect(
            &mut problems,
            yaml::parse::<ClauseTranslation>(&file, &bytes),
        ) {
            translation.clauses.insert(id, clause);
        }
    }
    Ok((Some(translation), problems))
}

/// The translation files in a folder (`drafts/dushanbe-2022/translations/ru`), to import.
pub fn read_translation_dir(dir: &Path, language: &str) -> Result<Translation, StoreError> {
    let source = Source::WorkTree(dir.to_owned());
    if !dir.is_dir() {
        return Err(StoreError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
        ));
    }
    let (translation, mut problems) = read_translation_in(&source, ".", language)?;
    for problem in &mut problems {
        problem.file = dir
            .join(problem.file.trim_start_matches("./"))
            .display()
            .to_string();
    }
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let mut translation = translation.unwrap_or_default();
    translation.language = language.to_owned();
    Ok(translation)
}

fn collect<T>(problems: &mut Vec<Problem>, result: Result<T, Vec<Problem>>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(found) => {
            problems.extend(found);
            None
        }
    }
}

/// Turns model findings (file + YAML path) into located problems, reading each file once.
fn locate_findings(
    source: &Source<'_>,
    findings: Vec<Finding>,
) -> Result<Vec<Problem>, StoreError> {
    let mut texts: HashMap<String, Option<String>> = HashMap::new();
    let mut problems = Vec::new();
    for finding in findings {
        if !texts.contains_key(&finding.file) {
            let text = source
                .read(&finding.file)?
                .and_then(|bytes| yaml::decode(&finding.file, &bytes).ok().map(str::to_owned));
            texts.insert(finding.file.clone(), text);
        }
        let at = match (&finding.path, &texts[&finding.file]) {
            (Some(path), Some(text)) => yaml::locate(text, path).unwrap_or((1, 1)),
            _ => (1, 1),
        };
        problems.push(Problem::at(&finding.file, at, finding.message));
    }
    Ok(problems)
}

/// The files of a bundled draft folder: the zero draft's YAML and, if present, its history.
pub struct DraftFiles {
    /// Repository-relative path and content of each file of the zero draft.
    pub files: Vec<(String, Vec<u8>)>,
    pub history: Option<Vec<u8>>,
}

/// Reads a draft folder (`drafts/dushanbe-2022`).
pub fn read_draft(dir: &Path) -> Result<DraftFiles, StoreError> {
    if !dir.is_dir() {
        return Err(StoreError::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such draft folder"),
        ));
    }
    let source = Source::WorkTree(dir.to_owned());
    let mut files = Vec::new();
    for file in [DECLARATION_FILE, DELEGATIONS_FILE] {
        if let Some(bytes) = source.read(file)? {
            files.push((file.to_owned(), bytes));
        }
    }
    for name in source.list("clauses")? {
        let path = format!("clauses/{name}");
        if let Some(bytes) = source.read(&path)? {
            files.push((path, bytes));
        }
    }
    let history = source.read("history.yaml")?;
    Ok(DraftFiles { files, history })
}

/// Every problem in a folder laid out like a repository (a draft), with paths that include
/// the folder so that an editor can jump to them.
pub fn check_directory(dir: &Path) -> Result<Vec<Problem>, StoreError> {
    let source = Source::WorkTree(dir.to_owned());
    let (_, mut problems) = read_and_validate(&source)?;
    for problem in &mut problems {
        problem.file = dir.join(&problem.file).display().to_string();
    }
    problems.sort();
    Ok(problems)
}

/// Reads the declaration in a folder laid out like a repository.
pub fn load_directory(dir: &Path) -> Result<Declaration, StoreError> {
    let source = Source::WorkTree(dir.to_owned());
    match read_and_validate(&source)? {
        (Some(declaration), problems) if problems.is_empty() => Ok(declaration),
        (_, problems) => Err(StoreError::Invalid(problems)),
    }
}
