//! `decl serve`: the negotiation in a browser (see `crate::serve`).

use std::net::SocketAddr;

use super::{CommandError, Context, Ui};
use crate::serve::{ReadAccess, ServeOptions, serve};

/// Serve the repository as web pages: read, compare, propose, support, decide, export
///
/// Delegations sign in with a link from `decl token issue`; every action is the same commit
/// the command line would make, authored by the signed-in delegation. Prints the address it
/// listens on, then serves until interrupted (Ctrl-C). Binds to loopback unless told
/// otherwise: for a meeting, put it behind a reverse proxy with TLS (see the README).
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub bind: SocketAddr,
    /// Who may read without signing in
    #[arg(long, value_enum, default_value_t = ReadAccessArg::Public)]
    pub read_access: ReadAccessArg,
    /// Mark the session cookie Secure (when served over HTTPS, e.g. behind a TLS proxy)
    #[arg(long)]
    pub secure_cookies: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReadAccessArg {
    /// Anyone who reaches the server may read; acting needs a sign-in
    Public,
    /// Nothing but the sign-in page without signing in
    SignedIn,
}

pub fn run(args: ServeArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let repo = context.repo()?;
    let options = ServeOptions {
        root: repo.root().to_owned(),
        bind: args.bind,
        read_access: match args.read_access {
            ReadAccessArg::Public => ReadAccess::Public,
            ReadAccessArg::SignedIn => ReadAccess::SignedIn,
        },
        secure_cookies: args.secure_cookies,
        key_source: context.key_source(),
        fixed_time: std::env::var("DECL_TIMESTAMP").ok().map(|_| context.now()),
    };
    drop(repo);
    let mut printed = Ok(());
    serve(options, |addr| {
        // The first line is the address, for scripts and tests that asked for port 0.
        printed = ui
            .line(&format!("Serving on http://{addr}/ (Ctrl-C stops)"))
            .map(|()| ui.flush());
    })
    .map_err(|e| CommandError::user(e.to_string()))?;
    printed?;
    Ok(())
}
