//! `decl sync`: fetch the remote's commits, integrate them, and push the clone's own.

use super::{CommandError, Context, Ui};
use crate::actions::find_delegation;
use crate::store::{At, Integration};

/// Exchange commits with the remote: fetch, integrate, push
///
/// Fetches the remote's branch; if both sides have new commits, decl merges them itself in a
/// merge commit made by the acting delegation (amendments and their supports, oppositions and
/// co-sponsorships from both sides are united; an amendment id taken on both sides is
/// renumbered here, in a commit of its own). Then the result and any new revision tags are
/// pushed. If both sides changed the same clause, or the same amendment's proposal, nothing
/// changes here and the conflicting files are listed. A revision cut in both clones under one
/// name (the remote's tag names another commit than this clone's) is refused before anything
/// is fetched, naming both commits.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {}

pub fn run(_args: SyncArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let code = context.actor()?;
    let declaration = repo.load(&At::WorkTree)?;
    let actor = find_delegation(&declaration, &code)?.clone();
    let report = repo.sync(&actor, &declaration.delegations, context.now())?;
    for (old, new) in &report.renumbered {
        ui.line(&format!(
            "Renumbered {old} to {new}: {old} was taken on {} first",
            report.remote
        ))?;
    }
    match &report.integration {
        Integration::UpToDate => ui.line(&format!("Nothing new on {}", report.upstream))?,
        Integration::FastForward { commits } => ui.line(&format!(
            "Took {commits} new commit{} from {}",
            if *commits == 1 { "" } else { "s" },
            report.upstream
        ))?,
        Integration::Merged { commit } => ui.line(&format!(
            "Merged {} ({})",
            report.upstream,
            &commit[..10.min(commit.len())]
        ))?,
    }
    if report.pushed {
        ui.line(&format!("Pushed to {}", report.remote))?;
    } else {
        ui.line("Nothing to push")?;
    }
    Ok(())
}
