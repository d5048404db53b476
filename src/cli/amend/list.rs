//! `decl amend list`: every amendment in document order, with where it stands.

use std::collections::HashMap;

use crate::cli::{CommandError, Context, Ui};
use crate::model::{AmendmentStatus, ClauseId, DelegationCode, Staleness};
use crate::render::table::table;
use crate::store::At;

/// List amendments in document order, with supporters and opponents
///
/// Flags: "stale" when the clause changed after the amendment was drafted; "gone" when the
/// clause it changes, or the one it places a clause next to, is no longer in the text (it
/// cannot apply: withdraw or reject it); "competing" when another open amendment changes the
/// same clause.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only amendments with this status (tabled, accepted, applied, ...; "open" for tabled or accepted)
    #[arg(long)]
    pub status: Option<String>,
    /// Only amendments proposed or co-sponsored by this delegation
    #[arg(long, value_name = "CODE")]
    pub by: Option<String>,
    /// Only amendments to this clause
    #[arg(long)]
    pub clause: Option<ClauseId>,
}

pub fn run(args: ListArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let declaration = repo.load(&At::WorkTree)?;
    let amendments = repo.load_amendments(&At::WorkTree)?;
    let wanted_status = match args.status.as_deref() {
        None | Some("open") => None,
        Some(status) => Some(
            status
                .parse::<AmendmentStatus>()
                .map_err(CommandError::user)?,
        ),
    };
    let by = match &args.by {
        Some(code) => {
            let code: DelegationCode = code
                .trim()
                .to_uppercase()
                .parse()
                .map_err(|e: crate::model::IdError| CommandError::user(e.to_string()))?;
            crate::actions::find_delegation(&declaration, &code)?;
            Some(code)
        }
        None => None,
    };
    if let Some(clause) = &args.clause {
        crate::actions::find_clause(&declaration, clause)?;
    }

    let mut open_per_clause: HashMap<&ClauseId, usize> = HashMap::new();
    for amendment in amendments.iter().filter(|a| a.is_pending()) {
        *open_per_clause.entry(amendment.clause()).or_default() += 1;
    }
    let mut selected: Vec<_> = amendments
        .iter()
        .filter(|a| match (&args.status, wanted_status) {
            (Some(s), None) if s == "open" => a.is_pending(),
            (_, Some(status)) => a.status == status,
            _ => true,
        })
        .filter(|a| {
            by.as_ref()
                .is_none_or(|code| &a.proposer == code || a.cosponsors.contains(code))
        })
        .filter(|a| {
            args.clause
                .as_ref()
                .is_none_or(|c| a.clause() == c || a.change.anchor() == Some(c))
        })
        .collect();
    let numbers = declaration.paragraph_numbers();
    selected.sort_by_cached_key(|a| (super::document_order_key(&numbers, a), a.id.clone()));

    if selected.is_empty() {
        ui.line("No amendments match.")?;
        return Ok(());
    }
    let codes = |codes: Vec<&DelegationCode>| {
        codes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let rows: Vec<Vec<String>> = selected
        .iter()
        .map(|a| {
            let mut flags = Vec::new();
            if a.is_pending() {
                match a.staleness(&declaration) {
                    Some(Staleness::Changed) => flags.push("stale"),
                    Some(_) => flags.push("gone"),
                    None => {}
                }
            }
            if a.is_pending() && open_per_clause.get(a.clause()).copied().unwrap_or(0) > 1 {
                flags.push("competing");
            }
            let mut by = a.proposer.to_string();
            if !a.cosponsors.is_empty() {
                by.push('+');
                by.push_str(&codes(a.cosponsors.iter().collect()));
            }
            vec![
                a.id.to_string(),
                a.status.to_string(),
                a.describe_numbered(|id| numbers.get(id).copied()),
                by,
                codes(a.supporters()),
                codes(a.opponents()),
                flags.join(" "),
            ]
        })
        .collect();
    ui.write(&table(
        &["ID", "STATUS", "CHANGE", "BY", "SUPPORT", "OPPOSE", "FLAGS"],
        &rows,
    ))?;
    Ok(())
}
