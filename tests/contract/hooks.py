"""Schemathesis hooks for scripts/test-contract.sh (loaded through SCHEMATHESIS_HOOKS).

`/openapi.json` marks a subscription's `p256dh` with the custom format `p256dh`: base64url of an
uncompressed P-256 public key that lies on the curve. A regex can say the shape (the document's
`pattern` does) but not the curve, so without this strategy every generated key would be a
random point that the edge rightly refuses. Here valid keys are made from random scalars
(plain-Python P-256 arithmetic: no extra package).
"""

import base64

import schemathesis
from hypothesis import strategies as st

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
A = P - 3
G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)


def _add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % P == 0:
        return None
    if p == q:
        m = (3 * p[0] * p[0] + A) * pow(2 * p[1], -1, P) % P
    else:
        m = (q[1] - p[1]) * pow(q[0] - p[0], -1, P) % P
    x = (m * m - p[0] - q[0]) % P
    return x, (m * (p[0] - x) - p[1]) % P


def _public_key(k: int) -> str:
    result, addend = None, G
    while k:
        if k & 1:
            result = _add(result, addend)
        addend = _add(addend, addend)
        k >>= 1
    raw = b"\x04" + result[0].to_bytes(32, "big") + result[1].to_bytes(32, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


schemathesis.openapi.format("p256dh", st.integers(min_value=1, max_value=N - 1).map(_public_key))
