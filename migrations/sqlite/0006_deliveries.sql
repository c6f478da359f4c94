-- Deliveries (docs/deliveries.md): the message, its audience and settings, the lifecycle state,
-- typologies (filtering, fatigue and control rules), the sending log with one row per recipient
-- (claimed by the sender under leases), and the proofs sent. Times are Unix milliseconds.
CREATE TABLE typologies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    label       TEXT    NOT NULL,
    rules       TEXT    NOT NULL,  -- JSON (docs/deliveries.md, "Typology rules")
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    modified_at BIGINT  NOT NULL,
    modified_by TEXT    NOT NULL
);
INSERT INTO typologies (name, label, rules, created_at, created_by, modified_at, modified_by)
VALUES ('default', 'Default typology', '{"fatigue":[],"filters":[],"requireProof":false}', 0,
        'system', 0, 'system');

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    label           TEXT    NOT NULL,
    channel         TEXT    NOT NULL DEFAULT 'email',
    is_template     BOOLEAN NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL,
    route_id        BIGINT  REFERENCES email_routes(id) ON DELETE SET NULL,
    typology_id     BIGINT  REFERENCES typologies(id) ON DELETE SET NULL,
    content         TEXT    NOT NULL,  -- JSON: from, replyTo, subject, html, text, mjml
    audience        TEXT    NOT NULL,  -- JSON: kind audience | query | list
    settings        TEXT    NOT NULL,  -- JSON: schedule, validity, throughput, retries, proofs
    preparation     TEXT,              -- JSON: counts per cause, warnings, errors
    progress_done   BIGINT  NOT NULL DEFAULT 0,  -- preparation progress: rows examined
    progress_total  BIGINT  NOT NULL DEFAULT 0,
    worker_owner    TEXT,              -- the node preparing it
    worker_until    BIGINT  NOT NULL DEFAULT 0,  -- that node's lease on the preparation
    failure         TEXT,              -- why the delivery failed (state failed)
    start_at        BIGINT,            -- when sending may begin (confirmed or scheduled)
    valid_until     BIGINT,            -- retries stop here
    confirmed_at    BIGINT,
    confirmed_by    TEXT,
    started_at      BIGINT,
    finished_at     BIGINT,
    proof_count     INTEGER NOT NULL DEFAULT 0,
    -- The sending log's counters, kept by the preparation, the sender and the bounce handling
    -- in the transactions that change the rows, so that reading them does not scan the log.
    count_pending   BIGINT  NOT NULL DEFAULT 0,  -- including count_retrying
    count_retrying  BIGINT  NOT NULL DEFAULT 0,
    count_sent      BIGINT  NOT NULL DEFAULT 0,
    count_failed    BIGINT  NOT NULL DEFAULT 0,
    count_ignored   BIGINT  NOT NULL DEFAULT 0,
    version         BIGINT  NOT NULL DEFAULT 0,  -- bumped by every change, for the editor
    created_at      BIGINT  NOT NULL,
    created_by      TEXT    NOT NULL,
    modified_at     BIGINT  NOT NULL,
    modified_by     TEXT    NOT NULL
);
CREATE INDEX deliveries_state_idx ON deliveries(state);

-- The sending log. status: pending (to send; attempts > 0 means retrying), sent, failed,
-- ignored (excluded at preparation, reason says why). A pending row with lease_until in the
-- future belongs to a sender; an expired lease returns the row to the pool.
CREATE TABLE delivery_recipients (
    delivery_id     BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    profile_id      BIGINT  NOT NULL,
    address         TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,
    failure_type    TEXT    NOT NULL DEFAULT '',  -- hard, soft, ignored, or ''
    reason          TEXT    NOT NULL DEFAULT '',
    detail          TEXT    NOT NULL DEFAULT '',  -- the server's reply
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     BIGINT  NOT NULL DEFAULT 0,
    sent_at         BIGINT,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (delivery_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX delivery_recipients_pending_idx ON delivery_recipients(delivery_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX delivery_recipients_profile_idx ON delivery_recipients(profile_id, sent_at);

CREATE TABLE delivery_proofs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    test_profile_id BIGINT,
    address         TEXT    NOT NULL,
    status          TEXT    NOT NULL,  -- sent or failed
    reason          TEXT    NOT NULL DEFAULT '',
    sent_at         BIGINT  NOT NULL,
    sent_by         TEXT    NOT NULL
);
CREATE INDEX delivery_proofs_delivery_idx ON delivery_proofs(delivery_id);
