//! Web Push against the published vectors (RFC 8291 §5 + Appendix A, RFC 8188 §3.1/§3.2,
//! RFC 8292 §2.4; see /work/shared/vectors/webpush-rfc-vectors.md), with the native
//! `RustCrypto` provider, plus the negative cases.

use base64::Engine;
use std::future::Future;
use std::task::{Context, Poll, Waker};
use tidings::validate::B64URL;
use tidings::webpush::{
    self, ece, hkdf, vapid, Claims, CryptoError, EceError, EncryptError, RustCrypto, VapidError, WebPushCrypto,
    MAX_PLAINTEXT,
};

/// Runs a future that never pends (every RustCrypto operation completes at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("RustCrypto futures are ready on the first poll"),
    }
}

fn b64(s: &str) -> Vec<u8> {
    B64URL.decode(s).unwrap_or_else(|e| panic!("vector {s:?} is base64url: {e}"))
}

fn arr<const N: usize>(s: &str) -> [u8; N] {
    b64(s).try_into().unwrap_or_else(|v: Vec<u8>| panic!("vector {s:?} has {} octets, not {N}", v.len()))
}

mod rfc8291 {
    pub const PLAINTEXT: &[u8] = b"When I grow up, I want to be a watermelon";
    pub const PLAINTEXT_B64: &str = "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24";
    pub const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    pub const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    pub const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    pub const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    pub const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    pub const AUTH_SECRET: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    pub const ECDH_SECRET: &str = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs";
    pub const PRK_KEY: &str = "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k";
    pub const KEY_INFO: &str = "V2ViUHVzaDogaW5mbwAEJXGyvs3942BVGq8e0PTNNmwRzr5VX4m8t7GGpTM5FzFo7OLr4BhZe9MEebhuPI-OztV3ylkYfpJGmQ22ggCLDgT-M_SrDepxkU21WCP3O1SUj0EwbZIHMtu5pZpTKGSCIA5Zent7wmC6HCJ5mFgJkuk5cwAvMBKiiujwa7t45ewP";
    pub const IKM: &str = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg";
    pub const PRK: &str = "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc";
    pub const CEK_INFO: &str = "Q29udGVudC1FbmNvZGluZzogYWVzMTI4Z2NtAA";
    pub const CEK: &str = "oIhVW04MRdy2XN9CiKLxTg";
    pub const NONCE_INFO: &str = "Q29udGVudC1FbmNvZGluZzogbm9uY2UA";
    pub const NONCE: &str = "4h_95klXJ5E_qnoN";
    pub const HEADER: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    pub const PADDED: &str = "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24C";
    pub const CIPHERTEXT: &str = "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ";
    pub const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";
}

mod rfc8292 {
    pub const JWT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA";
    pub const HEADER_SEGMENT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9";
    pub const CLAIMS_SEGMENT: &str = "eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0";
    pub const K: &str = "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs";
    pub const EXP: i64 = 1453523768;

    pub fn claims() -> super::Claims {
        super::Claims { aud: "https://push.example.net".into(), exp: EXP, sub: "mailto:push@example.com".into() }
    }
}

fn sender() -> <RustCrypto as WebPushCrypto>::EcdhKey {
    block_on(RustCrypto.import_ecdh(&arr(rfc8291::AS_PRIVATE), &arr(rfc8291::AS_PUBLIC))).expect("RFC 8291 sender key")
}

fn receiver() -> <RustCrypto as WebPushCrypto>::EcdhKey {
    block_on(RustCrypto.import_ecdh(&arr(rfc8291::UA_PRIVATE), &arr(rfc8291::UA_PUBLIC)))
        .expect("RFC 8291 receiver key")
}

// ---------------------------------------------------------------- RFC 8291

