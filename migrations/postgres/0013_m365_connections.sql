-- A tenant's connection to Microsoft 365: the Entra app registration Rampart signs in as
-- to read the tenant's Secure Score from Microsoft Graph. The client secret is sealed
-- (AES-256-GCM, bound to the tenant) and never read back out to anyone.
CREATE TABLE m365_connections (
    tenant_id       TEXT        NOT NULL PRIMARY KEY REFERENCES tenants (id),
    directory_id    TEXT        NOT NULL,
    client_id       TEXT        NOT NULL,
    sealed_secret   TEXT        NOT NULL,
    write_back      BOOLEAN     NOT NULL DEFAULT FALSE,
    connected_by    TEXT        NOT NULL,
    connected_at    TIMESTAMPTZ NOT NULL,
    secret_set_at   TIMESTAMPTZ NOT NULL,
    last_attempt_at TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    last_error      TEXT
);
