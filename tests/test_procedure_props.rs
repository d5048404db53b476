//! The rules of procedure as properties: random sequences of actions, legal and not, by every
//! kind of delegation, on the small test draft. Whatever the sequence:
//!
//! - a refused action changes nothing (no commit, no tag, not a byte of any file);
//! - a performed action is exactly one commit, and leaves a repository `decl check` accepts;
//! - the accepted amendments always apply together, so the next revision cut can never jam;
//! - a refusal that names a way out ("reject it") names one that works;
//! - every open amendment can still be settled, after which the text can be adopted; and the
//!   whole history then passes `decl check` and `decl verify`.
//!
//! The actions run through the library (`decl::actions::perform`, the function the command
//! line calls) to keep hundreds of sequences fast; the final checks run the real binary.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use decl::actions::{Action, ActionError, Adoption, Proposal, Target, perform};
use decl::model::revision::apply_accepted;
use decl::model::{
    Act, Amendment, AmendmentId, AmendmentStatus, ClauseId, ClauseStatus, Declaration,
    DelegationCode, Part, Position,
};
use decl::store::{At, DeclRepo};

use crate::common::TestEnv;

/// Who may act: the chair and the secretariat appear twice so that decisions are frequent.
const ACTORS: &[&str] = &[
    "TJK", "TJK", "UNOCT", "UNOCT", "TUR", "QAT", "RUS", "KAZ", "UNRCCA",
];
const MEMBERS: &[&str] = &["TUR", "QAT", "RUS", "KAZ"];

/// New wording: plain, bracketed, a sub-paragraph, and two kinds a proposal must refuse.
const WORDINGS: &[&str] = &[
    "*Call upon* all States to share information on foreign terrorist fighters;",
    "to cooperate [closely][fully]",
    "*Encourage* regional cooperation:\n(a) through joint border posts;",
    "closely and in good faith",
    "[unbalanced bracket",
    "",
];

#[derive(Debug, Clone)]
enum Proposed {
    /// Replace the whole wording, or two words from `word`.
    Replace {
        clause: usize,
        span_at: Option<usize>,
        wording: usize,
    },
    Insert {
        anchor: usize,
        before: bool,
        wording: usize,
    },
    Delete {
        clause: usize,
    },
    Move {
        clause: usize,
        anchor: usize,
        before: bool,
    },
}

#[derive(Debug, Clone, Copy)]
enum ActKind {
    Support,
    Oppose,
    Cosponsor,
    Retract,
    Withdraw,
    Accept,
    Reject,
    Reopen,
}

#[derive(Debug, Clone)]
enum Step {
    Propose {
        by: usize,
        what: Proposed,
        invite: Option<usize>,
    },
    Act {
        by: usize,
        amendment: usize,
        act: ActKind,
    },
    /// The chair accepts with the current paragraph, changed by one of `WORDINGS` appended.
    AcceptAsModified {
        amendment: usize,
        wording: usize,
    },
    Rebase {
        by: usize,
        amendment: usize,
    },
    Mark {
        by: usize,
        clause: usize,
        status: usize,
    },
    Cut {
        by: usize,
        adopt: usize,
    },
}

fn proposed() -> impl Strategy<Value = Proposed> {
    prop_oneof![
        3 => (any::<usize>(), proptest::option::of(0..12usize), 0..WORDINGS.len())
            .prop_map(|(clause, span_at, wording)| Proposed::Replace { clause, span_at, wording }),
        2 => (any::<usize>(), any::<bool>(), 0..WORDINGS.len())
            .prop_map(|(anchor, before, wording)| Proposed::Insert { anchor, before, wording }),
        1 => any::<usize>().prop_map(|clause| Proposed::Delete { clause }),
        1 => (any::<usize>(), any::<usize>(), any::<bool>())
            .prop_map(|(clause, anchor, before)| Proposed::Move { clause, anchor, before }),
    ]
}

