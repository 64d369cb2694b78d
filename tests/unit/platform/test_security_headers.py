"""The security headers as a pure function of the nonce, the path and the mode."""

from __future__ import annotations

from marketplace.web.headers import content_security_policy, security_headers


def test_hsts_is_sent_only_in_production() -> None:
    names = {name for name, _ in security_headers("n", "/", production=True)}
    assert b"strict-transport-security" in names
    names = {name for name, _ in security_headers("n", "/", production=False)}
    assert b"strict-transport-security" not in names


def test_pages_allow_only_their_own_scripts_and_the_nonce() -> None:
    policy = content_security_policy("abc", "/call-offs")
    assert "script-src 'self' 'nonce-abc'" in policy
    assert "style-src 'self';" in policy
    assert "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy


def test_only_the_api_documentation_page_may_run_swagger_inline() -> None:
    assert "'unsafe-inline'" in content_security_policy("abc", "/api/docs")
    assert "'unsafe-inline'" not in content_security_policy("abc", "/api/v1/docs-like")
