//! The one thing SNS verification needs from an X.509 certificate: its SubjectPublicKeyInfo,
//! found by a minimal DER walk (no certificate parser in the wasm: a few dozen bytes of code
//! instead of a crate). The certificate itself comes over HTTPS from an SNS host.

use base64::Engine;

/// One DER element at the start of `der`: `(tag, header + content, content, rest of der)`.
type Element<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

fn element(der: &[u8]) -> Option<Element<'_>> {
    let (&tag, rest) = der.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    let header = der.len() - rest.len();
    Some((tag, &der[..header + len], &rest[..len], &rest[len..]))
}

/// The DER SubjectPublicKeyInfo of a DER certificate.
pub fn spki(cert: &[u8]) -> Option<Vec<u8>> {
    const SEQUENCE: u8 = 0x30;
    let (tag, _, certificate, _) = element(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, _, tbs, _) = element(certificate)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs;
    // [0] version (optional), serialNumber, signature, issuer, validity, subject, then the SPKI.
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.3;
    }
    for expected in [0x02, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE] {
        let (tag, _, _, next) = element(rest)?;
        if tag != expected {
            return None;
        }
        rest = next;
    }
    let (tag, whole, _, _) = element(rest)?;
    (tag == SEQUENCE).then(|| whole.to_vec())
}

/// The SubjectPublicKeyInfo of the first certificate of a PEM document.
pub fn spki_from_pem(pem: &str) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let start = pem.find(BEGIN)? + BEGIN.len();
    let end = pem[start..].find("-----END CERTIFICATE-----")? + start;
    let b64: String = pem[start..end].chars().filter(|c| !c.is_whitespace()).collect();
    spki(&base64::engine::general_purpose::STANDARD.decode(b64).ok()?)
}