fn act_kind() -> impl Strategy<Value = ActKind> {
    prop_oneof![
        Just(ActKind::Support),
        Just(ActKind::Oppose),
        Just(ActKind::Cosponsor),
        Just(ActKind::Retract),
        Just(ActKind::Withdraw),
        Just(ActKind::Accept),
        Just(ActKind::Accept),
        Just(ActKind::Accept),
        Just(ActKind::Reject),
        Just(ActKind::Reopen),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (any::<usize>(), proposed(), proptest::option::of(any::<usize>()))
            .prop_map(|(by, what, invite)| Step::Propose { by, what, invite }),
        8 => (any::<usize>(), any::<usize>(), act_kind())
            .prop_map(|(by, amendment, act)| Step::Act { by, amendment, act }),
        2 => (any::<usize>(), 0..WORDINGS.len())
            .prop_map(|(amendment, wording)| Step::AcceptAsModified { amendment, wording }),
        1 => (any::<usize>(), any::<usize>())
            .prop_map(|(by, amendment)| Step::Rebase { by, amendment }),
        1 => (any::<usize>(), any::<usize>(), 0..4usize)
            .prop_map(|(by, clause, status)| Step::Mark { by, clause, status }),
        2 => (any::<usize>(), 0..6usize).prop_map(|(by, adopt)| Step::Cut { by, adopt }),
    ]
}

fn code(value: &str) -> DelegationCode {
    value.parse().expect("a delegation code")
}

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2022-10-18T10:00:00+05:00").unwrap()
}

/// One negotiation: a copy of the template repository and what the sequence has done to it.
struct Negotiation {
    repo: DeclRepo,
    revisions: usize,
    log: Vec<String>,
}

/// Everything a refused action must leave as it was.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    head: String,
    refs: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
}

