//! [`RustCrypto`]: the native [`WebPushCrypto`] provider (p256 and aes-gcm), for tests and
//! test push services. Cargo feature `rustcrypto`, native only (on wasm32 its `OsRng` would need
//! getrandom's `js` feature); the worker uses WebCrypto instead.
//!
//! Every operation completes synchronously, so its futures are ready on the first poll.

use super::crypto::{CryptoError, WebPushCrypto};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::Aes128Gcm;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{FieldBytes, PublicKey, SecretKey};
use rand_core::{OsRng, RngCore};

/// The RustCrypto provider. Holds nothing; randomness comes from the OS (`OsRng`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

fn uncompressed(public: &PublicKey) -> Result<[u8; 65], CryptoError> {
    public.to_encoded_point(false).as_bytes().try_into().map_err(|_| CryptoError::Backend("encode public key"))
}

impl WebPushCrypto for RustCrypto {
    type EcdhKey = SecretKey;
    type SigningKey = SigningKey;

    async fn generate_ecdh(&self) -> Result<(SecretKey, [u8; 65]), CryptoError> {
        // A uniformly random 32-octet string is a valid scalar with overwhelming probability;
        // retry the rare zero or out-of-range draw.
        for _ in 0..8 {
            let mut bytes = FieldBytes::default();
            OsRng.try_fill_bytes(&mut bytes).map_err(|_| CryptoError::Backend("os random"))?;
            if let Ok(secret) = SecretKey::from_bytes(&bytes) {
                let public = uncompressed(&secret.public_key())?;
                return Ok((secret, public));
            }
        }
        Err(CryptoError::Backend("generate ecdh key"))
    }

    async fn import_ecdh(&self, private: &[u8; 32], public: &[u8; 65]) -> Result<SecretKey, CryptoError> {
        let secret = SecretKey::from_bytes(&FieldBytes::from(*private)).map_err(|_| CryptoError::InvalidKey)?;
        if uncompressed(&secret.public_key())? != *public {
            return Err(CryptoError::InvalidKey);
        }
        Ok(secret)
    }

    async fn ecdh(&self, key: &SecretKey, peer_public: &[u8; 65]) -> Result<[u8; 32], CryptoError> {
        let peer = PublicKey::from_sec1_bytes(peer_public).map_err(|_| CryptoError::InvalidKey)?;
        let shared = p256::ecdh::diffie_hellman(key.to_nonzero_scalar(), peer.as_affine());
        Ok((*shared.raw_secret_bytes()).into())
    }

    async fn aes128gcm_encrypt(
        &self,
        key: &[u8; 16],
        nonce: &[u8; 12],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        Aes128Gcm::new(&(*key).into())
            .encrypt(&(*nonce).into(), plaintext)
            .map_err(|_| CryptoError::Backend("aes-gcm encrypt"))
    }

    async fn aes128gcm_decrypt(
        &self,
        key: &[u8; 16],
        nonce: &[u8; 12],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        Aes128Gcm::new(&(*key).into()).decrypt(&(*nonce).into(), ciphertext).map_err(|_| CryptoError::Decrypt)
    }

    async fn import_signing_key(&self, private: &[u8; 32], public: &[u8; 65]) -> Result<SigningKey, CryptoError> {
        let key = SigningKey::from_bytes(&FieldBytes::from(*private)).map_err(|_| CryptoError::InvalidKey)?;
        if key.verifying_key().to_encoded_point(false).as_bytes() != public {
            return Err(CryptoError::InvalidKey);
        }
        Ok(key)
    }

    async fn sign_es256(&self, key: &SigningKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        let signature: Signature = key.try_sign(message).map_err(|_| CryptoError::Backend("ecdsa sign"))?;
        let bytes = signature.to_bytes();
        bytes[..].try_into().map_err(|_| CryptoError::Backend("ecdsa signature"))
    }
}
