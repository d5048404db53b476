//! `decl token issue|list|revoke`: the sign-in tokens of `decl serve`.

use super::{CommandError, Context, Ui};
use crate::model::DelegationCode;
use crate::render::table::table;
use crate::serve::auth::{self, TokenError};

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    Issue(IssueArgs),
    List(ListArgs),
    Revoke(RevokeArgs),
}

/// Issue a sign-in token for a delegation and print its sign-in link (shown once)
///
/// Only the token's hash is kept, in .git/decl/tokens.yaml (outside the repository's
/// history). Give the link to the delegation over a trusted channel.
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The delegation that signs in with it, e.g. TUR
    #[arg(long = "for", value_name = "CODE")]
    pub delegation: String,
    /// How long it is valid, e.g. 30d, 12h (default: until revoked)
    #[arg(long, value_name = "DURATION", value_parser = auth::parse_duration)]
    pub expires: Option<chrono::Duration>,
    /// The server's address as delegates reach it, for the link
    #[arg(long, default_value = "http://127.0.0.1:8080", value_name = "URL")]
    pub url: String,
}

/// List the tokens issued (never the tokens themselves)
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

/// Revoke a token: its sessions end at their next request
#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The token's id, as `decl token list` shows it (e.g. t3)
    pub id: String,
}

impl From<TokenError> for CommandError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Store(store) => store.into(),
            other => CommandError::user(other.to_string()),
        }
    }
}

pub fn run(command: TokenCommand, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let now = context.now();
    match command {
        TokenCommand::Issue(args) => {
            let code: DelegationCode = args
                .delegation
                .trim()
                .to_uppercase()
                .parse()
                .map_err(|e| CommandError::user(format!("--for: {e}")))?;
            let declaration = repo.load(&crate::store::At::WorkTree)?;
            crate::actions::find_delegation(&declaration, &code)?;
            let issued = auth::issue(&repo, &code, now, args.expires.map(|d| now + d))?;
            ui.line(&format!(
                "{}/signin?token={}",
                args.url.trim_end_matches('/'),
                issued.secret
            ))?;
            ui.line(&format!(
                "token {} for {code}: this link is shown only once",
                issued.id
            ))?;
        }
        TokenCommand::List(_) => {
            let rows: Vec<Vec<String>> = repo
                .access_tokens()?
                .into_iter()
                .map(|t| {
                    let state = if t.revoked.is_some() {
                        "revoked".to_owned()
                    } else if !auth::is_valid(&t, now) {
                        "expired".to_owned()
                    } else {
                        "valid".to_owned()
                    };
                    vec![
                        t.id,
                        t.delegation.to_string(),
                        t.issued.format("%Y-%m-%d %H:%M").to_string(),
                        t.expires
                            .map_or("never".into(), |e| e.format("%Y-%m-%d %H:%M").to_string()),
                        state,
                    ]
                })
                .collect();
            if rows.is_empty() {
                ui.line("No tokens issued.")?;
            } else {
                ui.write(&table(&["ID", "FOR", "ISSUED", "EXPIRES", "STATE"], &rows))?;
            }
        }
        TokenCommand::Revoke(args) => {
            auth::revoke(&repo, &args.id, now)?;
            ui.line(&format!("token {} revoked", args.id))?;
        }
    }
    Ok(())
}
