//! Signing the commits decl makes, in git's own SSH signature format.
//!
//! Owns finding the private key (`--key FILE`, `DECL_SIGNING_KEY`, or git's `user.signingkey`
//! when `gpg.format` is `ssh`) and turning an unsigned commit buffer into a signed commit
//! object. Every commit the store writes goes through [`write_commit`], so no action, tag
//! target, revision cut or merge can skip the signature. Which key *should* have signed a
//! commit is a rule of the model (`model::verify`), not something decided here.

use std::path::{Path, PathBuf};

use git2::{Commit, Oid, Repository, Signature, Tree};
use ssh_key::{HashAlg, LineEnding, PrivateKey};

use super::StoreError;
use crate::model::key::GIT_NAMESPACE;

/// A private key ready to sign, and the file it came from (for messages).
pub(crate) struct Signer {
    key: PrivateKey,
}

/// Where the key comes from: a file named by the user, or git's configuration.
#[derive(Debug, Clone, Default)]
pub enum KeySource {
    /// `user.signingkey` when `gpg.format=ssh`; unsigned commits when it is not set.
    #[default]
    GitConfig,
    File(PathBuf),
}

impl Signer {
    /// The signer `source` names, or `None` when no key is configured. Only called by commands
    /// that write, so a broken key never stops `decl show`.
    pub(crate) fn load(
        repo: &Repository,
        source: &KeySource,
    ) -> Result<Option<Signer>, StoreError> {
        let path = match source {
            KeySource::File(path) => path.clone(),
            KeySource::GitConfig => match configured_key(repo)? {
                Some(path) => path,
                None => return Ok(None),
            },
        };
        read_private_key(&path).map(|key| Some(Signer { key }))
    }
}

/// Writes a commit object, signed when `signer` is given, and returns its id. It moves no
/// reference: the caller publishes it (journal, compare-and-swap on the branch).
pub(crate) fn write_commit(
    repo: &Repository,
    signer: Option<&Signer>,
    author: &Signature<'_>,
    committer: &Signature<'_>,
    message: &str,
    tree: &Tree<'_>,
    parents: &[&Commit<'_>],
) -> Result<Oid, StoreError> {
    let Some(signer) = signer else {
        return Ok(repo.commit(None, author, committer, message, tree, parents)?);
    };
    let buffer = repo.commit_create_buffer(author, committer, message, tree, parents)?;
    let content = buffer.as_str()?;
    let signature = signer
        .key
        .sign(GIT_NAMESPACE, HashAlg::Sha512, content.as_bytes())
        .and_then(|signature| signature.to_pem(LineEnding::LF))
        .map_err(|error| StoreError::SignFailed(error.to_string()))?;
    // git stores the armoured signature without its final newline in the `gpgsig` header.
    Ok(repo.commit_signed(content, signature.trim_end(), None)?)
}

/// The armoured signature and the signed content of a commit, or `None` when it is unsigned.
pub(crate) fn commit_signature(
    repo: &Repository,
    commit: Oid,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    match repo.extract_signature(&commit, None) {
        Ok((signature, content)) => Ok(Some((
            String::from_utf8_lossy(&signature).into_owned(),
            content.to_vec(),
        ))),
        Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// `user.signingkey`, when git is set to sign with SSH keys.
fn configured_key(repo: &Repository) -> Result<Option<PathBuf>, StoreError> {
    let config = repo.config()?;
    let format = config.get_string("gpg.format").ok();
    if format.as_deref() != Some("ssh") {
        return Ok(None);
    }
    let Ok(value) = config.get_string("user.signingkey") else {
        return Ok(None);
    };
    if value.starts_with("key::") || value.starts_with("ssh-") {
        return Err(StoreError::Signing {
            path: PathBuf::from(&value),
            why: "user.signingkey names a public key held by an agent; decl signs with a \
                  private key file: set user.signingkey to its path, or use --key FILE"
                .into(),
        });
    }
    let path = match value.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|home| Path::new(&home).join(rest))
            .unwrap_or_else(|| PathBuf::from(&value)),
        None => PathBuf::from(&value),
    };
    // git accepts the public key's file there (the agent holds the private half); the
    // private key usually sits beside it.
    match path.to_str().and_then(|p| p.strip_suffix(".pub")) {
        Some(private) if Path::new(private).exists() => Ok(Some(PathBuf::from(private))),
        _ => Ok(Some(path)),
    }
}

fn read_private_key(path: &Path) -> Result<PrivateKey, StoreError> {
    let fail = |why: String| StoreError::Signing {
        path: path.to_owned(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|error| fail(error.to_string()))?;
    if text.trim_start().starts_with("ssh-") {
        return Err(fail(
            "this is a public key: give the private key file (without .pub)".into(),
        ));
    }
    let key = PrivateKey::from_openssh(text.trim())
        .map_err(|error| fail(format!("not an OpenSSH private key: {error}")))?;
    if key.is_encrypted() {
        return Err(fail(
            "the key is protected by a passphrase, which decl cannot ask for; use a key \
             without one, kept on this machine only"
                .into(),
        ));
    }
    if key.algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(fail(format!(
            "it is an {} key; decl signs with ssh-ed25519 keys only",
            key.algorithm()
        )));
    }
    Ok(key)
}