fn snapshot(root: &Path) -> Snapshot {
    let git = git2::Repository::open(root).unwrap();
    let head = git.head().unwrap().target().unwrap().to_string();
    let mut refs: Vec<String> = git
        .references()
        .unwrap()
        .map(|r| {
            let r = r.unwrap();
            format!("{} {:?}", r.name().unwrap_or("?"), r.target())
        })
        .collect();
    refs.sort();
    let mut files = BTreeMap::new();
    collect(root, root, &mut files);
    Snapshot { head, refs, files }
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name == ".git") {
            // The index is the one file under .git a half-done action could leave changed.
            if let Ok(index) = std::fs::read(path.join("index")) {
                files.insert(".git/index".into(), index);
            }
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let name = path.strip_prefix(root).unwrap().display().to_string();
            files.insert(name, std::fs::read(&path).unwrap());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Negotiation {
    fn declaration(&self) -> Declaration {
        self.repo.load(&At::WorkTree).unwrap()
    }

    fn amendments(&self) -> Vec<Amendment> {
        let mut amendments = self.repo.load_amendments(&At::WorkTree).unwrap();
        amendments.sort_by(|a, b| a.id.cmp(&b.id));
        amendments
    }

    /// The clauses in reading order, so that indices pick among what exists now.
    fn clause_ids(&self) -> Vec<ClauseId> {
        let declaration = self.declaration();
        [Part::Preamble, Part::Operative]
            .into_iter()
            .flat_map(|part| declaration.order(part).to_vec())
            .collect()
    }

    fn pick_clause(&self, index: usize) -> ClauseId {
        let ids = self.clause_ids();
        ids[index % ids.len()].clone()
    }

    /// Before or after the clause `anchor` picks.
    fn pick_position(&self, anchor: usize, before: bool) -> Position {
        let anchor = self.pick_clause(anchor);
        if before {
            Position::Before(anchor)
        } else {
            Position::After(anchor)
        }
    }

    fn pick_amendment(&self, index: usize) -> Option<Amendment> {
        let amendments = self.amendments();
        (!amendments.is_empty()).then(|| amendments[index % amendments.len()].clone())
    }

    fn perform(&mut self, actor: &str, action: Action) -> Result<(), ActionError> {
        self.log.push(format!("{actor}: {action:?}"));
        perform(&self.repo, &code(actor), at(), action).map(|_| ())
    }

    /// The action for `step`, or `None` when there is nothing for it to act on.
    fn action(&self, step: &Step) -> Option<(String, Action)> {
        Some(match step {
            Step::Propose { by, what, invite } => {
                let by = MEMBERS[by % MEMBERS.len()];
                let (target, text, span) = match what {
                    Proposed::Replace {
                        clause,
                        span_at,
                        wording,
                    } => {
                        let id = self.pick_clause(*clause);
                        let span = span_at.and_then(|start| {
                            let text = &self.declaration().clauses[&id].text;
                            let words: Vec<&str> = text.split_whitespace().collect();
                            (start + 2 <= words.len()).then(|| words[start..start + 2].join(" "))
                        });
                        (
                            Target::Replace(id),
                            Some(WORDINGS[*wording].to_owned()),
                            span,
                        )
                    }
                    Proposed::Insert {
                        anchor,
                        before,
                        wording,
                    } => (
                        Target::Insert(self.pick_position(*anchor, *before)),
                        Some(WORDINGS[*wording].to_owned()),
                        None,
                    ),
                    Proposed::Delete { clause } => {
                        (Target::Delete(self.pick_clause(*clause)), None, None)
                    }
                    Proposed::Move {
                        clause,
                        anchor,
                        before,
                    } => (
                        Target::Move(
                            self.pick_clause(*clause),
                            self.pick_position(*anchor, *before),
                        ),
                        None,
                        None,
                    ),
                };
                let cosponsors = invite
                    .map(|i| vec![code(MEMBERS[i % MEMBERS.len()])])
                    .unwrap_or_default();
                (
                    by.to_owned(),
                    Action::Propose(Proposal {
                        target,
                        text,
                        span,
                        justification: None,
                        cosponsors,
                        new_id: None,
                    }),
                )
            }
            Step::Act { by, amendment, act } => {
                let amendment = self.pick_amendment(*amendment)?;
                let by = ACTORS[by % ACTORS.len()];
                let act = match act {
                    ActKind::Support => Act::Support,
                    ActKind::Oppose => Act::Oppose {
                        reason: Some("not yet".into()),
                    },
                    ActKind::Cosponsor => Act::Cosponsor,
                    ActKind::Retract => Act::Retract,
                    ActKind::Withdraw => Act::Withdraw,
                    ActKind::Accept => Act::Accept { modified: None },
                    ActKind::Reject => Act::Reject { reason: None },
                    ActKind::Reopen => Act::Reopen {
                        reason: Some("for another look".into()),
                    },
                };
                // A withdrawal or retraction is most often the proposer's or an invitee's own.
                let by = match act {
                    Act::Withdraw => amendment.proposer.as_str().to_owned(),
                    Act::Cosponsor | Act::Retract => amendment
                        .invited
                        .first()
                        .or(amendment.cosponsors.first())
                        .map_or(by.to_owned(), |c| c.as_str().to_owned()),
                    _ => by.to_owned(),
                };
                (
                    by,
                    Action::Act {
                        id: amendment.id,
                        act,
                    },
                )
            }
            Step::AcceptAsModified { amendment, wording } => {
                let amendment = self.pick_amendment(*amendment)?;
                let declaration = self.declaration();
                let current = amendment
                    .change
                    .target()
                    .and_then(|id| declaration.clauses.get(id))
                    .map(|clause| clause.wording());
                let paragraph = match current {
                    Some(current) => format!("{current} {}", WORDINGS[*wording]),
                    None => WORDINGS[*wording].to_owned(),
                };
                (
                    "TJK".to_owned(),
                    Action::AcceptAsModified {
                        id: amendment.id,
                        paragraph,
                    },
                )
            }
            Step::Rebase { by, amendment } => {
                let amendment = self.pick_amendment(*amendment)?;
                let by = if by % 2 == 0 {
                    amendment.proposer.as_str().to_owned()
                } else {
                    ACTORS[by % ACTORS.len()].to_owned()
                };
                (by, Action::Rebase { id: amendment.id })
            }
            Step::Mark { by, clause, status } => {
                let status = [
                    ClauseStatus::Draft,
                    ClauseStatus::Bracketed,
                    ClauseStatus::AgreedAdRef,
                    ClauseStatus::Agreed,
                ][*status];
                (
                    ACTORS[by % ACTORS.len()].to_owned(),
                    Action::Mark {
                        status,
                        clauses: vec![self.pick_clause(*clause)],
                    },
                )
            }
            Step::Cut { by, adopt } => {
                let adoption = match adopt {
                    0 => Adoption::Final,
                    1 => Adoption::FinalForced,
                    _ => Adoption::None,
                };
                (
                    ACTORS[by % ACTORS.len()].to_owned(),
                    Action::Cut {
                        name: format!("rev{}", self.revisions + 1),
                        label: None,
                        adoption,
                    },
                )
            }
        })
    }

    /// What must hold after every action, performed or refused.
    fn check_invariants(&self, context: &str) -> Result<(), TestCaseError> {
        let problems = self.repo.check(&At::WorkTree).unwrap();
        prop_assert!(
            problems.is_empty(),
            "{context}: decl check finds problems: {problems:?}\n{}",
            self.log.join("\n")
        );
        // The next cut applies every accepted amendment: that must always be possible.
        let declaration = self.declaration();
        let amendments = self.amendments();
        let accepted: Vec<&Amendment> = amendments
            .iter()
            .filter(|a| a.awaits_application())
            .collect();
        if let Err(conflicts) = apply_accepted(&declaration, &accepted) {
            prop_assert!(
                false,
                "{context}: the accepted amendments no longer apply: {conflicts:?}\n{}",
                self.log.join("\n")
            );
        }
        Ok(())
    }

    /// Performs `step` and checks what it did, or that its refusal did nothing; says whether
    /// it was performed.
    fn take(&mut self, step: &Step) -> Result<bool, TestCaseError> {
        let Some((actor, action)) = self.action(step) else {
            return Ok(false);
        };
        let is_cut = matches!(action, Action::Cut { .. });
        let before = snapshot(self.repo.root());
        let performed = match self.perform(&actor, action) {
            Ok(()) => {
                let git = git2::Repository::open(self.repo.root()).unwrap();
                let head = git.head().unwrap().peel_to_commit().unwrap();
                prop_assert_eq!(head.parent_count(), 1);
                prop_assert_eq!(
                    head.parent_id(0).unwrap().to_string(),
                    before.head,
                    "an action is one commit"
                );
                prop_assert!(
                    git.statuses(None).unwrap().is_empty(),
                    "an action leaves the work tree committed"
                );
                if is_cut {
                    self.revisions += 1;
                }
                true
            }
            Err(error) => {
                let after = snapshot(self.repo.root());
                prop_assert!(
                    after == before,
                    "a refused action changed the repository: {error}\n{}",
                    self.log.join("\n")
                );
                prop_assert!(!error.to_string().is_empty());
                self.follow_hint(&error)?;
                false
            }
        };
        self.check_invariants("after a step")?;
        Ok(performed)
    }

    /// A refusal that says "reject it" must mean a rejection that works.
    fn follow_hint(&mut self, error: &ActionError) -> Result<(), TestCaseError> {
        if let ActionError::WouldNotApply { id, .. } = error {
            let hints = error.hints();
            let expected = format!("decl amend reject {id}");
            prop_assert!(hints[0].contains(&expected), "hint: {}", hints[0]);
            let rejected = self.perform(
                "TJK",
                Action::Act {
                    id: id.clone(),
                    act: Act::Reject {
                        reason: Some("it does not fit".into()),
                    },
                },
            );
            prop_assert!(
                rejected.is_ok(),
                "the hint's rejection of {id} failed: {:?}\n{}",
                rejected.err().map(|e| e.to_string()),
                self.log.join("\n")
            );
        }
        Ok(())
    }

    /// Settles every open amendment (reopening accepted ones first) and adopts the text: no
    /// sequence of actions may leave a negotiation that cannot end.
    fn settle_and_adopt(&mut self) -> Result<(), TestCaseError> {
        if self.declaration().meta.adopted.is_some() {
            let refused = self.perform(
                "TJK",
                Action::Cut {
                    name: format!("rev{}", self.revisions + 1),
                    label: None,
                    adoption: Adoption::None,
                },
            );
            let is_adopted = matches!(refused, Err(ActionError::Adopted { .. }));
            prop_assert!(is_adopted, "a cut after adoption: {:?}", refused.err());
            return Ok(());
        }
        // First a revision with whatever is accepted: it must always cut.
        let name = format!("rev{}", self.revisions + 1);
        let cut = self.perform(
            "UNOCT",
            Action::Cut {
                name,
                label: None,
                adoption: Adoption::None,
            },
        );
        prop_assert!(
            cut.is_ok(),
            "the revision cut jammed: {}\n{}",
            cut.err().map(|e| e.to_string()).unwrap_or_default(),
            self.log.join("\n")
        );
        self.revisions += 1;
        for amendment in self.amendments() {
            let id: AmendmentId = amendment.id.clone();
            if amendment.awaits_application() {
                prop_assert!(false, "{id} was accepted but not applied by the cut");
            }
            if amendment.status == AmendmentStatus::Rejected {
                // Already settled; reopening and rejecting again must also work.
                self.decide(&id, Act::Reopen { reason: None })?;
            } else if amendment.status != AmendmentStatus::Tabled {
                continue;
            }
            self.decide(&id, Act::Reject { reason: None })?;
        }
        let adopted = self.perform(
            "TJK",
            Action::Cut {
                name: "adopted".into(),
                label: Some("Adopted text".into()),
                adoption: Adoption::FinalForced,
            },
        );
        prop_assert!(
            adopted.is_ok(),
            "the text cannot be adopted: {:?}",
            adopted.err().map(|e| e.to_string())
        );
        self.check_invariants("after adoption")
    }

    fn decide(&mut self, id: &AmendmentId, act: Act) -> Result<(), TestCaseError> {
        let done = self.perform(
            "TJK",
            Action::Act {
                id: id.clone(),
                act,
            },
        );
        prop_assert!(
            done.is_ok(),
            "the chair cannot settle {id}: {:?}\n{}",
            done.err().map(|e| e.to_string()),
            self.log.join("\n")
        );
        Ok(())
    }
}

/// An acceptance as modified is what the chair saw: after the cut, a clause that only this
/// amendment changed reads exactly as the chair's paragraph.
fn modified_paragraph_is_applied(
    negotiation: &mut Negotiation,
    id: &AmendmentId,
    paragraph: &str,
) -> Result<(), TestCaseError> {
    let amendments = negotiation.amendments();
    let Some(amendment) = amendments.iter().find(|a| &a.id == id) else {
        return Ok(());
    };
    let others_on_clause = amendments
        .iter()
        .filter(|a| a.id != amendment.id && a.awaits_application())
        .any(|a| a.clause() == amendment.clause());
    if amendment.status != AmendmentStatus::AcceptedAsModified
        || others_on_clause
        || !matches!(amendment.change, decl::model::Change::Replace { .. })
    {
        return Ok(());
    }
    let name = format!("rev{}", negotiation.revisions + 1);
    negotiation
        .perform(
            "UNOCT",
            Action::Cut {
                name,
                label: None,
                adoption: Adoption::None,
            },
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    negotiation.revisions += 1;
    let clause = negotiation.declaration().clauses[amendment.clause()].clone();
    let wording = clause.wording();
    let mut expected = clause;
    expected.set_wording(paragraph);
    prop_assert_eq!(wording, expected.wording(), "the cut applied other words");
    Ok(())
}

#[test]
fn no_sequence_of_actions_jams_or_corrupts_the_negotiation() {
    let env = TestEnv::new();
    env.small("template");
    // The secretariat loads the draft, so that `decl verify` can hold the whole history to
    // the rules.
    env.git(
        "template",
        &[
            "commit",
            "-q",
            "--amend",
            "--no-edit",
            "--author",
            "Secretariat <sec@delegation.invalid>",
        ],
    )
    .success();
    let cases: u32 = std::env::var("DECL_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let counter = std::cell::Cell::new(0usize);
    runner
        .run(&proptest::collection::vec(step(), 1..30), |steps| {
            counter.set(counter.get() + 1);
            let name = format!("case-{}", counter.get());
            let dir = env.root().join(&name);
            copy_dir(&env.root().join("template"), &dir);
            let mut negotiation = Negotiation {
                repo: DeclRepo::discover(&dir).unwrap(),
                revisions: 0,
                log: Vec::new(),
            };
            for step in &steps {
                let modification = match negotiation.action(step) {
                    Some((_, Action::AcceptAsModified { id, paragraph })) => Some((id, paragraph)),
                    _ => None,
                };
                if negotiation.take(step)?
                    && let Some((id, paragraph)) = modification
                {
                    modified_paragraph_is_applied(&mut negotiation, &id, &paragraph)?;
                }
            }
            negotiation.settle_and_adopt()?;
            // The history the sequence wrote, read by the binary as a user would.
            env.decl(&name, &["check"]).success();
            env.decl(&name, &["verify"]).success();
            std::fs::remove_dir_all(&dir).unwrap();
            Ok(())
        })
        .unwrap();
}
