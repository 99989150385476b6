"""A local stand-in for Microsoft's identity services, over HTTPS with a private CA.

Both ends of the Bot Framework's authentication, on 127.0.0.1 and made in the test:
- inbound: an OpenID metadata document and its JWKS, with a freshly generated RSA key that
  signs the tokens :meth:`IdentityDouble.token` mints for the Bot Connector's activities;
- outbound: a token endpoint (behind the OpenID configuration MSAL reads) that gives the bot an
  access token for its client credentials, and records each request.

MSAL takes only ``https`` authorities, so the service speaks TLS with a certificate from a CA
generated here; :meth:`IdentityDouble.trust` puts the CA where ``requests`` looks
(``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE``). No key is written anywhere but a test's tmp dir.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

APP_ID = "00000000-0000-0000-0000-0000000a99id"
APP_PASSWORD = "a-client-secret"  # the double's own
TENANT_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.test"
OAUTH_SCOPE = "https://api.botframework.test"
KEY_ID = "okrbot-test-key-1"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(
    subject: str, key: rsa.RSAPrivateKey, issuer: x509.Certificate | None, signer: Any
) -> x509.Certificate:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer is not None else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
    )
    if issuer is None:  # the CA
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    else:
        loopback = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
        alternatives = [x509.DNSName("localhost"), loopback]
        builder = builder.add_extension(x509.SubjectAlternativeName(alternatives), False)
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    return builder.sign(signer, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    """The public half of a key as the Bot Framework publishes it, endorsed for Teams."""
    public = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "kid": kid,
        "n": _b64(public.n),
        "e": _b64(public.e),
        "endorsements": ["msteams"],
    }


@dataclass
class IdentityDouble:
    folder: Path
    signing_key: rsa.RSAPrivateKey = field(default_factory=_key)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    _server: TestServer | None = None
    _numbers: count[int] = field(default_factory=lambda: count(1))

    async def start(self) -> IdentityDouble:
        ca_key, server_key = _key(), _key()
        ca = _certificate("okrbot test CA", ca_key, None, ca_key)
        leaf = _certificate("127.0.0.1", server_key, ca, ca_key)
        self.ca_file.write_bytes(_pem(ca))
        chain, key_file = self.folder / "server.pem", self.folder / "server-key.pem"
        chain.write_bytes(_pem(leaf) + _pem(ca))
        key_file.write_bytes(
            server_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain, key_file)
        app = web.Application()
        app.router.add_get("/botframework/openid", self._metadata)
        app.router.add_get("/botframework/keys", self._keys)
        app.router.add_get(f"/{TENANT_ID}/v2.0/.well-known/openid-configuration", self._login)
        app.router.add_post(f"/{TENANT_ID}/oauth2/v2.0/token", self._token)
        self._server = TestServer(app, host="127.0.0.1", scheme="https")
        await self._server.start_server(ssl=context)
        # botframework keeps each metadata URL's keys in a process-wide cache for up to an
        # hour: on a port an earlier double had used, this one's tokens would be checked
        # against that double's key and refused (401) now and then.
        JwtTokenExtractor.metadataCache.pop(
            self.settings()["bot_framework_openid_metadata_url"], None
        )
        return self

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.port}"

    def trust(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Make ``requests`` (botframework, MSAL) trust this double's private CA."""
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(self.ca_file))
        monkeypatch.setenv("SSL_CERT_FILE", str(self.ca_file))

    def settings(self) -> dict[str, str]:
        """Settings that point okrbot's Teams host at this double, with the bot's identity."""
        return {
            "microsoft_app_id": APP_ID,
            "microsoft_app_password": APP_PASSWORD,
            "microsoft_app_type": "SingleTenant",
            "microsoft_app_tenant_id": TENANT_ID,
            "bot_framework_openid_metadata_url": f"{self.base}/botframework/openid",
            "bot_framework_token_issuer": ISSUER,
            "bot_framework_login_url": f"{self.base}/{TENANT_ID}",
            "bot_framework_oauth_scope": OAUTH_SCOPE,
        }

    def token(
        self,
        service_url: str,
        *,
        issuer: str = ISSUER,
        audience: str = APP_ID,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KEY_ID,
        lifetime: int = 3600,
    ) -> str:
        """A Bot Connector's token for one activity; each part may be made wrong."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + lifetime,
        }
        signer = key if key is not None else self.signing_key
        return jwt.encode(claims, signer, algorithm="RS256", headers={"kid": kid})

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    async def _metadata(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "authorization_endpoint": f"{self.base}/botframework/authorize",
                "jwks_uri": f"{self.base}/botframework/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk(self.signing_key, KEY_ID)]})

    async def _login(self, _request: web.Request) -> web.Response:
        tenant = f"{self.base}/{TENANT_ID}"
        return web.json_response(
            {
                "issuer": f"{tenant}/v2.0",
                "authorization_endpoint": f"{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{tenant}/oauth2/v2.0/token",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (APP_ID, APP_PASSWORD):
            return web.json_response(
                {"error": "invalid_client", "error_description": "unknown client"}, status=401
            )
        access = f"outbound-token-{next(self._numbers)}"
        self.issued.append(access)
        body = {"token_type": "Bearer", "expires_in": 3600, "access_token": access}
        return web.Response(text=json.dumps(body), content_type="application/json")