#[test]
fn rfc8291_every_intermediate_value() {
    use rfc8291::*;
    assert_eq!(b64(PLAINTEXT_B64), PLAINTEXT);
    let (ua_public, as_public, auth): ([u8; 65], [u8; 65], [u8; 16]) =
        (arr(UA_PUBLIC), arr(AS_PUBLIC), arr(AUTH_SECRET));
    let salt: [u8; 16] = arr(SALT);

    let ecdh = block_on(RustCrypto.ecdh(&sender(), &ua_public)).expect("ecdh");
    assert_eq!(ecdh.to_vec(), b64(ECDH_SECRET), "ecdh_secret (sender side)");
    let ecdh_ua = block_on(RustCrypto.ecdh(&receiver(), &as_public)).expect("ecdh");
    assert_eq!(ecdh_ua, ecdh, "ecdh_secret (receiver side)");

    assert_eq!(hkdf::extract(&auth, &ecdh).to_vec(), b64(PRK_KEY), "PRK_key");
    assert_eq!(webpush::key_info(&ua_public, &as_public).to_vec(), b64(KEY_INFO), "key_info");
    let ikm = webpush::derive_ikm(&ecdh, &auth, &ua_public, &as_public);
    assert_eq!(ikm.to_vec(), b64(IKM), "IKM");

    assert_eq!(ece::CEK_INFO, b64(CEK_INFO), "cek_info");
    assert_eq!(ece::NONCE_INFO, b64(NONCE_INFO), "nonce_info");
    let keys = ece::derive_keys(&ikm, &salt);
    assert_eq!(keys.prk.to_vec(), b64(PRK), "PRK");
    assert_eq!(keys.cek.to_vec(), b64(CEK), "CEK");
    assert_eq!(keys.nonce.to_vec(), b64(NONCE), "NONCE");

    let header = ece::build_header(&salt, webpush::RECORD_SIZE, &as_public).expect("header");
    assert_eq!(header, b64(HEADER), "header");
    assert_eq!(header.len(), webpush::HEADER_LEN);

    let ciphertext =
        block_on(ece::encrypt_single(&RustCrypto, &keys.cek, &keys.nonce, 4096, PLAINTEXT)).expect("record");
    assert_eq!(ciphertext, b64(CIPHERTEXT), "ciphertext");
    let padded = block_on(RustCrypto.aes128gcm_decrypt(&keys.cek, &keys.nonce, &ciphertext)).expect("decrypts");
    assert_eq!(padded, b64(PADDED), "padded plaintext");
}

#[test]
fn rfc8291_body_is_reproduced_byte_for_byte() {
    use rfc8291::*;
    let body = block_on(webpush::encrypt_with_salt_and_key(
        &RustCrypto,
        PLAINTEXT,
        &arr(UA_PUBLIC),
        &arr(AUTH_SECRET),
        arr(SALT),
        &sender(),
        &arr(AS_PUBLIC),
    ))
    .expect("encrypts");
    assert_eq!(body.len(), 144, "86 header + 41 + 1 delimiter + 16 tag (the RFC's Content-Length 145 is wrong)");
    assert_eq!(B64URL.encode(&body), BODY);
}

#[test]
fn rfc8291_body_decrypts_with_the_receiver_key() {
    use rfc8291::*;
    let plaintext =
        block_on(webpush::decrypt(&RustCrypto, &b64(BODY), &receiver(), &arr(UA_PUBLIC), &arr(AUTH_SECRET)));
    assert_eq!(plaintext.as_deref(), Ok(PLAINTEXT));
}

#[test]
fn encrypt_with_a_fresh_key_round_trips() {
    use rfc8291::*;
    let (ua_public, auth): ([u8; 65], [u8; 16]) = (arr(UA_PUBLIC), arr(AUTH_SECRET));
    let a = block_on(webpush::encrypt(&RustCrypto, b"hello", &ua_public, &auth, [9; 16])).expect("encrypts");
    let b = block_on(webpush::encrypt(&RustCrypto, b"hello", &ua_public, &auth, [9; 16])).expect("encrypts");
    assert_ne!(a[21..86], b[21..86], "each message has its own ephemeral key");
    assert_eq!(a.len(), 86 + 5 + 1 + 16);
    for body in [a, b] {
        let plaintext = block_on(webpush::decrypt(&RustCrypto, &body, &receiver(), &ua_public, &auth));
        assert_eq!(plaintext.as_deref(), Ok(&b"hello"[..]));
    }
    let (key, public) = block_on(RustCrypto.generate_ecdh()).expect("generates");
    let body = block_on(webpush::encrypt(&RustCrypto, b"", &public, &auth, [1; 16])).expect("encrypts");
    assert_eq!(block_on(webpush::decrypt(&RustCrypto, &body, &key, &public, &auth)), Ok(vec![]));
}

