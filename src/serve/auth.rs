//! Who is signed in: access tokens (issued by the secretariat, stored as hashes), sessions
//! kept in memory, and the CSRF token every form carries.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::model::DelegationCode;
use crate::store::tokens::AccessToken;
use crate::store::{DeclRepo, StoreError};

/// The session cookie's name.
pub const COOKIE: &str = "decl_session";

/// How long a session lasts without a new sign-in.
const SESSION_HOURS: i64 = 12;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no token called {id}{hint}")]
    Unknown { id: String, hint: String },
    #[error("the random number generator failed: {0}")]
    Random(String),
}

/// A newly issued token: its public id and the secret, shown once.
pub struct Issued {
    pub id: String,
    pub secret: String,
}

/// Issues a token for `delegation`, valid until `expires`; keeps only its hash.
pub fn issue(
    repo: &DeclRepo,
    delegation: &DelegationCode,
    now: DateTime<FixedOffset>,
    expires: Option<DateTime<FixedOffset>>,
) -> Result<Issued, TokenError> {
    let secret = random_hex(32)?;
    let hash = sha256_hex(&secret);
    let id = repo.update_access_tokens(|tokens| {
        let id = format!("t{}", tokens.len() + 1);
        tokens.push(AccessToken {
            id: id.clone(),
            delegation: delegation.clone(),
            hash,
            issued: now,
            expires,
            revoked: None,
        });
        Ok::<_, TokenError>(id)
    })?;
    Ok(Issued { id, secret })
}

/// Revokes token `id`; sessions opened with it end at their next request.
pub fn revoke(repo: &DeclRepo, id: &str, now: DateTime<FixedOffset>) -> Result<(), TokenError> {
    repo.update_access_tokens(|tokens| {
        let hint = crate::model::suggest::did_you_mean(id, tokens.iter().map(|t| t.id.as_str()));
        let Some(token) = tokens.iter_mut().find(|t| t.id == id) else {
            return Err(TokenError::Unknown {
                id: id.to_owned(),
                hint,
            });
        };
        token.revoked.get_or_insert(now);
        Ok(())
    })
}

/// Whether `token` may be used at `now`.
pub fn is_valid(token: &AccessToken, now: DateTime<FixedOffset>) -> bool {
    token.revoked.is_none() && token.expires.is_none_or(|expires| now < expires)
}

/// The token whose secret is `secret`, if it is valid. Every stored hash is compared, each in
/// constant time, so the time taken says nothing about which hash nearly matched.
pub fn find<'t>(
    tokens: &'t [AccessToken],
    secret: &str,
    now: DateTime<FixedOffset>,
) -> Option<&'t AccessToken> {
    let hash = sha256_hex(secret.trim());
    let mut found = None;
    for token in tokens {
        if bool::from(token.hash.as_bytes().ct_eq(hash.as_bytes())) {
            found = Some(token);
        }
    }
    found.filter(|token| is_valid(token, now))
}

/// `30d`, `12h`, `90m` as a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let invalid = || format!("{text:?} is not a duration: use e.g. 30d, 12h or 90m");
    // The unit is the last character, which need not be one byte ("3é").
    let (at, unit) = text.char_indices().last().ok_or_else(invalid)?;
    let n: u32 = text[..at].parse().map_err(|_| invalid())?;
    let minutes_per_unit: i64 = match unit {
        'd' => 24 * 60,
        'h' => 60,
        'm' => 1,
        _ => return Err(invalid()),
    };
    let minutes = i64::from(n) * minutes_per_unit;
    if minutes == 0 {
        return Err(format!(
            "{text:?} would issue a token already expired: give a positive duration"
        ));
    }
    // Ten years: longer is a mistake, and past it a date overflows.
    if minutes > MAX_TOKEN_DAYS * 24 * 60 {
        return Err(format!(
            "{text:?} is too long: a token is valid for at most {MAX_TOKEN_DAYS} days (omit --expires for a token valid until revoked)"
        ));
    }
    Ok(Duration::minutes(minutes))
}

/// The longest `--expires` a token may have.
const MAX_TOKEN_DAYS: i64 = 3650;

/// A signed-in delegation.
#[derive(Debug, Clone)]
pub struct Session {
    pub delegation: DelegationCode,
    pub token_id: String,
    pub csrf: String,
    pub expires: DateTime<FixedOffset>,
    /// A message for the next page shown ("TUR proposes TUR-1: ...").
    pub flash: Option<String>,
}

/// The open sessions, by session id.
#[derive(Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Opens a session; returns its id, for the cookie.
    pub fn open(
        &self,
        token: &AccessToken,
        now: DateTime<FixedOffset>,
    ) -> Result<String, TokenError> {
        let id = random_hex(32)?;
        let session = Session {
            delegation: token.delegation.clone(),
            token_id: token.id.clone(),
            csrf: random_hex(32)?,
            expires: now + Duration::hours(SESSION_HOURS),
            flash: None,
        };
        let mut sessions = self.lock();
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(id.clone(), session);
        Ok(id)
    }

    pub fn get(&self, id: &str, now: DateTime<FixedOffset>) -> Option<Session> {
        let sessions = self.lock();
        sessions.get(id).filter(|s| s.expires > now).cloned()
    }

    pub fn close(&self, id: &str) {
        self.lock().remove(id);
    }

    pub fn set_flash(&self, id: &str, message: String) {
        if let Some(session) = self.lock().get_mut(id) {
            session.flash = Some(message);
        }
    }

    pub fn take_flash(&self, id: &str) -> Option<String> {
        self.lock().get_mut(id).and_then(|s| s.flash.take())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.by_id
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether the CSRF token sent with a form is the session's, compared in constant time.
pub fn csrf_matches(session: &Session, sent: &str) -> bool {
    bool::from(session.csrf.as_bytes().ct_eq(sent.as_bytes()))
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_hex(n_bytes: usize) -> Result<String, TokenError> {
    let mut bytes = vec![0u8; n_bytes];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(secret: &str, revoked: bool) -> AccessToken {
        let now = DateTime::parse_from_rfc3339("2022-09-01T10:00:00+05:00").unwrap();
        AccessToken {
            id: "t1".into(),
            delegation: "TUR".parse().unwrap(),
            hash: sha256_hex(secret),
            issued: now,
            expires: Some(now + Duration::days(1)),
            revoked: revoked.then_some(now),
        }
    }

    #[test]
    fn a_token_is_found_by_its_secret_until_it_expires_or_is_revoked() {
        let now = DateTime::parse_from_rfc3339("2022-09-01T11:00:00+05:00").unwrap();
        let tokens = [token("abc", false)];
        assert!(find(&tokens, "abc", now).is_some());
        assert!(find(&tokens, "abd", now).is_none());
        assert!(find(&tokens, "abc", now + Duration::days(2)).is_none());
        assert!(find(&[token("abc", true)], "abc", now).is_none());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_duration("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_duration("90m"), Ok(Duration::minutes(90)));
        assert!(parse_duration("soon").is_err());
        // Refused, not a panic: a unit of two bytes, an overflow, nothing, a token born expired.
        for bad in [
            "3é",
            "é",
            "",
            "d",
            "99999999999999d",
            "4294967295d",
            "0m",
            "-5d",
            "3650d1",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(parse_duration("3650d"), Ok(Duration::days(3650)));
    }
}
