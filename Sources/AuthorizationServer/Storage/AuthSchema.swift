/// The authorization store's tables, written once for every database it
/// runs on, so SQLite and PostgreSQL cannot drift apart.
///
/// Each step runs once, in order; a store's version table records how far
/// a database has come, so a step is never edited once released: a change
/// is a new step. One statement per entry, as PostgreSQL's extended query
/// protocol takes one at a time.
enum AuthSchema {
    /// The column types that differ between databases.
    struct Dialect {
        var integer: String
        var bytes: String

        static let sqlite = Dialect(integer: "INTEGER", bytes: "BLOB")
        static let postgres = Dialect(integer: "BIGINT", bytes: "BYTEA")
    }

    static func migrations(_ dialect: Dialect) -> [[String]] {
        let integer = dialect.integer
        let bytes = dialect.bytes
        return [
            [
                """
                CREATE TABLE clients (
                    client_id TEXT PRIMARY KEY, origin TEXT NOT NULL, name TEXT, redirect_uris TEXT NOT NULL,
                    token_endpoint_auth_method TEXT NOT NULL, grant_types TEXT NOT NULL, client_uri TEXT, logo_uri TEXT,
                    scope TEXT, issued_at \(integer), secret_hash TEXT
                )
                """,
                """
                CREATE TABLE grants (
                    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, subject TEXT NOT NULL, scopes TEXT NOT NULL,
                    resource TEXT NOT NULL, claims TEXT NOT NULL, created_at \(integer) NOT NULL, revoked_at \(integer)
                )
                """,
                "CREATE INDEX grants_subject ON grants (subject)",
                "CREATE INDEX grants_client ON grants (client_id)",
                """
                CREATE TABLE codes (
                    hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, code_challenge TEXT NOT NULL,
                    resource TEXT NOT NULL, scopes TEXT NOT NULL, subject TEXT NOT NULL, claims TEXT NOT NULL,
                    expires_at \(integer) NOT NULL, used_at \(integer), grant_id TEXT
                )
                """,
                """
                CREATE TABLE refresh_tokens (
                    hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL REFERENCES grants (id), expires_at \(integer) NOT NULL,
                    rotated_at \(integer)
                )
                """,
                "CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id)",
                "CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, sealed_private_key \(bytes) NOT NULL, created_at \(integer) NOT NULL)",
            ],
            [
                """
                CREATE TABLE pending_authorizations (
                    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, state TEXT, code_challenge TEXT NOT NULL,
                    resource TEXT NOT NULL, scopes TEXT NOT NULL, csrf_hash TEXT NOT NULL, created_at \(integer) NOT NULL,
                    expires_at \(integer) NOT NULL, upstream_state_hash TEXT UNIQUE, nonce TEXT, upstream_verifier TEXT,
                    approved_at \(integer), taken_at \(integer)
                )
                """
            ],
            [
                "CREATE TABLE upstream_tokens (subject TEXT PRIMARY KEY, sealed \(bytes) NOT NULL, updated_at \(integer) NOT NULL)"
            ],
            [
                """
                CREATE TABLE user_credentials (
                    subject TEXT NOT NULL, connector TEXT NOT NULL, kind TEXT NOT NULL, sealed \(bytes) NOT NULL,
                    version \(integer) NOT NULL, updated_at \(integer) NOT NULL, PRIMARY KEY (subject, connector)
                )
                """,
                """
                CREATE TABLE link_flows (
                    id TEXT PRIMARY KEY, subject TEXT NOT NULL, connector TEXT NOT NULL, elicitation_id TEXT NOT NULL,
                    created_at \(integer) NOT NULL, expires_at \(integer) NOT NULL, opened_at \(integer), state_hash TEXT UNIQUE,
                    data TEXT NOT NULL, finished_at \(integer)
                )
                """,
                "CREATE INDEX link_flows_expiry ON link_flows (expires_at)",
            ],
            [
                """
                CREATE TABLE answer_parts (
                    id TEXT PRIMARY KEY, subject TEXT NOT NULL, sealed \(bytes) NOT NULL, expires_at \(integer) NOT NULL
                )
                """,
                "CREATE INDEX answer_parts_expiry ON answer_parts (expires_at)",
            ],
        ]
    }
}
