//! A native [`MobileCrypto`] for tests: RustCrypto's `rsa` and `p256` (dev-dependencies).
//! The JWTs it signs are checked by node:crypto (see `tests.rs`), not by this code.

use super::{CryptoError, MobileCrypto};

pub struct TestCrypto;

impl MobileCrypto for TestCrypto {
    type RsaKey = rsa::RsaPrivateKey;
    type EcKey = p256::ecdsa::SigningKey;

    async fn import_rsa_pkcs8(&self, der: &[u8]) -> Result<Self::RsaKey, CryptoError> {
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| CryptoError::InvalidKey)
    }

    async fn sign_rs256(&self, key: &Self::RsaKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use rsa::signature::{SignatureEncoding, Signer};
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
        Ok(signer.sign(message).to_vec())
    }

    async fn import_ec_pkcs8(&self, der: &[u8]) -> Result<Self::EcKey, CryptoError> {
        use p256::pkcs8::DecodePrivateKey;
        p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| CryptoError::InvalidKey)
    }

    async fn sign_es256(&self, key: &Self::EcKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        use p256::ecdsa::signature::Signer;
        let signature: p256::ecdsa::Signature = key.sign(message);
        Ok(signature.to_bytes().into())
    }
}
