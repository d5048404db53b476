//! `decl amend propose`: table a new amendment.

use clap::ArgGroup;

use super::TextArgs;
use crate::actions::{Action, Proposal, Target, parse_part, perform};
use crate::cli::{CommandError, Context, Ui};
use crate::model::{ClauseId, DelegationCode, Part, Position};
use crate::store::At;

/// Propose an amendment: replace, insert, delete or move a clause
///
/// Prints the new amendment's id and its redline against the current text. The wording comes
/// from --text, --text-file, or $EDITOR when neither is given. A replacement's wording is the
/// paragraph's text on the first line and one line per sub-paragraph.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("operation").required(true).args(["replace", "insert_after", "insert_before", "insert_at_end", "delete", "move_clause"])))]
#[command(group(ArgGroup::new("destination").args(["after", "before"])))]
pub struct ProposeArgs {
    /// Replace the wording of CLAUSE (all of it, or only --span)
    #[arg(long, value_name = "CLAUSE")]
    pub replace: Option<ClauseId>,
    /// With --replace: the exact words to replace (must occur once)
    #[arg(long, value_name = "OLD", requires = "replace")]
    pub span: Option<String>,
    /// Insert a new clause after CLAUSE
    #[arg(long, value_name = "CLAUSE")]
    pub insert_after: Option<ClauseId>,
    /// Insert a new clause before CLAUSE
    #[arg(long, value_name = "CLAUSE")]
    pub insert_before: Option<ClauseId>,
    /// Insert a new clause at the end of a part (preamble or operative)
    #[arg(long, value_name = "PART", value_parser = parse_part)]
    pub insert_at_end: Option<Part>,
    /// With an insertion: the new clause's id (default: your code and number, e.g. tur-3)
    #[arg(long, value_name = "ID")]
    pub new_id: Option<ClauseId>,
    /// Delete CLAUSE
    #[arg(long, value_name = "CLAUSE")]
    pub delete: Option<ClauseId>,
    /// Move CLAUSE (with --after or --before)
    #[arg(long = "move", value_name = "CLAUSE", requires = "destination")]
    pub move_clause: Option<ClauseId>,
    /// With --move: put it after this clause
    #[arg(long, value_name = "CLAUSE", requires = "move_clause")]
    pub after: Option<ClauseId>,
    /// With --move: put it before this clause
    #[arg(long, value_name = "CLAUSE", requires = "move_clause")]
    pub before: Option<ClauseId>,
    #[command(flatten)]
    pub text: TextArgs,
    /// Why the change is needed
    #[arg(long)]
    pub justification: Option<String>,
    /// Invite a delegation to co-sponsor: it becomes a co-sponsor when it joins (decl amend
    /// cosponsor ID), or declines (decl amend retract ID)
    #[arg(long, value_name = "CODE", num_args = 1.., value_parser = parse_code)]
    pub cosponsor: Vec<DelegationCode>,
}

fn parse_code(value: &str) -> Result<DelegationCode, String> {
    value
        .trim()
        .to_uppercase()
        .parse()
        .map_err(|e: crate::model::IdError| e.to_string())
}

pub fn run(args: ProposeArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let actor = context.actor()?;
    let target = if let Some(id) = args.replace.clone() {
        Target::Replace(id)
    } else if let Some(id) = args.insert_after.clone() {
        Target::Insert(Position::After(id))
    } else if let Some(id) = args.insert_before.clone() {
        Target::Insert(Position::Before(id))
    } else if let Some(part) = args.insert_at_end {
        Target::Insert(Position::End(part))
    } else if let Some(id) = args.delete.clone() {
        Target::Delete(id)
    } else if let Some(id) = args.move_clause.clone() {
        let position = match (args.after.clone(), args.before.clone()) {
            (Some(after), _) => Position::After(after),
            (None, Some(before)) => Position::Before(before),
            (None, None) => return Err(CommandError::user("--move needs --after or --before")),
        };
        Target::Move(id, position)
    } else {
        return Err(CommandError::user(
            "say what the amendment does (--replace, --insert-after, ...)",
        ));
    };
    let needs_text = matches!(target, Target::Replace(_) | Target::Insert(_));
    let mut text = args.text.read()?;
    if text.is_none() && needs_text {
        text = Some(edit_in_editor(&repo, &target, args.span.as_deref())?);
    }
    let proposal = Proposal {
        target,
        text,
        span: args.span,
        justification: args.justification,
        cosponsors: args.cosponsor,
        new_id: args.new_id,
    };
    let outcome = perform(&repo, &actor, context.now(), Action::Propose(proposal))?;
    let id = outcome
        .amendment
        .clone()
        .expect("a proposal always has an id");
    ui.line(&format!("Proposed {id}: {}", outcome.summary))?;
    super::print_redline(&repo, &outcome.commit, &id, ui)
}

/// Opens $VISUAL or $EDITOR on the current wording (for a replacement) and returns what the
/// delegate saved, without the comment lines.
fn edit_in_editor(
    repo: &crate::store::DeclRepo,
    target: &Target,
    span: Option<&str>,
) -> Result<String, CommandError> {
    let Some(editor) = std::env::var_os("VISUAL").or_else(|| std::env::var_os("EDITOR")) else {
        return Err(CommandError::user("the amendment needs wording")
            .hint("give --text or --text-file, or set EDITOR"));
    };
    let initial = match (target, span) {
        (_, Some(span)) => span.to_owned(),
        (Target::Replace(id), None) => repo
            .load_clause(&At::WorkTree, id)?
            .map(|clause| clause.wording())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut file = tempfile::Builder::new()
        .suffix(".md")
        .tempfile()
        .map_err(|e| CommandError::user(format!("cannot make a temporary file: {e}")))?;
    use std::io::Write;
    writeln!(
        file,
        "{initial}\n# Write the wording above. Lines starting with # are ignored."
    )
    .map_err(|e| CommandError::user(format!("cannot write a temporary file: {e}")))?;
    let editor = editor.to_string_lossy().into_owned();
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(file.path())
        .status()
        .map_err(|e| CommandError::user(format!("cannot start the editor {editor:?}: {e}")))?;
    if !status.success() {
        return Err(CommandError::user(
            "the editor exited with an error; nothing was proposed",
        ));
    }
    let text = std::fs::read_to_string(file.path())
        .map_err(|e| CommandError::user(format!("cannot read the edited text: {e}")))?;
    let text: Vec<&str> = text.lines().filter(|line| !line.starts_with('#')).collect();
    let text = text.join("\n").trim().to_owned();
    if text.is_empty() {
        return Err(CommandError::user(
            "the wording is empty; nothing was proposed",
        ));
    }
    Ok(text)
}
