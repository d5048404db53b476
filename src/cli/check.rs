//! `decl check`: validate every file, listing every problem.

use super::{CommandError, Context, Ui, at};

/// Validate the declaration, its delegations, clauses and amendments
///
/// Lists every problem as file:line:col: message, not only the first; exits 1 when there is
/// any.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Check this revision (tag, commit) instead of the working tree
    #[arg(long)]
    pub rev: Option<String>,
    /// Also check drafting conventions (opening words, final punctuation, acronyms, spelling),
    /// as warnings with paragraph numbers
    #[arg(long)]
    pub style: bool,
}

pub fn run(args: CheckArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let problems = repo.check(&at(&args.rev))?;
    for problem in &problems {
        ui.line(&problem.to_string())?;
    }
    if args.style && problems.is_empty() {
        let declaration = repo.load(&at(&args.rev))?;
        let warnings = crate::model::style::style_warnings(&declaration);
        for warning in &warnings {
            match &warning.paragraph {
                Some((number, id)) => {
                    ui.line(&format!("warning: {number} ({id}): {}", warning.message))?
                }
                None => ui.line(&format!("warning: {}", warning.message))?,
            }
        }
        if !warnings.is_empty() {
            let count = warnings.len();
            ui.line(&format!(
                "{count} style warning{}",
                if count == 1 { "" } else { "s" }
            ))?;
            return Ok(());
        }
    }
    if problems.is_empty() {
        ui.line("ok: no problems found")?;
        Ok(())
    } else {
        let count = problems.len();
        Err(CommandError::user(format!(
            "{count} problem{} found",
            if count == 1 { "" } else { "s" }
        )))
    }
}
