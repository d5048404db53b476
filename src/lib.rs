//! decl: draft and version multilateral declarations clause by clause in git.
//!
//! A declaration repository is a git repository of YAML files (see `docs/format.md`). The
//! crate is layered so that the rules of a negotiation can be read apart from disk, git and
//! terminal concerns:
//!
//! - [`model`]: declarations, clauses, delegations, amendments; numbering, rules of
//!   procedure, revision cuts, validation. Pure values and functions.
//! - [`redline`]: the word-level comparison engine (text in, segments out).
//! - [`render`]: text, tables and redlines for output (values in, strings out).
//! - [`store`]: the repository on disk through git2: reading any revision, validating,
//!   and [`store::Transaction`], which turns one user action into one commit.
//! - [`actions`]: each user action (propose, support, accept, cut a revision...) as one
//!   function over the store, shared by the command line and the replay of a recorded
//!   negotiation.
//! - [`views`]: the read-only views (redline, compilation, export, blame) built from the
//!   store, shared by the command line and the web server.
//! - [`serve`]: the web server (`decl serve`), a second thin edge beside the command line.
//! - [`cli`]: argument parsing (clap), one file per command, and the single error report.
//!
//! ```
//! use decl::model::declaration::bracket_spans;
//! // Square brackets mark text that is not yet agreed.
//! assert_eq!(bracket_spans("*Call upon* States [to share][and exchange] data;").unwrap().len(), 2);
//! ```

pub mod actions;
pub mod cli;
pub mod model;
pub mod redline;
pub mod render;
pub mod replay;
pub mod serve;
pub mod store;
pub mod views;
