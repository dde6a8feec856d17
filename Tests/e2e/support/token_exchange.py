"""A token endpoint for the exchanges no packaged server here implements:
RFC 8693 token exchange and Microsoft Entra's on-behalf-of (jwt-bearer with
requested_token_use=on_behalf_of). glewlwyd, the provider the other tests
use, has neither, and no packaged server here does, so this is the smallest
endpoint that follows both specifications: it authenticates its client
(client_secret_basic or client_secret_post), checks the grant's parameters,
verifies the subject token as a JWT signed by glewlwyd (RS256 against its
JWKS, not expired), and issues an opaque token it remembers, so a test
upstream can ask whom a token was issued for.

    sts = ExchangeServer(client_id, client_secret, jwks_url).start()
    sts.token_url, sts.exchanges, sts.who(token)
"""

import base64
import http.server
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request

from support.loopback import LoopbackServer, answer

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"


class ExchangeServer(LoopbackServer):
    def __init__(self, client_id: str, client_secret: str, jwks_url: str, expires_in: int = 3600):
        self.client_id, self.client_secret = client_id, client_secret
        self.jwks_url = jwks_url
        self.expires_in = expires_in
        self.exchanges: list[dict] = []     # one entry per token issued
        self.issued: dict[str, dict] = {}   # token -> what it was issued for
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(handler):
                length = int(handler.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(handler.rfile.read(length).decode()))
                status, body = server.handle_form(form, handler.headers.get("Authorization"))
                answer(handler, status, "application/json", json.dumps(body).encode(), Cache_Control="no-store")

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.token_url = f"http://127.0.0.1:{self.server_address[1]}/token"


    def who(self, token: str) -> dict | None:
        with self.lock:
            return self.issued.get(token)

    # RFC 6749 §2.3.1 client authentication, then the grant.
    def handle_form(self, form: dict, authorization: str | None) -> tuple[int, dict]:
        client = None
        if authorization and authorization.startswith("Basic "):
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            client = (urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password))
        elif "client_id" in form:
            client = (form.get("client_id"), form.get("client_secret"))
        if client != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = form.get("grant_type")
        if grant == TOKEN_EXCHANGE:
            subject_token = form.get("subject_token")
            if not subject_token or form.get("subject_token_type") not in (ACCESS_TOKEN_TYPE, JWT_TYPE):
                return 400, {"error": "invalid_request", "error_description": "subject_token and its type are required"}
            if "actor_token" in form:
                return 400, {"error": "invalid_request", "error_description": "delegation is not supported"}
            target = {"audience": form.get("audience"), "resource": form.get("resource"), "scope": form.get("scope"),
                      "requested_token_type": form.get("requested_token_type") or ACCESS_TOKEN_TYPE}
        elif grant == JWT_BEARER:
            subject_token = form.get("assertion")
            if form.get("requested_token_use") != "on_behalf_of" or not subject_token or not form.get("scope"):
                return 400, {"error": "invalid_request", "error_description": "assertion, scope and requested_token_use=on_behalf_of are required"}
            target = {"scope": form.get("scope"), "on_behalf_of": True}
        else:
            return 400, {"error": "unsupported_grant_type"}
        subject = self.verify(subject_token)
        if subject is None:
            return 400, {"error": "invalid_grant", "error_description": "the subject token is not active"}
        token = "xchg-" + secrets.token_urlsafe(24)
        record = {"subject": subject, "grant": grant, **target}
        with self.lock:
            self.exchanges.append(record)
            self.issued[token] = record
        answer = {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        if grant == TOKEN_EXCHANGE:
            answer["issued_token_type"] = ACCESS_TOKEN_TYPE
        return 200, answer

    def verify(self, token: str) -> str | None:
        """The subject of a current RS256 JWT signed with one of glewlwyd's keys."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        def b64(part: str) -> bytes:
            return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

        try:
            header_part, payload_part, signature_part = token.split(".")
            header, claims = json.loads(b64(header_part)), json.loads(b64(payload_part))
            with urllib.request.urlopen(self.jwks_url, timeout=10) as response:
                keys = json.loads(response.read())["keys"]
            key = next(k for k in keys if k.get("kid") == header.get("kid") or len(keys) == 1)
            public = rsa.RSAPublicNumbers(int.from_bytes(b64(key["e"]), "big"), int.from_bytes(b64(key["n"]), "big")).public_key()
            public.verify(b64(signature_part), f"{header_part}.{payload_part}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return None
        if header.get("alg") != "RS256" or claims.get("exp", 0) < time.time():
            return None
        return claims.get("sub")
