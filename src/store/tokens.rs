//! The sign-in tokens of `decl serve`, kept in `.git/decl/tokens.yaml`: inside the git
//! directory, so never in the repository's history, and written atomically with the owner's
//! permissions only. Only each token's SHA-256 is stored; what a token may do is decided by
//! `serve`, not here.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{DeclRepo, StoreError};
use crate::model::DelegationCode;

/// One issued token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessToken {
    /// A short public name for listing and revoking ("t3").
    pub id: String,
    pub delegation: DelegationCode,
    /// SHA-256 of the token, hex.
    pub hash: String,
    pub issued: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    #[serde(default)]
    tokens: Vec<AccessToken>,
}

impl DeclRepo {
    fn tokens_path(&self) -> PathBuf {
        self.repo.path().join("decl").join("tokens.yaml")
    }

    /// Every token issued, revoked and expired ones included; none when the file is missing.
    pub fn access_tokens(&self) -> Result<Vec<AccessToken>, StoreError> {
        let path = self.tokens_path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let file: TokensFile = serde_yaml::from_slice(&bytes).map_err(|e| {
            StoreError::io(
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            )
        })?;
        Ok(file.tokens)
    }

    /// Reads the token list, lets `change` edit it, and writes it back, holding a lock on the
    /// file all along: two `token issue` or `token revoke` run at once each see the other's
    /// change (without it, one overwrote the other's, and a revoked token stayed valid).
    pub fn update_access_tokens<T, E: From<StoreError>>(
        &self,
        change: impl FnOnce(&mut Vec<AccessToken>) -> Result<T, E>,
    ) -> Result<T, E> {
        let dir = self.repo.path().join("decl");
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let lock_path = dir.join("tokens.lock");
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::io(&lock_path, e))?;
        lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
        let mut tokens = self.access_tokens()?;
        let result = change(&mut tokens)?;
        self.save_access_tokens(&tokens)?;
        drop(lock);
        Ok(result)
    }

    /// Replaces the token list, atomically (temporary file, flush, rename), readable by the
    /// owner only.
    pub fn save_access_tokens(&self, tokens: &[AccessToken]) -> Result<(), StoreError> {
        let path = self.tokens_path();
        let dir = path.parent().unwrap_or(self.repo.path()).to_owned();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let yaml = serde_yaml::to_string(&TokensFile {
            tokens: tokens.to_vec(),
        })
        .map_err(|source| StoreError::Serialise {
            file: path.display().to_string(),
            source,
        })?;
        // tempfile makes the file 0600: tokens are for the secretariat's eyes only.
        let mut temp =
            tempfile::NamedTempFile::new_in(&dir).map_err(|e| StoreError::io(&dir, e))?;
        temp.write_all(yaml.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| StoreError::io(&path, e))?;
        temp.persist(&path)
            .map_err(|e| StoreError::io(&path, e.error))?;
        Ok(())
    }
}
