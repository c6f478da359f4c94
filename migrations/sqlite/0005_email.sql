-- The email channel (docs/email.md): routes (SMTP relays and maildir folders), DKIM keys,
-- administrator rules for classifying SMTP replies and bounces, and the bounces and complaints
-- received (from the IMAP mailbox or the webhook). Secrets are sealed with the installation's
-- secret key (security.secret_key_file), never stored in clear. Times are Unix milliseconds.
CREATE TABLE email_routes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    label       TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('smtp', 'maildir')),
    settings    TEXT    NOT NULL,  -- JSON: the kind's settings, without the password
    secret      TEXT,              -- the sealed SMTP password, if any
    is_default  BOOLEAN NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    modified_at BIGINT  NOT NULL,
    modified_by TEXT    NOT NULL
);
CREATE UNIQUE INDEX email_routes_one_default ON email_routes(is_default) WHERE is_default;

CREATE TABLE dkim_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    domain      TEXT    NOT NULL,  -- A-label, lower case
    selector    TEXT    NOT NULL,
    algorithm   TEXT    NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
    bits        INTEGER NOT NULL,
    public_key  TEXT    NOT NULL,  -- the p= value of the DNS record
    private_key TEXT    NOT NULL,  -- sealed PKCS#8 PEM
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    UNIQUE (domain, selector)
);

-- Tried in position order before the built-in rules; the first rule that matches decides.
CREATE TABLE bounce_rules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    position      INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    code          INTEGER NOT NULL DEFAULT 0,   -- 0 any, 2..5 a class, else an exact code
    status_prefix TEXT    NOT NULL DEFAULT '',  -- enhanced status code prefix, '' any
    text_pattern  TEXT    NOT NULL DEFAULT '',  -- RE2, case-insensitive, '' any
    outcome       TEXT    NOT NULL CHECK (outcome IN ('sent', 'soft', 'hard', 'ignored', 'route')),
    reason        TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    created_by    TEXT    NOT NULL
);

-- Asynchronous bounces and complaints as received and classified. delivery_id and
-- recipient_id come from our Message-ID or VERP address (null when the report did not name one
-- of our messages); applied_at is set once the sending log and the quarantine have taken the
-- event into account (deliveries, docs/email.md).
CREATE TABLE bounce_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at   BIGINT  NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('imap', 'webhook')),
    kind          TEXT    NOT NULL CHECK (kind IN ('bounce', 'complaint')),
    delivery_id   BIGINT,
    recipient_id  BIGINT,
    recipient     TEXT    NOT NULL DEFAULT '',
    action        TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT '',
    diagnostic    TEXT    NOT NULL DEFAULT '',
    feedback_type TEXT    NOT NULL DEFAULT '',
    message_id    TEXT    NOT NULL DEFAULT '',
    outcome       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    external_id   TEXT,               -- the sender's event id (webhook "id"): a retry is a no-op
    applied_at    BIGINT
);
CREATE UNIQUE INDEX bounce_events_external_idx ON bounce_events(external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX bounce_events_unapplied_idx ON bounce_events(id) WHERE applied_at IS NULL;
CREATE INDEX bounce_events_delivery_idx ON bounce_events(delivery_id, recipient_id);
