"""Signed session tokens (lesson 11): the client keeps its session, the server keeps only a key.

A token is ``<payload>.<signature>``: the payload is the session as compact JSON, base64url-encoded; the signature
is HMAC-SHA256 of the payload under the server's key, base64url-encoded. Any worker holding the key can check that
the client did not change a byte, so no worker needs to remember anything between requests. The payload is
signed, not encrypted: the client can read it, so it holds nothing secret.
"""
import base64
import hashlib
import hmac
import json


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(key):
    if isinstance(key, str):
        key = key.encode()
    if not isinstance(key, bytes) or not key:
        raise ValueError("key must be a non-empty str or bytes")
    return key


def sign(session, key):
    """A token holding ``session`` (a dict of JSON values), signed with ``key`` (str or bytes)."""
    if not isinstance(session, dict):
        raise ValueError(f"session must be a dict, got {type(session).__name__}")
    payload = _b64(json.dumps(session, sort_keys=True, separators=(",", ":")).encode())
    signature = hmac.new(_key(key), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(signature)}"


def verify(token, key):
    """The session a token holds if its signature is right under ``key``, else None (tampered, forged, garbled).
    The comparison takes the same time wherever the signatures differ (``hmac.compare_digest``)."""
    key = _key(key)
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        session = json.loads(_unb64(payload))
    except ValueError:
        return None
    return session if isinstance(session, dict) else None
