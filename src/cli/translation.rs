//! `decl translation import`: the secretariat records a translation of the current text.

use std::path::PathBuf;

use super::{CommandError, Context, Ui};
use crate::actions::{Action, perform};

#[derive(Debug, clap::Subcommand)]
pub enum TranslationCommand {
    Import(ImportArgs),
}

/// Record a translation of the current text from a folder of files
///
/// The folder holds `<clause-id>.yaml` files (text, sub-paragraphs) and optionally
/// `declaration.yaml` (title, short title, conference, place, chapeau). Each translated clause
/// records the hash of the wording it translates, so that a later change shows it as out of
/// date.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The language, e.g. ru
    pub language: String,
    /// The folder of translation files
    pub dir: PathBuf,
}

pub fn run(
    command: TranslationCommand,
    context: &Context,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    match command {
        TranslationCommand::Import(args) => {
            let repo = context.repo()?;
            let actor = context.actor()?;
            let translation = crate::store::read_translation_dir(
                &context.resolve_path(&args.dir),
                &args.language,
            )?;
            let outcome = perform(
                &repo,
                &actor,
                context.now(),
                Action::Translate { translation },
            )?;
            ui.line(&outcome.summary)?;
            Ok(())
        }
    }
}
