//! Public signing keys: the SSH ed25519 keys a delegation signs its commits with.
//!
//! A [`DelegationKey`] is a validated public key as it is written in `delegations.yaml` (and in
//! an OpenSSH `authorized_keys` or git `allowed_signers` file): `ssh-ed25519 AAAA... comment`.
//! Parsing goes through `FromStr`, and serde uses the same path, so a malformed key is refused
//! with the file, line and column of the value. Checking a signature is pure computation and
//! lives here too; reading signatures out of commits is the store's job.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ssh_key::{Algorithm, PublicKey, SshSig};

/// The namespace git signs commits in (`ssh-keygen -Y sign -n git`).
pub const GIT_NAMESPACE: &str = "git";

/// Why a string is not a usable public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid signing key: {why}")]
pub struct KeyError {
    pub value: String,
    pub why: String,
}

/// One public SSH ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DelegationKey {
    key: PublicKey,
}

impl DelegationKey {
    pub fn new(key: PublicKey) -> Self {
        DelegationKey { key }
    }

    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
    }

    /// Whether this is the key behind `key_data` (the comment does not count).
    pub fn matches(&self, key_data: &ssh_key::public::KeyData) -> bool {
        self.key.key_data() == key_data
    }

    /// `ssh-ed25519 AAAA...`, without the comment: the form an allowed-signers file takes.
    pub fn openssh(&self) -> String {
        let mut bare = self.key.clone();
        bare.set_comment("");
        bare.to_openssh()
            .map(|text| text.trim_end().to_owned())
            .unwrap_or_default()
    }
}

impl FromStr for DelegationKey {
    type Err = KeyError;

    fn from_str(value: &str) -> Result<Self, KeyError> {
        let fail = |why: String| {
            Err(KeyError {
                value: ellipsize(value),
                why,
            })
        };
        let key = match PublicKey::from_openssh(value.trim()) {
            Ok(key) => key,
            Err(error) => {
                return fail(format!(
                    "{error} (write it as `ssh-keygen` prints it: ssh-ed25519 AAAA... comment)"
                ));
            }
        };
        if key.algorithm() != Algorithm::Ed25519 {
            return fail(format!(
                "it is an {} key; decl accepts ssh-ed25519 keys only",
                key.algorithm()
            ));
        }
        Ok(DelegationKey { key })
    }
}

impl TryFrom<String> for DelegationKey {
    type Error = KeyError;
    fn try_from(value: String) -> Result<Self, KeyError> {
        value.parse()
    }
}

impl From<DelegationKey> for String {
    fn from(key: DelegationKey) -> String {
        key.to_string()
    }
}

impl fmt::Display for DelegationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key.to_openssh() {
            Ok(text) => f.write_str(text.trim_end()),
            Err(_) => f.write_str(&self.fingerprint()),
        }
    }
}

/// What a commit's signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The commit carries no signature.
    Unsigned,
    /// The signature is sound and was made by the key with this fingerprint.
    Good {
        fingerprint: String,
        key: ssh_key::public::KeyData,
    },
    /// A signature that is not an SSH signature, or that does not match the commit's content.
    Bad(String),
}

/// Checks an armoured SSH signature (`-----BEGIN SSH SIGNATURE-----`) over `data`, the commit
/// without its signature header.
pub fn check_signature(armoured: &str, data: &[u8]) -> SignatureCheck {
    let signature = match SshSig::from_pem(armoured.trim()) {
        Ok(signature) => signature,
        Err(error) => return SignatureCheck::Bad(format!("not an SSH signature: {error}")),
    };
    if signature.namespace() != GIT_NAMESPACE {
        return SignatureCheck::Bad(format!(
            "signed in the namespace {:?}, not {GIT_NAMESPACE:?}",
            signature.namespace()
        ));
    }
    let key = PublicKey::new(signature.public_key().clone(), "");
    match key.verify(GIT_NAMESPACE, data, &signature) {
        Ok(()) => SignatureCheck::Good {
            fingerprint: key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
            key: signature.public_key().clone(),
        },
        Err(error) => SignatureCheck::Bad(format!("the signature does not match: {error}")),
    }
}

fn ellipsize(value: &str) -> String {
    match value.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &value[..cut]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssh_key::private::Ed25519Keypair;
    use ssh_key::{HashAlg, LineEnding, PrivateKey};

    fn private_key(seed: u8) -> PrivateKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
    }

    #[test]
    fn keys_round_trip_through_text() {
        let text = private_key(1).public_key().to_openssh().unwrap();
        let key: DelegationKey = format!("{text} tur@laptop").parse().unwrap();
        assert!(key.to_string().starts_with("ssh-ed25519 AAAA"));
        assert!(key.to_string().ends_with("tur@laptop"));
        assert!(!key.openssh().contains("tur@laptop"));
        assert!(key.fingerprint().starts_with("SHA256:"));
    }

    #[test]
    fn malformed_keys_are_refused_with_a_reason() {
        for bad in ["", "ssh-ed25519", "ssh-ed25519 AAAA", "hello world"] {
            let error = bad.parse::<DelegationKey>().unwrap_err();
            assert!(
                error.to_string().contains("not a valid signing key"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_signature_is_checked_against_the_data_and_the_key() {
        let signer = private_key(2);
        let data = b"tree 0000\n\nTUR proposes TUR-1\n";
        let pem = signer
            .sign(GIT_NAMESPACE, HashAlg::Sha512, data)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap();
        let own: DelegationKey = signer.public_key().to_openssh().unwrap().parse().unwrap();
        let other: DelegationKey = private_key(3)
            .public_key()
            .to_openssh()
            .unwrap()
            .parse()
            .unwrap();
        match check_signature(&pem, data) {
            SignatureCheck::Good { fingerprint, .. } => assert_eq!(fingerprint, own.fingerprint()),
            other => panic!("{other:?}"),
        }
        let signature = SshSig::from_pem(&pem).unwrap();
        assert!(own.matches(signature.public_key()));
        assert!(!other.matches(signature.public_key()));
        assert!(matches!(
            check_signature(&pem, b"tampered"),
            SignatureCheck::Bad(_)
        ));
        assert!(matches!(
            check_signature("junk", data),
            SignatureCheck::Bad(_)
        ));
    }
}
