#!/usr/bin/env python3
"""Provision a fresh glewlwyd instance via its admin REST API (stdlib only).

Creates: scopes mcp, tickets:read, tickets:write; users alice/bob; OIDC plugin 'oidc'
(RS256 JWT access tokens, PKCE, RFC 8707 resource, DCR, introspection/revocation,
client_credentials); a pre-registered public client and a confidential client.
With --upstream-redirect URI (repeatable), also the confidential client 'gatehouse-upstream' that the
gateway, as its own authorization server, uses to sign people in here (authorization code + PKCE,
client_secret_basic or client_secret_post). With --linked-redirect URI (repeatable), also 'crm-linked':
the gateway's client at a service whose accounts users link (code + PKCE + refresh, scope tickets:read). ID tokens always carry email, name and groups (a
multi-valued user property), and email_verified when the user has it: alice's address is verified,
bob's is not (as for users an administrator creates), carol's is and she is in 401 groups (an ID token
of about 23 KiB). Writes STATE/info.json with everything a test needs.
"""
import argparse, json, http.cookiejar, sys, urllib.request, urllib.error

ap = argparse.ArgumentParser()
ap.add_argument("--port", required=True, type=int)
ap.add_argument("--resource", required=True)
ap.add_argument("--state", required=True)
ap.add_argument("--upstream-redirect", action="append", default=[], metavar="URI",
                help="redirect URI of the gatehouse-upstream client (repeatable; the client is made only if given)")
ap.add_argument("--linked-redirect", action="append", default=[], metavar="URI",
                help="redirect URI of the crm-linked client, a service users link their account at (repeatable)")
a = ap.parse_args()

BASE = f"http://127.0.0.1:{a.port}"
API = BASE + "/api"
ISS = f"{BASE}/api/oidc"
RES = a.resource
SCOPES = ["mcp", "tickets:read", "tickets:write"]
OIDC_SCOPES = ["email", "profile"]   # standard OIDC scopes a relying party asks for besides openid
USERS = {
    "alice": {"password": "alice-password", "email": "alice@example.test", "name": "Alice",
              "groups": ["engineering", "gatehouse-admins"], "email_verified": "1",
              "scope": ["openid", "g_profile", "mcp", "tickets:read", "tickets:write"] + OIDC_SCOPES},
    "bob": {"password": "bob-password", "email": "bob@example.test", "name": "Bob",
            "groups": ["engineering"], "email_verified": "0",
            "scope": ["openid", "g_profile", "mcp", "tickets:read"] + OIDC_SCOPES},
    "carol": {"password": "carol-password", "email": "carol@example.test", "name": "Carol",
              "groups": [f"cn=team-{i:03d},ou=groups,dc=example,dc=test" for i in range(400)] + ["gatehouse-admins"],
              "email_verified": "1",
              "scope": ["openid", "g_profile", "mcp", "tickets:read", "tickets:write"] + OIDC_SCOPES},
}
PUBLIC_CLIENT = "mcp-test-public"
CONF_CLIENT, CONF_SECRET = "mcp-test-service", "mcp-test-service-secret"
UPSTREAM_CLIENT, UPSTREAM_SECRET = "gatehouse-upstream", "gatehouse-upstream-secret"
LINKED_CLIENT, LINKED_SECRET = "crm-linked", "crm-linked-secret"

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def call(method, path, body=None, ok=(200,)):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with opener.open(req) as r:
            status, txt = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, txt = e.code, e.read().decode()
    if status not in ok:
        sys.exit(f"{method} {path} -> {status}: {txt}")
    return json.loads(txt) if txt.strip().startswith(("{", "[")) else txt

key = open(f"{a.state}/sign.key").read()
pub = open(f"{a.state}/sign.pub").read()

call("POST", "/auth/", {"username": "admin", "password": "password"})

