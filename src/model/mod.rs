//! The domain: declarations, clauses, delegations, amendments and revisions, with no I/O.
//!
//! Everything here is a plain value and a pure function over it: the numbering of paragraphs,
//! the rules of procedure for amendments, the application of accepted amendments when a
//! revision is cut, and the cross-file validation rules. The store reads and writes these
//! values; commands combine them.

pub mod adoption;
pub mod amendment;
pub mod blame;
pub mod credit;
pub mod declaration;
pub mod id;
pub mod key;
pub mod merge;
pub mod revision;
pub mod style;
pub mod suggest;
pub mod sync;
pub mod validate;
pub mod verify;

pub use amendment::{
    Act, Amendment, AmendmentStatus, Base, Change, Modification, Position, RecordAction, RuleError,
    Staleness, Stance,
};
pub use declaration::{
    Clause, ClauseKind, ClauseStatus, Declaration, DeclarationMeta, Delegation, DelegationsFile,
    ParagraphNumber, Part, Role,
};
pub use id::{AmendmentId, ClauseId, DelegationCode, IdError};
pub use key::{DelegationKey, KeyError, SignatureCheck};
pub use validate::Finding;
