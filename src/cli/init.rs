//! `decl init`: a new declaration repository, empty or replayed from a bundled draft.

use std::path::PathBuf;

use super::{CommandError, Context, Ui};
use crate::model::declaration::{ConferenceDates, DocumentStyle};
use crate::model::{Clause, ClauseKind, ClauseStatus, DeclarationMeta, Delegation, Role};
use crate::store::{DeclRepo, NewTag};

/// Create a declaration repository
///
/// Without --from, DIR gets a skeleton (declaration.yaml, delegations.yaml, two example
/// clauses) as its first commit. With --from, the bundled draft's zero draft and its recorded
/// negotiation are replayed as real commits, one per action, with revisions tagged.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to create (missing or empty)
    pub dir: PathBuf,
    /// A draft folder to replay, e.g. drafts/dushanbe-2022
    #[arg(long, value_name = "DRAFT")]
    pub from: Option<PathBuf>,
}

pub fn run(args: InitArgs, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let target = context.resolve_path(&args.dir);
    let existed = target.exists();
    // Only a missing or empty folder is ours to clean up after a failure; anything else is
    // refused before a single file is written.
    if existed
        && std::fs::read_dir(&target)
            .map(|mut entries| entries.next().is_some())
            .unwrap_or(true)
    {
        return Err(crate::store::StoreError::NotEmpty { path: target }.into());
    }
    let result = match &args.from {
        Some(draft) => replay(&context.resolve_path(draft), &target, context, ui),
        None => skeleton(&target, context, ui),
    };
    if result.is_err() {
        // Leave nothing behind: the folder was missing or empty before we started.
        if existed {
            if let Ok(entries) = std::fs::read_dir(&target) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(&target);
        }
    }
    result
}

fn replay(
    draft: &std::path::Path,
    target: &std::path::Path,
    context: &Context,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let replayed = crate::replay::replay(draft, target, context.key_source())?;
    ui.line(&format!(
        "Replayed {} into {}: {} commits, revisions {}",
        draft.display(),
        target.display(),
        replayed.commits,
        replayed.revisions.join(", ")
    ))?;
    Ok(())
}

fn skeleton(target: &std::path::Path, context: &Context, ui: &mut Ui) -> Result<(), CommandError> {
    let mut repo = DeclRepo::create(target)?;
    repo.sign_with(context.key_source());
    let secretariat = Delegation {
        code: "SEC".parse().expect("valid code"),
        name: "Secretariat".into(),
        role: Role::Secretariat,
        email: None,
        keys: Vec::new(),
    };
    let chair = Delegation {
        code: "CHAIR".parse().expect("valid code"),
        name: "Chair".into(),
        role: Role::Chair,
        email: None,
        keys: Vec::new(),
    };
    let meta = DeclarationMeta {
        title: "Title of the declaration".into(),
        short_title: "Declaration".into(),
        symbol: "CONF/1".into(),
        conference: "Name of the conference".into(),
        place: "City".into(),
        dates: ConferenceDates {
            from: context.now().date_naive(),
            to: None,
        },
        languages: vec!["en".into()],
        style: DocumentStyle::Declaration,
        chapeau: "We, the Ministers and high representatives, gathered in City,".into(),
        preamble: vec!["pp-first".parse().expect("valid id")],
        operative: vec!["op-first".parse().expect("valid id")],
        adopted: None,
    };
    let mut tx = repo.begin()?;
    tx.put_meta(&meta)?;
    tx.put_delegations(&[chair, secretariat.clone()])?;
    tx.put_clause(
        &meta.preamble[0],
        &Clause {
            kind: ClauseKind::Preambular,
            status: ClauseStatus::Draft,
            text: "*Recalling* the purposes and principles of the Charter of the United Nations,"
                .into(),
            subparagraphs: vec![],
            notes: None,
        },
    )?;
    tx.put_clause(
        &meta.operative[0],
        &Clause {
            kind: ClauseKind::Operative,
            status: ClauseStatus::Draft,
            text: "*Decide* to [remain seized of][follow up on] the matter.".into(),
            subparagraphs: vec![],
            notes: Some("An example clause: replace it with your own.".into()),
        },
    )?;
    tx.commit(
        &secretariat,
        context.now(),
        "SEC creates the declaration repository\n\nDecl-Action: init\n",
        Some(NewTag {
            name: "zero-draft".into(),
            label: "Zero draft".into(),
        }),
    )?;
    ui.line(&format!(
        "Created a declaration repository in {}",
        target.display()
    ))?;
    ui.line("Next: edit declaration.yaml, delegations.yaml and clauses/, commit them with git, and run `decl check`.")?;
    Ok(())
}