for s in SCOPES + OIDC_SCOPES:
    call("POST", "/scope/", {"name": s, "display_name": s,
                             "description": f"MCP test scope {s}" if s in SCOPES else f"OpenID Connect {s} claims",
                             "password_required": True, "password_max_age": 0, "scheme": {}})

# The database user backend stores only the properties named in its data-format: add 'groups'
# (multi-valued), which the OIDC plugin below puts into ID tokens as the 'groups' claim.
users_module = call("GET", "/mod/user/database")
users_module["parameters"].setdefault("data-format", {})["groups"] = {
    "multiple": True, "read": True, "write": True, "profile-read": True, "profile-write": False}
users_module["parameters"]["data-format"]["email_verified"] = {
    "multiple": False, "read": True, "write": True, "profile-read": True, "profile-write": False}
call("PUT", "/mod/user/database", {k: users_module[k] for k in
                                  ("module", "name", "display_name", "order", "parameters", "readonly")
                                  if k in users_module})
call("PUT", "/mod/user/database/reset")   # the running instance re-reads its parameters

for u, d in USERS.items():
    call("POST", "/user/", {"username": u, "name": d["name"], "email": d["email"], "groups": d["groups"],
                            "email_verified": d["email_verified"], "password": d["password"], "scope": d["scope"],
                            "enabled": True})

plugin = {
    "module": "oidc", "name": "oidc", "display_name": "OIDC", "enabled": True,
    "parameters": {
        "iss": ISS,
        "jwt-type": "rsa", "jwt-key-size": "256", "key": key, "cert": pub,   # RS256
        "jwks-show": True,
        "access-token-duration": 3600, "refresh-token-duration": 1209600, "code-duration": 600,
        "refresh-token-rolling": True,
        "allow-non-oidc": True,                  # plain OAuth2 requests without 'openid' scope
        "auth-type-code-enabled": True, "auth-type-code-revoke-replayed": False,
        "auth-type-token-enabled": False, "auth-type-id-token-enabled": True,
        "auth-type-none-enabled": False, "auth-type-password-enabled": False,
        "auth-type-client-enabled": True,        # client_credentials grant
        "auth-type-device-enabled": False, "auth-type-refresh-enabled": True,
        "subject-type": "public",
        "allowed-scope": ["openid"] + OIDC_SCOPES + SCOPES,   # only used for discovery 'scopes_supported'
        "pkce-allowed": True, "pkce-method-plain-allowed": False, "pkce-required": True,
        # access token 'email' claim from the user's email property
        "additional-parameters": [{"user-parameter": "email", "token-parameter": "email"},
                                  {"user-parameter": "username", "token-parameter": "username"}],
        # ID token / userinfo claims: email and name always; groups from the user property
        "email-claim": "mandatory", "name-claim": "mandatory",
        "email-claim-scope": ["email"], "name-claim-scope": ["profile"],
        "claims": [{"name": "groups", "user-property": "groups", "type": "string",
                    "boolean-value-true": "", "boolean-value-false": "",
                    "mandatory": True, "on-demand": True, "scope": []},
                   # "1" / "0" in the user property becomes true / false in the ID token
                   {"name": "email_verified", "user-property": "email_verified", "type": "boolean",
                    "boolean-value-true": "1", "boolean-value-false": "0",
                    "mandatory": True, "on-demand": False, "scope": []}],
        # RFC 8707: resource parameter -> aud; the MCP URL is allowed for every custom scope
        "resource-allowed": True,
        "resource-scope": {s: [RES] for s in SCOPES + ["openid"] + OIDC_SCOPES},
        "resource-client-property": "resource",
        "resource-scope-and-client-property": False,
        "resource-change-allowed": False,
        # RFC 7662 / 7009
        "introspection-revocation-allowed": True,
        "introspection-revocation-allow-target-client": True,
        "introspection-revocation-auth-scope": [],
        # RFC 7591 open registration (no initial access token)
        "register-client-allowed": True,
        "register-client-auth-scope": [],
        "register-client-credentials-scope": [],
        "register-client-management-allowed": False,
        "register-resource-specify-allowed": False,
        "register-resource-default": [RES],
    },
}
call("POST", "/mod/plugin/", plugin)