#[test]
fn tampered_bodies_fail_to_decrypt() {
    use rfc8291::*;
    let (ua_public, auth): ([u8; 65], [u8; 16]) = (arr(UA_PUBLIC), arr(AUTH_SECRET));
    let body = b64(BODY);
    let decrypt =
        |body: &[u8], auth: &[u8; 16]| block_on(webpush::decrypt(&RustCrypto, body, &receiver(), &ua_public, auth));
    let refused = Err(EncryptError::Ece(EceError::Crypto(CryptoError::Decrypt)));
    for i in [86, 100, 143] {
        let mut tampered = body.clone();
        tampered[i] ^= 0x01;
        assert_eq!(decrypt(&tampered, &auth), refused, "ciphertext octet {i}");
    }
    let mut salt_changed = body.clone();
    salt_changed[0] ^= 0x80;
    assert_eq!(decrypt(&salt_changed, &auth), refused, "salt");
    let mut other_auth = auth;
    other_auth[0] ^= 1;
    assert_eq!(decrypt(&body, &other_auth), refused, "auth secret");
    let mut key_changed = body.clone();
    key_changed[30] ^= 0x01;
    assert_eq!(
        decrypt(&key_changed, &auth),
        Err(EncryptError::Crypto(CryptoError::InvalidKey)),
        "sender key off the curve"
    );
    assert_eq!(decrypt(&body[..143], &auth), refused, "truncated tag");
    assert_eq!(decrypt(&body[..86], &auth), Err(EncryptError::Ece(EceError::Truncated)), "no record");
    assert_eq!(decrypt(&body[..50], &auth), Err(EncryptError::Ece(EceError::Header)), "truncated header");
    assert_eq!(decrypt(&[], &auth), Err(EncryptError::Ece(EceError::Header)), "empty");
    let short_keyid = ece::build_header(&[0; 16], 4096, b"a1").expect("header");
    assert_eq!(decrypt(&short_keyid, &auth), Err(EncryptError::KeyId { len: 2 }));
}

#[test]
fn decrypt_refuses_multiple_records_and_a_wrong_delimiter() {
    use rfc8291::*;
    let (ua_public, as_public, auth): ([u8; 65], [u8; 65], [u8; 16]) =
        (arr(UA_PUBLIC), arr(AS_PUBLIC), arr(AUTH_SECRET));
    let salt: [u8; 16] = arr(SALT);
    let ecdh = block_on(RustCrypto.ecdh(&sender(), &ua_public)).expect("ecdh");
    let keys = ece::derive_keys(&webpush::derive_ikm(&ecdh, &auth, &ua_public, &as_public), &salt);
    let decrypt = |body: &[u8]| block_on(webpush::decrypt(&RustCrypto, body, &receiver(), &ua_public, &auth));

    // Delimiter 0x01 ("more records follow") in the only record.
    let mut body = ece::build_header(&salt, 4096, &as_public).expect("header");
    body.extend(block_on(RustCrypto.aes128gcm_encrypt(&keys.cek, &keys.nonce, b"hi\x01")).expect("encrypts"));
    assert_eq!(decrypt(&body), Err(EncryptError::Ece(EceError::Truncated)));
    // All padding, no delimiter.
    let mut body = ece::build_header(&salt, 4096, &as_public).expect("header");
    body.extend(block_on(RustCrypto.aes128gcm_encrypt(&keys.cek, &keys.nonce, &[0, 0])).expect("encrypts"));
    assert_eq!(decrypt(&body), Err(EncryptError::Ece(EceError::Padding)));
    // Padding after the delimiter is fine.
    let mut body = ece::build_header(&salt, 4096, &as_public).expect("header");
    body.extend(block_on(RustCrypto.aes128gcm_encrypt(&keys.cek, &keys.nonce, b"hi\x02\0\0\0")).expect("encrypts"));
    assert_eq!(decrypt(&body).as_deref(), Ok(&b"hi"[..]));
    // Two records of rs = 18.
    let mut body = ece::build_header(&salt, 18, &as_public).expect("header");
    body.extend(block_on(RustCrypto.aes128gcm_encrypt(&keys.cek, &keys.nonce, b"h\x01")).expect("encrypts"));
    let nonce1 = ece::record_nonce(&keys.nonce, 1);
    body.extend(block_on(RustCrypto.aes128gcm_encrypt(&keys.cek, &nonce1, b"i\x02")).expect("encrypts"));
    assert_eq!(decrypt(&body), Err(EncryptError::MultipleRecords));
    // ...which the general RFC 8188 decoder does accept.
    let (header, records) = ece::parse_header(&body).expect("header");
    assert_eq!(header.rs, 18);
    let plaintext = block_on(ece::decrypt_records(&RustCrypto, &keys.cek, &keys.nonce, header.rs, records));
    assert_eq!(plaintext.as_deref(), Ok(&b"hi"[..]));
}

