//! The one CLI error: a message, its hints and a kind that decides the exit code. Library
//! errors convert into it here, and [`report`] prints it once.

use std::process::ExitCode;

use crate::actions::ActionError;
use crate::replay::ReplayError;
use crate::store::StoreError;
use crate::views::ViewError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a refused action: exit 1.
    User,
    /// A bug or an environment failure: exit 3.
    Internal,
    /// The reader went away (`decl show | head`): not an error, exit 0.
    BrokenPipe,
}

#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub hints: Vec<String>,
}

impl CommandError {
    pub fn user(message: impl Into<String>) -> Self {
        CommandError {
            kind: ErrorKind::User,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl From<std::io::Error> for CommandError {
    fn from(error: std::io::Error) -> Self {
        CommandError {
            kind: if error.kind() == std::io::ErrorKind::BrokenPipe {
                ErrorKind::BrokenPipe
            } else {
                ErrorKind::Internal
            },
            message: format!("cannot write output: {error}"),
            hints: Vec::new(),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        let error_text = error.to_string();
        let command_error = CommandError::user(error_text);
        match error {
            StoreError::NotFound(_) => command_error
                .hint("`decl init DIR` makes a new declaration repository; -C DIR runs decl in another folder"),
            StoreError::Dirty(_) | StoreError::WouldOverwrite(_) => command_error.hint(
                "decl commits each action on its own: commit your edits with git, or discard them with `git restore`",
            ),
            StoreError::IndexLocked(_) => command_error
                .hint("if no git command is running, the lock was left by a crash: remove the file"),
            StoreError::SyncConflicts { .. } => command_error
                .hint("settle it with the other delegations (one side undoes its change with a new action), then sync again")
                .hint("`git diff HEAD origin/main -- FILE` shows what the remote has"),
            StoreError::RevisionClash { remote, clashes } => revision_clash_hints(&remote, &clashes)
                .into_iter()
                .fold(command_error, CommandError::hint),
            StoreError::PushRejected(_) => command_error
                .hint("the remote moved on while decl was merging: run `decl sync` again"),
            StoreError::Remote { message, .. } if message.starts_with("the folder ") => command_error
                .hint("check the path; `git remote -v` shows the URL a clone syncs with"),
            StoreError::Remote { .. } => command_error.hint(
                "this decl reaches local paths and file:// URLs, not ssh or https: see docs/sync.md (Transports)",
            ),
            StoreError::NoRemote => command_error
                .hint("`decl clone URL DIR` makes a clone that has one, or add it: git remote add origin URL"),
            StoreError::Signing { .. } => command_error
                .hint("--key FILE, DECL_SIGNING_KEY or git's user.signingkey (with gpg.format=ssh) names the key"),
            StoreError::Invalid(_) => command_error.hint("fix the files listed above; `decl check` lists every problem"),
            StoreError::Io { .. } | StoreError::Serialise { .. } => CommandError {
                kind: ErrorKind::Internal,
                ..command_error
            },
            _ => command_error,
        }
    }
}

impl From<ActionError> for CommandError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::Store(store) => store.into(),
            other => {
                let hints = other.hints();
                let mut command_error = CommandError::user(other.to_string());
                command_error.hints = hints;
                command_error
            }
        }
    }
}

impl From<ViewError> for CommandError {
    fn from(error: ViewError) -> Self {
        match error {
            ViewError::Store(store) => store.into(),
            ViewError::Refused {
                message,
                hint: Some(hint),
            } => CommandError::user(message).hint(hint),
            other => CommandError::user(other.to_string()),
        }
    }
}

impl From<ReplayError> for CommandError {
    fn from(error: ReplayError) -> Self {
        match error {
            ReplayError::Store(store) => store.into(),
            other => CommandError::user(other.to_string()),
        }
    }
}

/// Prints the error once (message, then hints) and gives the exit code.
pub fn report(result: Result<(), CommandError>) -> ExitCode {
    let error = match result {
        Ok(()) => return ExitCode::SUCCESS,
        Err(error) => error,
    };
    match error.kind {
        ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        kind => {
            // Messages quote user input (a reason, a file's content): neutralise it too.
            let safe =
                |text: &str| crate::render::terminal::terminal_safe(text, false).into_owned();
            eprintln!("error: {}", safe(&error.message));
            for hint in &error.hints {
                eprintln!("hint: {}", safe(hint));
            }
            ExitCode::from(if kind == ErrorKind::User { 1 } else { 3 })
        }
    }
}

/// What to do about revisions cut in both clones under one name: this clone gives way, since
/// the remote's revision may already be in other clones and this clone's was never pushed.
fn revision_clash_hints(remote: &str, clashes: &[crate::store::RevisionClash]) -> Vec<String> {
    let (same, cut): (Vec<_>, Vec<_>) = clashes.iter().partition(|c| c.ours == c.theirs);
    let names = |clashes: &[&crate::store::RevisionClash]| {
        clashes
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut hints = Vec::new();
    if !cut.is_empty() {
        // A cut is one commit with its tag, so the tag's parent is the text before the cut.
        let (first, oldest) = match cut.as_slice() {
            [only] => (only.name.as_str(), ""),
            _ => ("FIRST", ", FIRST being the oldest of them"),
        };
        hints.push(format!(
            "a revision's name must mean one text, and {remote}'s may already be in other \
             clones: drop this clone's cut with `git reset --keep {first}^ && git tag -d {}`{oldest} \
             (commits made here since go too), then `decl sync`",
            names(&cut)
        ));
        hints.push(
            "amendments that only this clone's cut applied are then accepted again, for the \
             next revision: `decl revision cut NAME` with a new name"
                .to_owned(),
        );
    }
    if !same.is_empty() {
        hints.push(format!(
            "the text is the same: `git tag -d {}` and `decl sync` takes {remote}'s tag",
            names(&same)
        ));
    }
    hints
}
