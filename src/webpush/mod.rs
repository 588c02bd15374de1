//! Web Push, the pure protocol part: RFC 8291 message encryption, the RFC 8188 `aes128gcm`
//! content coding it rests on, and RFC 8292 VAPID.
//!
//! No I/O, no clocks, no `JsValue`: the caller passes time (`now_s`) and randomness (the salt;
//! ephemeral keys come from the provider). The elliptic-curve and AES work goes through the
//! [`WebPushCrypto`] trait, implemented by WebCrypto in the worker and by `RustCrypto`
//! (cargo feature `rustcrypto`) natively; HMAC/HKDF is computed here in pure Rust ([`hkdf`]).

pub mod crypto;
pub mod ece;
pub mod encrypt;
pub mod hkdf;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;
pub mod vapid;

pub use crypto::{CryptoError, WebPushCrypto};
pub use ece::EceError;
pub use encrypt::{
    decrypt, derive_ikm, encrypt, encrypt_with_salt_and_key, key_info, EncryptError, HEADER_LEN, MAX_PLAINTEXT,
    RECORD_SIZE,
};
#[cfg(feature = "rustcrypto")]
pub use rustcrypto::RustCrypto;
pub use vapid::{
    audience, authorization, parse_authorization, sign_jwt, verify_jwt, Claims, VapidError, MAX_EXP_SECONDS,
};
