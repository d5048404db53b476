//! `decl verify`: every commit in a range checked against the rules of who may change what.

use super::{CommandError, Context, Ui};
use crate::model::verify::{SignaturePolicy, check_commit};
use crate::store::History;

/// Check that every commit was made by a delegation allowed to make it, and signed
///
/// Walks the commits of RANGE (`A..B`, or a revision and all its ancestors; default HEAD),
/// oldest first, and reports each breach with its commit, delegation and rule:
/// `unknown-author`, `unsigned`, `wrong-key`, `bad-signature`, `amendment-not-proposer`,
/// `record-not-own`, `decision-not-chair`, `status-not-from-record`, `amendment-removed`,
/// `unreadable-amendment`, `clause-outside-cut`, `delegations-not-secretariat`,
/// `merge-not-decl`. A delegation with keys in delegations.yaml must sign all its commits;
/// with --require-signatures every commit must be signed by a key of its delegation. Exits
/// with 1 when any rule is broken. Works in a bare repository (a server's pre-receive hook).
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The commits to check: A..B, or a revision and its ancestors (default: HEAD)
    pub range: Option<String>,
    /// Every commit must be signed, also those of delegations without keys
    #[arg(long)]
    pub require_signatures: bool,
}

pub fn run(args: VerifyArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let history = History::open(context.directory())?;
    let policy = if args.require_signatures {
        SignaturePolicy::Everyone
    } else {
        SignaturePolicy::KeyedDelegations
    };
    let commits = history.facts(args.range.as_deref())?;
    let mut n_breaches = 0;
    let mut n_bad_commits = 0;
    for facts in &commits {
        let breaches = check_commit(facts, policy);
        if breaches.is_empty() {
            continue;
        }
        n_bad_commits += 1;
        ui.line(&format!(
            "{} {}",
            &facts.commit[..10.min(facts.commit.len())],
            facts.summary
        ))?;
        for breach in breaches {
            n_breaches += 1;
            ui.line(&format!(
                "  {}: {}: {}",
                breach.delegation, breach.rule, breach.detail
            ))?;
        }
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if n_breaches > 0 {
        return Err(CommandError::user(format!(
            "{} in {n_bad_commits} of {} checked",
            plural(n_breaches, "broken rule"),
            plural(commits.len(), "commit")
        ))
        .hint("each line above names the commit, the delegation and the rule it breaks"));
    }
    ui.line(&format!(
        "{} checked: every one follows the rules",
        plural(commits.len(), "commit")
    ))?;
    Ok(())
}
