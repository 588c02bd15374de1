# Run: python3 -m venv /tmp/v && /tmp/v/bin/pip install botocore && /tmp/v/bin/python tests/vectors/sigv4_botocore.py
# Prints the canonical requests and signatures that src/email/tests.rs expects (VECTORS).
# Cross-check of src/email/sigv4.rs with botocore's SigV4Auth (an independent implementation).
import datetime, json
from unittest import mock
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
fixed = datetime.datetime(2015, 8, 30, 12, 36, 0)
cases = [
  ("get-vanilla", "GET", "https://example.amazonaws.com/", {}, b""),
  ("get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", {}, b""),
  ("get-vanilla-query-unreserved", "GET", "https://example.amazonaws.com/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, b""),
  ("get-utf8", "GET", "https://example.amazonaws.com/\u1234", {}, b""),
  ("get-vanilla-utf8-query", "GET", "https://example.amazonaws.com/?%E1%88%B4=bar", {}, b""),
  ("get-space-encoded-path", "GET", "https://example.amazonaws.com/example%20space/", {}, b""),
  ("post-vanilla", "POST", "https://example.amazonaws.com/", {}, b""),
  ("post-x-www-form-urlencoded", "POST", "https://example.amazonaws.com/", {"Content-Type": "application/x-www-form-urlencoded"}, b"Param1=value1"),
  ("post-header-value-trim", "POST", "https://example.amazonaws.com/", {"My-Header1": " value1", "My-Header2": ' "a   b   c"'}, b""),
  ("ses-send-email-port", "POST", "http://127.0.0.1:4566/v2/email/outbound-emails", {"Content-Type": "application/json"}, '{"FromEmailAddress":"é <a@b.co>"}'.encode()),
]
out = []
for name, method, url, headers, body in cases:
    req = AWSRequest(method=method, url=url, headers=headers, data=body)
    auth = SigV4Auth(creds, "service" if not name.startswith("ses") else "ses", "us-east-1")
    with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
        auth.add_auth(req)
    del req.headers["Authorization"]
    cr = auth.canonical_request(req)
    sts = auth.string_to_sign(req, cr)
    req.headers["Authorization"] = "x"; del req.headers["Authorization"]
    out.append({"name": name, "method": method, "url": url, "headers": headers, "body": body.decode(),
                "canonical_request": cr, "string_to_sign": sts, "signature": auth.signature(sts, req)})
print(json.dumps(out, indent=1, ensure_ascii=False))
