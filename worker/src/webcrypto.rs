//! The Web Push crypto provider of the edge: WebCrypto (`crypto.subtle`), which in workerd is
//! native code and several times faster than RustCrypto compiled to wasm (TOOLCHAIN.md).

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use tidings::validate::B64URL;
use tidings::webpush::{CryptoError, WebPushCrypto};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto, WorkerGlobalScope};

use base64::Engine;

/// `crypto.subtle` of the worker's global scope.
pub struct WebCrypto {
    subtle: SubtleCrypto,
}

fn backend(_: JsValue) -> CryptoError {
    CryptoError::Backend("webcrypto")
}

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn usages(list: &[&str]) -> JsValue {
    list.iter().map(|u| JsValue::from_str(u)).collect::<Array>().into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

async fn bytes(promise: Result<js_sys::Promise, JsValue>) -> Result<Vec<u8>, CryptoError> {
    let value = JsFuture::from(promise.map_err(backend)?).await.map_err(backend)?;
    let buffer: ArrayBuffer = value.dyn_into().map_err(backend)?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn fixed<const N: usize>(v: Vec<u8>) -> Result<[u8; N], CryptoError> {
    v.try_into().map_err(|_| CryptoError::Backend("webcrypto returned an unexpected length"))
}

/// A P-256 private key as a JWK (WebCrypto imports private EC keys only as JWK or PKCS#8).
fn private_jwk(d: &[u8; 32], public: &[u8; 65]) -> Object {
    object(&[
        ("kty", s("EC")),
        ("crv", s("P-256")),
        ("d", s(&B64URL.encode(d))),
        ("x", s(&B64URL.encode(&public[1..33]))),
        ("y", s(&B64URL.encode(&public[33..]))),
        ("ext", JsValue::TRUE),
    ])
}

impl WebCrypto {
    /// The worker's `crypto.subtle`.
    pub fn new() -> Result<Self, CryptoError> {
        let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
        Ok(WebCrypto { subtle: scope.crypto().map_err(backend)?.subtle() })
    }

    async fn key(&self, promise: Result<js_sys::Promise, JsValue>) -> Result<CryptoKey, CryptoError> {
        let value =
            JsFuture::from(promise.map_err(|_| CryptoError::InvalidKey)?).await.map_err(|_| CryptoError::InvalidKey)?;
        Ok(value.unchecked_into())
    }

    async fn aes_key(&self, key: &[u8; 16], usage: &str) -> Result<CryptoKey, CryptoError> {
        let raw: Object = Uint8Array::from(&key[..]).into();
        self.key(self.subtle.import_key_with_object(
            "raw",
            &raw,
            &object(&[("name", s("AES-GCM"))]),
            false,
            &usages(&[usage]),
        ))
        .await
    }
}

impl WebPushCrypto for WebCrypto {
    type EcdhKey = CryptoKey;
    type SigningKey = CryptoKey;

    async fn generate_ecdh(&self) -> Result<(CryptoKey, [u8; 65]), CryptoError> {
        let algorithm = object(&[("name", s("ECDH")), ("namedCurve", s("P-256"))]);
        let promise =
            self.subtle.generate_key_with_object(&algorithm, false, &usages(&["deriveBits"])).map_err(backend)?;
        // CryptoKeyPair is a dictionary, not a class: read its members.
        let pair = JsFuture::from(promise).await.map_err(backend)?;
        let private: CryptoKey = Reflect::get(&pair, &s("privateKey")).map_err(backend)?.unchecked_into();
        let public: CryptoKey = Reflect::get(&pair, &s("publicKey")).map_err(backend)?.unchecked_into();
        let raw = fixed(bytes(self.subtle.export_key("raw", &public)).await?)?;
        Ok((private, raw))
    }

    async fn import_ecdh(&self, private: &[u8; 32], public: &[u8; 65]) -> Result<CryptoKey, CryptoError> {
        let algorithm = object(&[("name", s("ECDH")), ("namedCurve", s("P-256"))]);
        let jwk = private_jwk(private, public);
        self.key(self.subtle.import_key_with_object("jwk", &jwk, &algorithm, false, &usages(&["deriveBits"]))).await
    }

    async fn ecdh(&self, key: &CryptoKey, peer_public: &[u8; 65]) -> Result<[u8; 32], CryptoError> {
        let algorithm = object(&[("name", s("ECDH")), ("namedCurve", s("P-256"))]);
        let raw: Object = Uint8Array::from(&peer_public[..]).into();
        let peer = self.key(self.subtle.import_key_with_object("raw", &raw, &algorithm, true, &usages(&[]))).await?;
        let derive = object(&[("name", s("ECDH")), ("public", peer.into())]);
        fixed(bytes(self.subtle.derive_bits_with_object(&derive, key, 256)).await?)
    }

    async fn aes128gcm_encrypt(
        &self,
        key: &[u8; 16],
        nonce: &[u8; 12],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let k = self.aes_key(key, "encrypt").await?;
        let algorithm = object(&[("name", s("AES-GCM")), ("iv", Uint8Array::from(&nonce[..]).into())]);
        bytes(self.subtle.encrypt_with_object_and_u8_array(&algorithm, &k, plaintext)).await
    }

    async fn aes128gcm_decrypt(
        &self,
        key: &[u8; 16],
        nonce: &[u8; 12],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let k = self.aes_key(key, "decrypt").await?;
        let algorithm = object(&[("name", s("AES-GCM")), ("iv", Uint8Array::from(&nonce[..]).into())]);
        bytes(self.subtle.decrypt_with_object_and_u8_array(&algorithm, &k, ciphertext))
            .await
            .map_err(|_| CryptoError::Decrypt)
    }

    async fn import_signing_key(&self, private: &[u8; 32], public: &[u8; 65]) -> Result<CryptoKey, CryptoError> {
        let algorithm = object(&[("name", s("ECDSA")), ("namedCurve", s("P-256"))]);
        let jwk = private_jwk(private, public);
        self.key(self.subtle.import_key_with_object("jwk", &jwk, &algorithm, false, &usages(&["sign"]))).await
    }

    async fn sign_es256(&self, key: &CryptoKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        let algorithm = object(&[("name", s("ECDSA")), ("hash", s("SHA-256"))]);
        // WebCrypto's ECDSA signature is already raw r||s, the JWS form.
        fixed(bytes(self.subtle.sign_with_object_and_u8_array(&algorithm, key, message)).await?)
    }
}

/// Mobile push signing (issue 12): RS256 for Google's service-account assertion, ES256 for the
/// APNs provider token, both keys imported from PKCS#8.
impl tidings::mobile::MobileCrypto for WebCrypto {
    type RsaKey = CryptoKey;
    type EcKey = CryptoKey;

    async fn import_rsa_pkcs8(&self, der: &[u8]) -> Result<CryptoKey, CryptoError> {
        let algorithm = object(&[("name", s("RSASSA-PKCS1-v1_5")), ("hash", s("SHA-256"))]);
        let raw: Object = Uint8Array::from(der).into();
        self.key(self.subtle.import_key_with_object("pkcs8", &raw, &algorithm, false, &usages(&["sign"]))).await
    }

    async fn sign_rs256(&self, key: &CryptoKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let algorithm = object(&[("name", s("RSASSA-PKCS1-v1_5"))]);
        bytes(self.subtle.sign_with_object_and_u8_array(&algorithm, key, message)).await
    }

    async fn import_ec_pkcs8(&self, der: &[u8]) -> Result<CryptoKey, CryptoError> {
        let algorithm = object(&[("name", s("ECDSA")), ("namedCurve", s("P-256"))]);
        let raw: Object = Uint8Array::from(der).into();
        self.key(self.subtle.import_key_with_object("pkcs8", &raw, &algorithm, false, &usages(&["sign"]))).await
    }

    async fn sign_es256(&self, key: &CryptoKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        WebPushCrypto::sign_es256(self, key, message).await
    }
}

impl WebCrypto {
    /// Whether `signature` is `public`'s Ed25519 signature of `message` (the raw 32-byte key;
    /// workerd implements WebCrypto `Ed25519`). A key WebCrypto refuses verifies nothing.
    pub async fn verify_ed25519(&self, public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
        let raw: Object = Uint8Array::from(&public[..]).into();
        let algorithm = object(&[("name", s("Ed25519"))]);
        let Ok(key) =
            self.key(self.subtle.import_key_with_object("raw", &raw, &algorithm, false, &usages(&["verify"]))).await
        else {
            return false;
        };
        let Ok(promise) =
            self.subtle.verify_with_object_and_u8_array_and_u8_array(&algorithm, &key, signature, message)
        else {
            return false;
        };
        JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false)
    }
}