#[test]
fn plaintext_size_limit() {
    use rfc8291::*;
    let (ua_public, auth): ([u8; 65], [u8; 16]) = (arr(UA_PUBLIC), arr(AUTH_SECRET));
    let encrypt = |len: usize| {
        block_on(webpush::encrypt_with_salt_and_key(
            &RustCrypto,
            &vec![b'x'; len],
            &ua_public,
            &auth,
            [3; 16],
            &sender(),
            &arr(AS_PUBLIC),
        ))
    };
    assert_eq!(MAX_PLAINTEXT, 3993);
    assert_eq!(encrypt(3994), Err(EncryptError::TooLarge { len: 3994, max: 3993 }));
    let refused = block_on(webpush::encrypt(&RustCrypto, &[0; 5000], &ua_public, &auth, [3; 16]));
    assert_eq!(refused, Err(EncryptError::TooLarge { len: 5000, max: 3993 }));
    let body = encrypt(3993).expect("the largest message fits");
    assert_eq!(body.len(), 86 + 3993 + 1 + 16);
    assert_eq!(body.len(), 4096);
    let plaintext = block_on(webpush::decrypt(&RustCrypto, &body, &receiver(), &ua_public, &auth)).expect("decrypts");
    assert_eq!(plaintext, vec![b'x'; 3993]);
}

// ---------------------------------------------------------------- RFC 8188

#[test]
fn rfc8188_3_1_single_record() {
    let body = b64("I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg");
    assert_eq!(body.len(), 53, "21 header + 15 + 1 + 16 (the RFC's 54 is wrong)");
    let ikm = b64("yqdlZ-tYemfogSmv7Ws5PQ");
    let (header, records) = ece::parse_header(&body).expect("header");
    assert_eq!(header.salt.to_vec(), b64("I1BsxtFttlv3u_Oo94xnmw"));
    assert_eq!((header.rs, header.keyid), (4096, &b""[..]));
    assert_eq!(ece::build_header(&header.salt, 4096, b"").expect("header"), b64("I1BsxtFttlv3u_Oo94xnmwAAEAAA"));
    let keys = ece::derive_keys(&ikm, &header.salt);
    assert_eq!(keys.prk.to_vec(), b64("zyeH5phsIsgUyd4oiSEIy35x-gIi4aM7y0hCF8mwn9g"));
    assert_eq!(keys.cek.to_vec(), b64("_wniytB-ofscZDh4tbSjHw"));
    assert_eq!(keys.nonce.to_vec(), b64("Bcs8gkIRKLI8GeI8"));
    let padded = block_on(RustCrypto.aes128gcm_decrypt(&keys.cek, &keys.nonce, records)).expect("decrypts");
    assert_eq!(padded, b64("SSBhbSB0aGUgd2FscnVzAg"));
    assert_eq!(block_on(ece::decode(&RustCrypto, &ikm, &body)).as_deref(), Ok(&b"I am the walrus"[..]));
    // The single-record encrypter reproduces it.
    let record = block_on(ece::encrypt_single(&RustCrypto, &keys.cek, &keys.nonce, 4096, b"I am the walrus"));
    assert_eq!(record.as_deref(), Ok(records));
}

