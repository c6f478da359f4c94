-- Tracking (tracking/keys.cpp, tracking/links.cpp, tracking/ingest.cpp; docs/tracking.md).
-- Times are Unix milliseconds; `hour` is the start of the hour an event falls in.

-- name: tracking-keys-list
SELECT id, secret, created_at, retired_at FROM tracking_keys ORDER BY created_at, id;

-- name: tracking-key-insert
-- ?1 id ("k<n>"), ?2 the sealed secret, ?3 now.
INSERT INTO tracking_keys (id, secret, created_at) VALUES (?1, ?2, ?3);

-- name: tracking-keys-retire
-- ?1 the new signing key, ?2 now: every other key stops signing (it still verifies).
UPDATE tracking_keys SET retired_at = ?2 WHERE id <> ?1 AND retired_at IS NULL;

-- name: tracking-links-upsert
-- ?1 delivery, ?2 link ordinal, ?3 url ('' when personalized), ?4 label, ?5 category.
INSERT INTO tracking_links (delivery_id, link_id, url, label, category)
VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (delivery_id, link_id) DO UPDATE
SET url = excluded.url, label = excluded.label, category = excluded.category;

-- name: tracking-links-list
SELECT link_id, url, label, category FROM tracking_links WHERE delivery_id = ?1 ORDER BY link_id;

-- name: tracking-delivery-exists
SELECT id FROM deliveries WHERE id = ?1;

-- name: tracking-agent-id
-- ?1 a User-Agent (cleaned): its tracking_agents id, added when new. The ingestion keeps the
-- ids it got in memory, so this runs once per agent and process.
INSERT INTO tracking_agents (agent) VALUES (?1)
ON CONFLICT (agent) DO UPDATE SET agent = excluded.agent
RETURNING id;

-- name: tracking-uniques-insert
-- ?1 delivery, ?2 a JSON array of [profile, link id (-1 open, -2 any click, n link n), first
-- seen] triples, in (profile, link id) order: rows are inserted in that order, the table's key
-- order, so that writers on several nodes take shared rows in one order. Returns the rows it
-- inserted (profile, link id, first seen): the new unique openers and clickers. One statement
-- for many rows: the batch's cost is one JSON parse, not one statement per recipient.
INSERT INTO tracking_uniques (delivery_id, profile_id, link_id, first_at)
SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
FROM json_each(?2)
WHERE true
ORDER BY key
ON CONFLICT (delivery_id, profile_id, link_id) DO NOTHING
RETURNING profile_id, link_id, first_at;

-- name: tracking-stats-add
-- ?1 delivery, ?2 hour, ?3 opens, ?4 unique opens, ?5 machine opens, ?6 clicks, ?7 unique
-- clicks, ?8 unsubscribes, ?9 mirror views.
INSERT INTO delivery_stats (delivery_id, hour, opens, unique_opens, machine_opens, clicks,
                            unique_clicks, unsubscribes, mirror_views)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (delivery_id, hour) DO UPDATE
SET opens = delivery_stats.opens + excluded.opens,
    unique_opens = delivery_stats.unique_opens + excluded.unique_opens,
    machine_opens = delivery_stats.machine_opens + excluded.machine_opens,
    clicks = delivery_stats.clicks + excluded.clicks,
    unique_clicks = delivery_stats.unique_clicks + excluded.unique_clicks,
    unsubscribes = delivery_stats.unsubscribes + excluded.unsubscribes,
    mirror_views = delivery_stats.mirror_views + excluded.mirror_views;

-- name: tracking-link-stats-add
-- ?1 delivery, ?2 link, ?3 hour, ?4 clicks, ?5 unique clicks.
INSERT INTO delivery_link_stats (delivery_id, link_id, hour, clicks, unique_clicks)
VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (delivery_id, link_id, hour) DO UPDATE
SET clicks = delivery_link_stats.clicks + excluded.clicks,
    unique_clicks = delivery_link_stats.unique_clicks + excluded.unique_clicks;

-- name: tracking-agent-stats-add
-- ?1 delivery, ?2 device, ?3 client, ?4 opens, ?5 machine opens, ?6 clicks.
INSERT INTO delivery_agent_stats (delivery_id, device, client, opens, machine_opens, clicks)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (delivery_id, device, client) DO UPDATE
SET opens = delivery_agent_stats.opens + excluded.opens,
    machine_opens = delivery_agent_stats.machine_opens + excluded.machine_opens,
    clicks = delivery_agent_stats.clicks + excluded.clicks;