# Pre-registered public client (any loopback port is NOT wildcarded: list the exact redirect URIs)
redirects = [f"http://127.0.0.1:{p}/callback" for p in (8765, 33418)] + ["http://localhost:8765/callback"]
call("POST", "/client/", {"client_id": PUBLIC_CLIENT, "name": "MCP test public client",
                          "confidential": False, "enabled": True, "redirect_uri": redirects,
                          "authorization_type": ["code", "refresh_token"],
                          "token_endpoint_auth_method": ["none"], "resource": [RES]})
# Confidential client for client_credentials / introspection
call("POST", "/client/", {"client_id": CONF_CLIENT, "name": "MCP test service client",
                          "confidential": True, "enabled": True, "client_secret": CONF_SECRET,
                          "redirect_uri": [], "scope": ["mcp", "tickets:read"],
                          "authorization_type": ["client_credentials"],
                          "token_endpoint_auth_method": ["client_secret_basic", "client_secret_post"],
                          "resource": [RES]})

# The gateway's own client here, for its upstream OpenID Connect sign-in (browser flow)
if a.upstream_redirect:
    call("POST", "/client/", {"client_id": UPSTREAM_CLIENT, "name": "Gatehouse (upstream sign-in)",
                              "confidential": True, "enabled": True, "client_secret": UPSTREAM_SECRET,
                              "redirect_uri": a.upstream_redirect,
                              "scope": ["openid"] + OIDC_SCOPES + SCOPES,
                              "authorization_type": ["code", "refresh_token"],
                              "token_endpoint_auth_method": ["client_secret_basic", "client_secret_post"]})

# The gateway's client at a service whose accounts users link (authorization code + PKCE, refresh)
if a.linked_redirect:
    call("POST", "/client/", {"client_id": LINKED_CLIENT, "name": "Example CRM (linked accounts)",
                              "confidential": True, "enabled": True, "client_secret": LINKED_SECRET,
                              "redirect_uri": a.linked_redirect, "scope": ["tickets:read"],
                              "authorization_type": ["code", "refresh_token"],
                              "token_endpoint_auth_method": ["client_secret_basic", "client_secret_post"]})

info = {
    "base": BASE, "issuer": ISS, "resource": RES,
    "openid_configuration": f"{ISS}/.well-known/openid-configuration",
    "jwks_uri": f"{ISS}/jwks", "authorization_endpoint": f"{ISS}/auth",
    "token_endpoint": f"{ISS}/token", "registration_endpoint": f"{ISS}/register",
    "introspection_endpoint": f"{ISS}/introspect", "login_endpoint": f"{API}/auth/",
    "login_page": f"{BASE}/login.html",   # the web login and grant pages (a browser's way in)
    "grant_endpoint": f"{API}/auth/grant/{{client_id}}",
    "users": {u: {"password": d["password"], "email": d["email"], "name": d["name"], "groups": d["groups"],
                  "scope": [s for s in d["scope"] if s in SCOPES]}
              for u, d in USERS.items()},
    "public_client": {"client_id": PUBLIC_CLIENT, "redirect_uris": redirects},
    "confidential_client": {"client_id": CONF_CLIENT, "client_secret": CONF_SECRET},
    "admin": {"username": "admin", "password": "password"},
}
if a.upstream_redirect:
    info["upstream_client"] = {"client_id": UPSTREAM_CLIENT, "client_secret": UPSTREAM_SECRET,
                               "redirect_uris": a.upstream_redirect}
if a.linked_redirect:
    info["linked_client"] = {"client_id": LINKED_CLIENT, "client_secret": LINKED_SECRET, "redirect_uris": a.linked_redirect}
json.dump(info, open(f"{a.state}/info.json", "w"), indent=2)
print(json.dumps(info, indent=2))