#[test]
fn rfc8188_3_2_multiple_records() {
    let body =
        b64("uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA");
    assert_eq!(body.len(), 73);
    let ikm = b64("BO3ZVPxUlnLORbVGMpbT1Q");
    let (header, records) = ece::parse_header(&body).expect("header");
    assert_eq!(header.salt.to_vec(), b64("uNCkWiNYzKTnBN9ji3-qWA"));
    assert_eq!((header.rs, header.keyid), (25, &b"a1"[..]));
    assert_eq!(records.len(), 50);
    let keys = ece::derive_keys(&ikm, &header.salt);
    assert_eq!(keys.prk.to_vec(), b64("mNHRBFh-eOCdAdmmuVtym8Hf44ov7FPsQZ3f4knYjHE"));
    assert_eq!(keys.cek.to_vec(), b64("u_eEOTjjVWUVrH82pQNwpw"));
    assert_eq!(keys.nonce.to_vec(), b64("VqylG1rdt-mJrNgP"));
    assert_eq!(block_on(ece::decode(&RustCrypto, &ikm, &body)).as_deref(), Ok(&b"I am the walrus"[..]));

    // Dropping the last record is detected (record 0 says "more follow").
    assert_eq!(block_on(ece::decode(&RustCrypto, &ikm, &body[..48])), Err(EceError::Truncated));
    // Swapping the records breaks their nonces.
    let mut swapped = body[..23].to_vec();
    swapped.extend_from_slice(&body[48..]);
    swapped.extend_from_slice(&body[23..48]);
    assert_eq!(block_on(ece::decode(&RustCrypto, &ikm, &swapped)), Err(EceError::Crypto(CryptoError::Decrypt)));
    // The wrong IKM.
    assert_eq!(block_on(ece::decode(&RustCrypto, &[0; 16], &body)), Err(EceError::Crypto(CryptoError::Decrypt)));
    // A trailing fragment shorter than a tag.
    let mut extra = body.clone();
    extra.extend_from_slice(&[0; 5]);
    assert_eq!(block_on(ece::decode(&RustCrypto, &ikm, &extra)), Err(EceError::Truncated));
}

// ---------------------------------------------------------------- RFC 8292

