//! The crypto provider seam: ECDH P-256, AES-128-GCM and ES256, behind one async trait.

/// Why a crypto provider operation failed. Deliberately coarse: callers only need to know
/// whether the key, the ciphertext or the backend was at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A key (private, public or peer) is malformed, not on P-256, or does not match its pair.
    #[error("invalid key")]
    InvalidKey,
    /// Authenticated decryption failed: wrong key or nonce, or tampered ciphertext.
    #[error("decryption failed")]
    Decrypt,
    /// The backend failed in the named operation.
    #[error("crypto backend failed: {0}")]
    Backend(&'static str),
}

/// The primitives Web Push needs, provided by WebCrypto (the worker) or RustCrypto (native).
///
/// Async because WebCrypto answers with promises; no `Send` bounds (wasm is single-threaded).
/// Public keys are uncompressed SEC1 points (`0x04 ‖ x ‖ y`, 65 octets).
#[allow(async_fn_in_trait)]
pub trait WebPushCrypto {
    /// An ECDH P-256 private key held by the provider.
    type EcdhKey;
    /// An ECDSA P-256 signing key held by the provider.
    type SigningKey;

    /// A fresh ECDH P-256 key pair: the private key and its uncompressed public key.
    async fn generate_ecdh(&self) -> Result<(Self::EcdhKey, [u8; 65]), CryptoError>;

    /// Imports a fixed ECDH key pair (test vectors, a user agent's subscription keys).
    /// Fails with [`CryptoError::InvalidKey`] when `public` is not the public key of `private`.
    async fn import_ecdh(&self, private: &[u8; 32], public: &[u8; 65]) -> Result<Self::EcdhKey, CryptoError>;

    /// ECDH with a peer's uncompressed public key: the x-coordinate of the shared point. The
    /// peer key must be checked to be on P-256 ([`CryptoError::InvalidKey`] otherwise).
    async fn ecdh(&self, key: &Self::EcdhKey, peer_public: &[u8; 65]) -> Result<[u8; 32], CryptoError>;

    /// AES-128-GCM with empty associated data: `ciphertext ‖ 16-octet tag`.
    async fn aes128gcm_encrypt(
        &self,
        key: &[u8; 16],
        nonce: &[u8; 12],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;

    /// AES-128-GCM decryption of `ciphertext ‖ tag` with empty associated data;
    /// [`CryptoError::Decrypt`] when the tag does not verify.
    async fn aes128gcm_decrypt(
        &self,
        key: &[u8; 16],
        nonce: &[u8; 12],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;

    /// Imports a P-256 signing key (the VAPID key). Fails with [`CryptoError::InvalidKey`]
    /// when `public` is not the public key of `private`.
    async fn import_signing_key(&self, private: &[u8; 32], public: &[u8; 65]) -> Result<Self::SigningKey, CryptoError>;

    /// ES256: ECDSA P-256 over SHA-256 of `message`, as the raw 64-octet `r ‖ s` (JOSE form, not DER).
    async fn sign_es256(&self, key: &Self::SigningKey, message: &[u8]) -> Result<[u8; 64], CryptoError>;
}
