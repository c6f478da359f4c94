-- The marketing database: the built-in resources of the data model registry
-- (src/schema/builtin.cpp), and the published custom model. Datetimes are ISO 8601 UTC text
-- ("2026-11-28T19:25:57.123Z"), dates "YYYY-MM-DD", booleans 0/1.
CREATE TABLE profiles (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at        TEXT    NOT NULL,
    modified_at       TEXT    NOT NULL,
    email             TEXT,
    email_domain      TEXT,
    mobile_phone      TEXT,
    phone             TEXT,
    salutation        TEXT,
    first_name        TEXT,
    last_name         TEXT,
    gender            TEXT,
    birth_date        TEXT,
    language          TEXT,
    time_zone         TEXT,
    address1          TEXT,
    address2          TEXT,
    address3          TEXT,
    postal_code       TEXT,
    city              TEXT,
    state_code        TEXT,
    country           TEXT,
    block_email       INTEGER NOT NULL DEFAULT 0,
    block_sms         INTEGER NOT NULL DEFAULT 0,
    block_push        INTEGER NOT NULL DEFAULT 0,
    block_direct_mail INTEGER NOT NULL DEFAULT 0,
    block_all         INTEGER NOT NULL DEFAULT 0,
    external_id       TEXT,
    created_by        TEXT,
    modified_by       TEXT
);
CREATE INDEX profiles_email_idx ON profiles(email);
CREATE UNIQUE INDEX profiles_external_id_key ON profiles(external_id);
CREATE INDEX profiles_mobile_phone_idx ON profiles(mobile_phone);

CREATE TABLE test_profiles (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      TEXT    NOT NULL,
    modified_at     TEXT    NOT NULL,
    label           TEXT,
    email           TEXT,
    mobile_phone    TEXT,
    first_name      TEXT,
    last_name       TEXT,
    country         TEXT,
    use_for_proof   INTEGER NOT NULL DEFAULT 0,
    use_for_trap    INTEGER NOT NULL DEFAULT 0,
    use_for_preview INTEGER NOT NULL DEFAULT 0,
    profile_id      INTEGER REFERENCES profiles(id) ON DELETE SET NULL
);

CREATE TABLE services (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    TEXT    NOT NULL,
    modified_at   TEXT    NOT NULL,
    name          TEXT,
    label         TEXT,
    public_label  TEXT,
    description   TEXT,
    channel       TEXT,
    validity_days INTEGER
);
CREATE UNIQUE INDEX services_name_key ON services(name);

CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT    NOT NULL,
    modified_at TEXT    NOT NULL,
    origin      TEXT,
    expires_at  TEXT,
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX subscriptions_service_profile_key ON subscriptions(service_id, profile_id);
CREATE INDEX subscriptions_profile_idx ON subscriptions(profile_id);

CREATE TABLE subscription_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT    NOT NULL,
    modified_at TEXT    NOT NULL,
    action      TEXT,
    origin      TEXT,
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE
);
CREATE INDEX subscription_history_profile_idx ON subscription_history(profile_id);
CREATE INDEX subscription_history_service_idx ON subscription_history(service_id);

CREATE TABLE quarantine (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at     TEXT    NOT NULL,
    modified_at    TEXT    NOT NULL,
    address        TEXT,
    channel        TEXT,
    status         TEXT,
    reason         TEXT,
    error_count    INTEGER,
    first_error_at TEXT,
    last_error_at  TEXT
);
CREATE UNIQUE INDEX quarantine_channel_address_key ON quarantine(channel, address);

-- The published custom model (one row per publish; the newest is in force) and what each
-- publish ran.
CREATE TABLE schema_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    published_at BIGINT  NOT NULL,
    published_by TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    statements   TEXT    NOT NULL
);
