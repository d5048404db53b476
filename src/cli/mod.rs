//! The command line: clap definitions, one file per command, and the one place errors are
//! reported and the process exits.
//!
//! Each command's `run` takes its parsed arguments, the [`Context`] (where the repository is,
//! who acts, what time it is) and the [`Ui`] to write to; it returns `Result<(), CommandError>`
//! and never prints errors or exits itself.

mod amend;
mod blame;
mod check;
mod clause;
mod clone;
mod compile;
mod error;
mod export;
mod init;
mod log;
mod output;
mod redline;
mod revision;
mod serve;
mod show;
mod status;
mod sync;
mod token;
mod translation;
mod ui;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand};

pub use error::CommandError;
pub use ui::{ColorChoice, Ui};

use crate::model::DelegationCode;
use crate::store::{At, DeclRepo, KeySource};

/// Draft and version multilateral declarations clause by clause, in git
///
/// Clauses are YAML files in a git repository; delegations propose amendments, others support
/// or oppose them, the chair decides, and accepted amendments become the next revision. Every
/// change is one commit authored by the delegation that made it.
#[derive(Debug, Parser)]
#[command(name = "decl", version, max_term_width = 100)]
pub struct Cli {
    /// Run as if decl was started in DIR
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,

    /// The delegation acting, for commands that change the declaration (e.g. TUR)
    #[arg(long = "as", global = true, env = "DECL_AS", value_name = "CODE")]
    pub acting: Option<String>,

    /// The private SSH key (ed25519, no passphrase) that signs the commits decl makes
    ///
    /// Without it, decl signs with git's `user.signingkey` when `gpg.format` is `ssh`, and
    /// otherwise makes unsigned commits.
    #[arg(long, global = true, env = "DECL_SIGNING_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// When to use colour and italics
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::InitArgs),
    Check(check::CheckArgs),
    Status(status::StatusArgs),
    Show(show::ShowArgs),
    /// Propose amendments, support or oppose them, decide them, list and show them
    #[command(subcommand)]
    Amend(amend::AmendCommand),
    /// Cut and list revisions (zero draft, Rev.1, ..., adopted text)
    #[command(subcommand)]
    Revision(revision::RevisionCommand),
    /// Record the status of clauses (agreed ad referendum, agreed)
    #[command(subcommand)]
    Clause(clause::ClauseCommand),
    Redline(redline::RedlineArgs),
    Compile(compile::CompileArgs),
    Export(export::ExportArgs),
    /// Record translations of the text into the declaration's other languages
    #[command(subcommand)]
    Translation(translation::TranslationCommand),
    Log(log::LogArgs),
    Blame(blame::BlameArgs),
    Verify(verify::VerifyArgs),
    Clone(clone::CloneArgs),
    Sync(sync::SyncArgs),
    Serve(serve::ServeArgs),
    /// Issue, list and revoke the sign-in tokens of `decl serve`
    #[command(subcommand)]
    Token(token::TokenCommand),
}

/// What every command may need besides its own arguments.
pub struct Context {
    directory: PathBuf,
    acting: Option<String>,
    key: Option<PathBuf>,
    now: DateTime<FixedOffset>,
}

impl Context {
    /// The repository containing the working directory (or `-C DIR`).
    pub fn repo(&self) -> Result<DeclRepo, CommandError> {
        let mut repo = DeclRepo::discover(&self.directory)?;
        repo.sign_with(self.key_source());
        Ok(repo)
    }

    /// Where the signing key comes from: `--key` / `DECL_SIGNING_KEY`, else git's config.
    pub fn key_source(&self) -> KeySource {
        match &self.key {
            Some(path) => KeySource::File(self.resolve_path(path)),
            None => KeySource::GitConfig,
        }
    }

    /// The acting delegation's code, required for anything that changes the declaration.
    pub fn actor(&self) -> Result<DelegationCode, CommandError> {
        let Some(acting) = &self.acting else {
            return Err(CommandError::user(
                "this command changes the declaration, so say who acts",
            )
            .hint("add --as CODE (e.g. --as TUR), or set DECL_AS"));
        };
        acting
            .trim()
            .to_uppercase()
            .parse()
            .map_err(|error| CommandError::user(format!("--as: {error}")))
    }

    /// The moment an action is recorded at: now, or `DECL_TIMESTAMP` (RFC 3339) when set, so
    /// that tests and scripted replays make identical commits.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.now
    }

    /// The directory decl runs in (`-C DIR`, or the current one).
    pub fn directory(&self) -> &std::path::Path {
        &self.directory
    }

    pub fn resolve_path(&self, path: &std::path::Path) -> PathBuf {
        self.directory.join(path)
    }
}

/// Parses `--rev`: a revision name, or the working tree when absent.
pub fn at(rev: &Option<String>) -> At {
    match rev {
        Some(rev) => At::Rev(rev.clone()),
        None => At::WorkTree,
    }
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut ui = Ui::new(cli.color);
    let result = run(cli, &mut ui);
    ui.flush();
    error::report(result)
}

fn run(cli: Cli, ui: &mut Ui) -> Result<(), CommandError> {
    let now = match std::env::var("DECL_TIMESTAMP") {
        Ok(value) => DateTime::parse_from_rfc3339(&value).map_err(|e| {
            CommandError::user(format!(
                "DECL_TIMESTAMP={value:?} is not an RFC 3339 time: {e}"
            ))
        })?,
        Err(_) => chrono::Local::now().fixed_offset(),
    };
    let current = std::env::current_dir()
        .map_err(|e| CommandError::user(format!("cannot read the current directory: {e}")))?;
    let context = Context {
        directory: match cli.directory {
            Some(dir) => current.join(dir),
            None => current,
        },
        acting: cli.acting,
        key: cli.key,
        now,
    };
    match cli.command {
        Command::Init(args) => init::run(args, &context, ui),
        Command::Check(args) => check::run(args, &context, ui),
        Command::Status(args) => status::run(args, &context, ui),
        Command::Show(args) => show::run(args, &context, ui),
        Command::Amend(command) => amend::run(command, &context, ui),
        Command::Revision(command) => revision::run(command, &context, ui),
        Command::Clause(command) => clause::run(command, &context, ui),
        Command::Redline(args) => redline::run(args, &context, ui),
        Command::Compile(args) => compile::run(args, &context, ui),
        Command::Export(args) => export::run(args, &context, ui),
        Command::Translation(command) => translation::run(command, &context, ui),
        Command::Log(args) => log::run(args, &context, ui),
        Command::Blame(args) => blame::run(args, &context, ui),
        Command::Verify(args) => verify::run(args, &context, ui),
        Command::Clone(args) => clone::run(args, &context, ui),
        Command::Sync(args) => sync::run(args, &context, ui),
        Command::Serve(args) => serve::run(args, &context, ui),
        Command::Token(command) => token::run(command, &context, ui),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
