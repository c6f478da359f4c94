-- Tracking (docs/tracking.md) and the roll-ups reports read (docs/reports.md). Times are Unix
-- milliseconds; `hour` is the start of the hour an event falls in.

-- The keys that sign tracked links. The key with the highest number (k<n>) signs; every key verifies,
-- so links in messages already sent keep working after a rotation.
CREATE TABLE tracking_keys (
    id          TEXT    PRIMARY KEY,  -- the key id written in tokens ("k1", "k2", ...)
    secret      TEXT    NOT NULL,     -- 32 random bytes sealed with the installation key
    created_at  BIGINT  NOT NULL,
    retired_at  BIGINT                -- reserved for retiring a key; nothing sets it yet
);

-- The tracked links of a delivery's HTML, by the personalization engine's link ordinal.
CREATE TABLE tracking_links (
    delivery_id BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    link_id     INTEGER NOT NULL,
    url         TEXT    NOT NULL,  -- the same URL for everyone; '' when personalized
    label       TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    PRIMARY KEY (delivery_id, link_id)
);

-- The User-Agents of tracking events, each once (100 to 256 bytes that most events of a
-- campaign share): an event row keeps the id. Never deleted.
CREATE TABLE tracking_agents (
    id          INTEGER PRIMARY KEY,
    agent       TEXT    NOT NULL UNIQUE  -- printable ASCII, at most 256 bytes
);

-- The tracking log: one row per accepted event. Append-only, written by the ingestion
-- (tracking/ingest.cpp) and read per profile only (report-profile-tracking), so it keeps one
-- index: every index costs each event a B-tree insert, a random one for a key such as the
-- profile. The id is the rowid without AUTOINCREMENT (which would rewrite sqlite_sequence for
-- every row inserted); rows are never deleted from the top, so ids still only grow.
CREATE TABLE tracking_events (
    id          INTEGER PRIMARY KEY,
    delivery_id BIGINT  NOT NULL,
    profile_id  BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,  -- open, click, unsubscribe, mirror
    link_id     INTEGER,           -- clicks
    machine     BOOLEAN NOT NULL DEFAULT 0,  -- opens by privacy proxies, scanners and bots
    at          BIGINT  NOT NULL,
    device      TEXT    NOT NULL DEFAULT '',  -- desktop, mobile, tablet, proxy, bot, other
    client      TEXT    NOT NULL DEFAULT '',  -- Gmail, Apple Mail, Outlook, Chrome, ...
    agent_id    BIGINT                        -- tracking_agents.id: the User-Agent
);
-- A profile's events, newest first (by id: an SQLite index entry ends with the rowid).
CREATE INDEX tracking_events_profile_idx ON tracking_events(profile_id);

-- Who opened or clicked, once each: link_id -1 is an open (human, or implied by a click), -2 a
-- click on any link, n >= 0 a click on link n. Unique counts are the rows inserted here.
CREATE TABLE tracking_uniques (
    delivery_id BIGINT  NOT NULL,
    profile_id  BIGINT  NOT NULL,
    link_id     INTEGER NOT NULL,
    first_at    BIGINT  NOT NULL,
    PRIMARY KEY (delivery_id, profile_id, link_id)
) WITHOUT ROWID;

-- Counters per delivery and hour, updated by the sender (sent, final failures), the bounce
-- handling (asynchronous bounces, complaints) and the tracking ingestion (the rest).
CREATE TABLE delivery_stats (
    delivery_id   BIGINT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    hour          BIGINT NOT NULL,
    sent          BIGINT NOT NULL DEFAULT 0,  -- accepted by the next hop
    hard_bounces  BIGINT NOT NULL DEFAULT 0,  -- at sending and asynchronous
    soft_bounces  BIGINT NOT NULL DEFAULT 0,  -- final (retries exhausted) only
    ignored       BIGINT NOT NULL DEFAULT 0,  -- our message refused, render errors
    opens         BIGINT NOT NULL DEFAULT 0,  -- human opens, implicit ones included
    unique_opens  BIGINT NOT NULL DEFAULT 0,
    machine_opens BIGINT NOT NULL DEFAULT 0,
    clicks        BIGINT NOT NULL DEFAULT 0,
    unique_clicks BIGINT NOT NULL DEFAULT 0,  -- recipients' first click on any link
    unsubscribes  BIGINT NOT NULL DEFAULT 0,
    mirror_views  BIGINT NOT NULL DEFAULT 0,
    complaints    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (delivery_id, hour)
) WITHOUT ROWID;

-- Final failures by type (hard, soft, ignored) and reason, per delivery and hour.
CREATE TABLE delivery_failure_stats (
    delivery_id  BIGINT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    hour         BIGINT NOT NULL,
    failure_type TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    count        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (delivery_id, hour, failure_type, reason)
) WITHOUT ROWID;

-- Clicks per link and hour.
CREATE TABLE delivery_link_stats (
    delivery_id   BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    link_id       INTEGER NOT NULL,
    hour          BIGINT  NOT NULL,
    clicks        BIGINT  NOT NULL DEFAULT 0,
    unique_clicks BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (delivery_id, link_id, hour)
) WITHOUT ROWID;

-- Opens and clicks per device and client family.
CREATE TABLE delivery_agent_stats (
    delivery_id   BIGINT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    device        TEXT   NOT NULL,
    client        TEXT   NOT NULL,
    opens         BIGINT NOT NULL DEFAULT 0,
    machine_opens BIGINT NOT NULL DEFAULT 0,
    clicks        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (delivery_id, device, client)
) WITHOUT ROWID;
