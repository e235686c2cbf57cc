"""Lesson 11's tokens, fluid model, benchmarks (small runs, nothing left behind after success, an exception or
Ctrl-C) and view computations, against hand-computed values."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from scalelab import tokens  # noqa: E402


# ------------------------------------------------------------------------------------------------------ tokens
def test_a_token_verifies_under_its_key_only():
    token = tokens.sign({"user": "u1", "items": 3}, "k")
    assert tokens.verify(token, "k") == {"user": "u1", "items": 3}
    assert tokens.verify(token, b"k") == {"user": "u1", "items": 3}
    assert tokens.verify(token, "other") is None
    payload, signature = token.split(".")
    other = tokens.sign({"user": "u1", "items": 30}, "k").split(".")[0]
    assert tokens.verify(f"{other}.{signature}", "k") is None       # payload changed, old signature
    assert tokens.verify(f"{payload}.{signature[:-2]}AA", "k") is None
    assert tokens.verify("not a token", "k") is None and tokens.verify(None, "k") is None
    with pytest.raises(ValueError, match="key"):
        tokens.sign({}, "")
    with pytest.raises(ValueError, match="session"):
        tokens.sign([1], "k")


def test_a_token_is_the_hmac_of_its_payload():
    import base64
    import hashlib
    import hmac

    token = tokens.sign({"a": 1}, "secret")
    payload, signature = token.split(".")
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == b'{"a":1}'
    expected = base64.urlsafe_b64encode(hmac.new(b"secret", payload.encode(), hashlib.sha256).digest()).rstrip(b"=")
    assert signature == expected.decode()