#[test]
fn rfc8292_segments_are_reproduced() {
    use rfc8292::*;
    let claims = claims();
    assert_eq!(vapid::header_segment(), HEADER_SEGMENT);
    assert_eq!(vapid::claims_segment(&claims).as_deref(), Ok(CLAIMS_SEGMENT));
    assert_eq!(vapid::signing_input(&claims), Ok(format!("{HEADER_SEGMENT}.{CLAIMS_SEGMENT}")));
    assert!(JWT.starts_with(&format!("{HEADER_SEGMENT}.{CLAIMS_SEGMENT}.")));
    assert_eq!(b64(HEADER_SEGMENT), br#"{"typ":"JWT","alg":"ES256"}"#);
    assert_eq!(
        b64(CLAIMS_SEGMENT),
        br#"{"aud":"https://push.example.net","exp":1453523768,"sub":"mailto:push@example.com"}"#
    );
    let made = Claims::with_lifetime(
        "https://push.example.net/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV",
        "mailto:push@example.com",
        EXP - 3600,
        3600,
    );
    assert_eq!(made, Ok(claims));
}

#[test]
fn rfc8292_signature_verifies() {
    use rfc8292::*;
    let key: [u8; 65] = arr(K);
    assert_eq!(vapid::verify_jwt(JWT, &key, EXP - 60), Ok(claims()));
    assert_eq!(vapid::verify_jwt(JWT, &key, EXP), Err(VapidError::Expired));
    assert_eq!(vapid::verify_jwt(JWT, &key, EXP + 1), Err(VapidError::Expired));
    assert_eq!(vapid::verify_jwt(JWT, &key, EXP - 24 * 3600 - 1), Err(VapidError::TooFarAhead));
    assert!(vapid::verify_jwt(JWT, &key, EXP - 24 * 3600).is_ok());

    let header = webpush::authorization(JWT, K);
    assert_eq!(header, format!("vapid t={JWT}, k={K}"));
    assert_eq!(webpush::parse_authorization(&header), Some((JWT.to_string(), K.to_string())));

    // Any change to the signed part or the signature fails.
    let other_claims = vapid::claims_segment(&Claims { exp: EXP + 1, ..claims() }).expect("segment");
    let forged = JWT.replace(CLAIMS_SEGMENT, &other_claims);
    assert_eq!(vapid::verify_jwt(&forged, &key, EXP - 60), Err(VapidError::Signature));
    let mut sig = b64(JWT.rsplit('.').next().expect("three segments"));
    sig[10] ^= 1;
    let bad_sig = format!("{HEADER_SEGMENT}.{CLAIMS_SEGMENT}.{}", B64URL.encode(&sig));
    assert_eq!(vapid::verify_jwt(&bad_sig, &key, EXP - 60), Err(VapidError::Signature));
    let der_length = format!("{HEADER_SEGMENT}.{CLAIMS_SEGMENT}.{}", B64URL.encode([0x30; 70]));
    assert_eq!(vapid::verify_jwt(&der_length, &key, EXP - 60), Err(VapidError::Signature));
}

#[test]
fn own_signatures_round_trip_and_other_keys_fail() {
    let (private, public): ([u8; 32], [u8; 65]) = (arr(rfc8291::AS_PRIVATE), arr(rfc8291::AS_PUBLIC));
    let signing = block_on(RustCrypto.import_signing_key(&private, &public)).expect("RFC 8291 sender key signs");
    let now = 1_700_000_000;
    let claims = Claims::new("https://fcm.googleapis.com/fcm/send/abc", "mailto:ops@example.com", now).expect("claims");
    assert_eq!(claims.exp, now + webpush::MAX_EXP_SECONDS);
    let jwt = block_on(webpush::sign_jwt(&RustCrypto, &signing, &claims)).expect("signs");
    assert!(jwt.starts_with(&format!("{}.", vapid::header_segment())));
    assert_eq!(webpush::verify_jwt(&jwt, &public, now), Ok(claims.clone()));
    assert_eq!(webpush::verify_jwt(&jwt, &public, claims.exp), Err(VapidError::Expired), "expired");
    // Signed by another key: the RFC 8292 key, and the RFC 8291 receiver key.
    assert_eq!(webpush::verify_jwt(&jwt, &arr(rfc8292::K), now), Err(VapidError::Signature));
    let (ua_private, ua_public): ([u8; 32], [u8; 65]) = (arr(rfc8291::UA_PRIVATE), arr(rfc8291::UA_PUBLIC));
    let other = block_on(RustCrypto.import_signing_key(&ua_private, &ua_public)).expect("key");
    let other_jwt = block_on(webpush::sign_jwt(&RustCrypto, &other, &claims)).expect("signs");
    assert_eq!(webpush::verify_jwt(&other_jwt, &public, now), Err(VapidError::Signature));
    assert_eq!(webpush::verify_jwt(&other_jwt, &ua_public, now), Ok(claims.clone()));
    // The header carries the key as base64url.
    let header = webpush::authorization(&jwt, &B64URL.encode(public));
    let (t, k) = webpush::parse_authorization(&header).expect("parses");
    assert_eq!(webpush::verify_jwt(&t, &arr(&k), now), Ok(claims));
}

#[test]
fn mismatched_or_invalid_keys_are_refused() {
    let (as_private, ua_public): ([u8; 32], [u8; 65]) = (arr(rfc8291::AS_PRIVATE), arr(rfc8291::UA_PUBLIC));
    assert_eq!(block_on(RustCrypto.import_ecdh(&as_private, &ua_public)).err(), Some(CryptoError::InvalidKey));
    assert_eq!(block_on(RustCrypto.import_signing_key(&as_private, &ua_public)).err(), Some(CryptoError::InvalidKey));
    assert_eq!(block_on(RustCrypto.import_ecdh(&[0; 32], &ua_public)).err(), Some(CryptoError::InvalidKey));
    assert_eq!(block_on(RustCrypto.import_signing_key(&[0xff; 32], &ua_public)).err(), Some(CryptoError::InvalidKey));
    let mut off_curve = ua_public;
    off_curve[64] ^= 1;
    assert_eq!(block_on(RustCrypto.ecdh(&sender(), &off_curve)), Err(CryptoError::InvalidKey));
    assert_eq!(block_on(RustCrypto.ecdh(&sender(), &[0; 65])), Err(CryptoError::InvalidKey));
    assert_eq!(vapid::verify_jwt(rfc8292::JWT, &off_curve, rfc8292::EXP - 60), Err(VapidError::PublicKey));
}
