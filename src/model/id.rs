//! Identifiers: clause ids, delegation codes and amendment ids.
//!
//! Each is a validated newtype, so a value of the type is always safe to use as a file name
//! (`clauses/<id>.yaml`, `amendments/<ID>.yaml`) and in a commit message. Parsing goes through
//! `FromStr`, and serde uses the same path, so an unsafe id in a YAML file is refused with the
//! file, line and column of the value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not valid: {why}")]
pub struct IdError {
    pub what: &'static str,
    pub value: String,
    pub why: &'static str,
}

/// Names that Windows refuses as file names whatever the extension: a clause called `con`
/// would make the repository impossible to check out there.
const RESERVED_FILE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The stable name of a clause, which is also its file name: `op-border-data`.
///
/// 1 to 64 characters of lower-case ASCII letters, digits and single hyphens, starting with a
/// letter and not ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClauseId(String);

/// A delegation's code: `TJK`, `EU`, `UNOCT`. 2 to 12 capital letters or digits, starting with
/// a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DelegationCode(String);

/// An amendment's id: the proposer's code and the proposer's own sequence number, `TUR-3`.
/// Two clones never need to agree on one, because only Türkiye takes `TUR-` numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AmendmentId {
    proposer: DelegationCode,
    number: u32,
}

impl ClauseId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ClauseId {
    type Err = IdError;

    fn from_str(value: &str) -> Result<Self, IdError> {
        let fail = |why| {
            Err(IdError {
                what: "clause id",
                value: value.to_owned(),
                why,
            })
        };
        if value.is_empty() {
            return fail("it is empty");
        }
        if value.len() > 64 {
            return fail("it is longer than 64 characters");
        }
        if let Some(bad) = value
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return fail(match bad {
                '/' | '\\' => "it contains a path separator",
                '.' => "it contains a dot",
                c if c.is_whitespace() => "it contains white space",
                c if c.is_control() => "it contains a control character",
                c if c.is_ascii_uppercase() => "it contains a capital letter (ids are lower case)",
                _ => "use only lower-case letters, digits and hyphens",
            });
        }
        if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
            return fail("it must start with a letter");
        }
        if value.ends_with('-') || value.contains("--") {
            return fail("hyphens must separate words (no trailing or double hyphen)");
        }
        if RESERVED_FILE_NAMES.contains(&value) {
            return fail("it is a reserved file name on Windows");
        }
        Ok(ClauseId(value.to_owned()))
    }
}

impl DelegationCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DelegationCode {
    type Err = IdError;

    fn from_str(value: &str) -> Result<Self, IdError> {
        let fail = |why| {
            Err(IdError {
                what: "delegation code",
                value: value.to_owned(),
                why,
            })
        };
        if !(2..=12).contains(&value.len()) {
            return fail("it must be 2 to 12 characters long");
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return fail("use only capital letters and digits");
        }
        if !value.starts_with(|c: char| c.is_ascii_uppercase()) {
            return fail("it must start with a letter");
        }
        Ok(DelegationCode(value.to_owned()))
    }
}

impl AmendmentId {
    pub fn new(proposer: DelegationCode, number: u32) -> Self {
        AmendmentId { proposer, number }
    }

    pub fn proposer(&self) -> &DelegationCode {
        &self.proposer
    }

    pub fn number(&self) -> u32 {
        self.number
    }
}

impl FromStr for AmendmentId {
    type Err = IdError;

    fn from_str(value: &str) -> Result<Self, IdError> {
        let fail = |why| {
            Err(IdError {
                what: "amendment id",
                value: value.to_owned(),
                why,
            })
        };
        let Some((code, number)) = value.rsplit_once('-') else {
            return fail("it must be a delegation code, a hyphen and a number, like TUR-3");
        };
        let Ok(proposer) = code.parse::<DelegationCode>() else {
            return fail("it must start with a delegation code, like TUR-3");
        };
        if number.is_empty()
            || !number.chars().all(|c| c.is_ascii_digit())
            || number.starts_with('0')
        {
            return fail("it must end with a number from 1 up, like TUR-3");
        }
        let Ok(number) = number.parse::<u32>() else {
            return fail("its number is too large");
        };
        Ok(AmendmentId { proposer, number })
    }
}

// Amendments sort by proposer, then numerically (TUR-2 before TUR-10).
impl Ord for AmendmentId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.proposer, self.number).cmp(&(&other.proposer, other.number))
    }
}

impl PartialOrd for AmendmentId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! string_conversions {
    ($type:ty) => {
        impl TryFrom<String> for $type {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                value.parse()
            }
        }
        impl From<$type> for String {
            fn from(id: $type) -> String {
                id.to_string()
            }
        }
    };
}
string_conversions!(ClauseId);
string_conversions!(DelegationCode);
string_conversions!(AmendmentId);

impl fmt::Display for ClauseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for DelegationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for AmendmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.proposer, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_ids_that_are_safe_file_names_are_accepted() {
        for ok in ["op-border-data", "pp1", "a", "op-2-bis"] {
            assert!(ok.parse::<ClauseId>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn unsafe_clause_ids_are_refused_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("../x", "dot"),
            ("a/b", "path separator"),
            ("op border", "white space"),
            ("op\u{7}", "control"),
            ("Op-x", "capital"),
            ("1op", "start with a letter"),
            ("op-", "hyphens"),
            ("op--x", "hyphens"),
            ("con", "reserved"),
        ];
        for (input, reason) in cases {
            let error = input.parse::<ClauseId>().unwrap_err();
            assert!(error.to_string().contains(reason), "{input:?}: {error}");
        }
    }

    #[test]
    fn delegation_codes() {
        assert!("TUR".parse::<DelegationCode>().is_ok());
        assert!("UNOCT".parse::<DelegationCode>().is_ok());
        assert!("tur".parse::<DelegationCode>().is_err());
        assert!("T".parse::<DelegationCode>().is_err());
        assert!("1AB".parse::<DelegationCode>().is_err());
    }

    #[test]
    fn amendment_ids_round_trip_and_sort_numerically() {
        let id: AmendmentId = "TUR-10".parse().unwrap();
        assert_eq!(id.to_string(), "TUR-10");
        assert_eq!(id.number(), 10);
        let two: AmendmentId = "TUR-2".parse().unwrap();
        assert!(two < id);
        for bad in ["TUR", "TUR-0", "TUR-x", "tur-1", "-1", "TUR-01", "../TUR-1"] {
            assert!(bad.parse::<AmendmentId>().is_err(), "{bad}");
        }
    }
}
