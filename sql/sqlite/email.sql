-- The email channel: routes, DKIM keys, bounce rules and bounce events (docs/email.md).

-- name: route-insert
-- ?6 is_default, ?7 created_at (also modified_at), ?8 created_by.
INSERT INTO email_routes (name, label, kind, settings, secret, is_default, created_at,
                          created_by, modified_at, modified_by)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8)
RETURNING id;

-- name: route-get
SELECT id, name, label, kind, settings, secret, is_default, created_at, created_by,
       modified_at, modified_by
FROM email_routes WHERE id = ?1;

-- name: route-get-by-name
SELECT id, name, label, kind, settings, secret, is_default, created_at, created_by,
       modified_at, modified_by
FROM email_routes WHERE name = ?1;

-- name: route-get-default
SELECT id, name, label, kind, settings, secret, is_default, created_at, created_by,
       modified_at, modified_by
FROM email_routes WHERE is_default;

-- name: route-list
-- Oldest first: ?1 the cursor (ids above it), ?2 the page size.
SELECT id, name, label, kind, settings, secret, is_default, created_at, created_by,
       modified_at, modified_by
FROM email_routes WHERE id > ?1 ORDER BY id LIMIT ?2;

-- name: route-count
SELECT count(*) FROM email_routes;

-- name: route-update
-- ?1 id, ?2 label, ?3 settings, ?4 secret, ?5 modified_at, ?6 modified_by.
UPDATE email_routes SET label = ?2, settings = ?3, secret = ?4, modified_at = ?5,
                        modified_by = ?6
WHERE id = ?1;

-- name: route-clear-default
UPDATE email_routes SET is_default = 0 WHERE is_default;

-- name: route-set-default
UPDATE email_routes SET is_default = 1 WHERE id = ?1;

-- name: route-in-use
-- A delivery that may still send through route ?1 (finished, stopped and failed ones do not
-- hold it: their route_id becomes null when it is deleted).
SELECT id, label, state FROM deliveries
WHERE route_id = ?1 AND state NOT IN ('finished', 'stopped', 'failed')
ORDER BY id LIMIT 1;

-- name: route-delete
DELETE FROM email_routes WHERE id = ?1;

-- name: dkim-key-insert
INSERT INTO dkim_keys (domain, selector, algorithm, bits, public_key, private_key, created_at,
                       created_by)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
RETURNING id;

-- name: dkim-key-get
SELECT id, domain, selector, algorithm, bits, public_key, private_key, created_at, created_by
FROM dkim_keys WHERE id = ?1;

-- name: dkim-key-find
-- The key of domain ?1 with selector ?2, if any.
SELECT id FROM dkim_keys WHERE domain = ?1 AND selector = ?2;

-- name: dkim-key-newest
-- The newest key of domain ?1: the one that signs.
SELECT id, domain, selector, algorithm, bits, public_key, private_key, created_at, created_by
FROM dkim_keys WHERE domain = ?1 ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: dkim-key-list
-- By domain, then selector; ?1 a domain to keep ('' for all), ?2 the page size, ?3 the cursor
-- (ids after it in that order are given as the id of the last item, 0 for the first page).
SELECT k.id, k.domain, k.selector, k.algorithm, k.bits, k.public_key, k.private_key,
       k.created_at, k.created_by
FROM dkim_keys k
WHERE (?1 = '' OR k.domain = ?1)
  AND (?3 = 0 OR (k.domain, k.selector) > (SELECT domain, selector FROM dkim_keys WHERE id = ?3))
ORDER BY k.domain, k.selector
LIMIT ?2;

-- name: dkim-key-count
SELECT count(*) FROM dkim_keys WHERE (?1 = '' OR domain = ?1);

-- name: dkim-key-delete
DELETE FROM dkim_keys WHERE id = ?1;

-- name: bounce-rule-insert
-- At the end of the list: position one more than the largest.
INSERT INTO bounce_rules (position, name, code, status_prefix, text_pattern, outcome, reason,
                          created_at, created_by)
VALUES ((SELECT coalesce(max(position), 0) + 1 FROM bounce_rules), ?1, ?2, ?3, ?4, ?5, ?6, ?7,
        ?8)
RETURNING id;

-- name: bounce-rule-list
SELECT id, position, name, code, status_prefix, text_pattern, outcome, reason, created_at,
       created_by
FROM bounce_rules ORDER BY position, id;

-- name: bounce-rule-delete
DELETE FROM bounce_rules WHERE id = ?1;

-- name: bounce-event-insert
-- ?14 the sender's event id or null; an id seen before inserts nothing (no row returned).
INSERT INTO bounce_events (received_at, source, kind, delivery_id, recipient_id, recipient,
                           action, status, diagnostic, feedback_type, message_id, outcome,
                           reason, external_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: bounce-event-list
-- Newest first: ?1 the cursor (ids below it), ?2 the page size, ?3 a delivery id (0 for all).
SELECT id, received_at, source, kind, delivery_id, recipient_id, recipient, action, status,
       diagnostic, feedback_type, message_id, outcome, reason, applied_at
FROM bounce_events
WHERE id < ?1 AND (?3 = 0 OR delivery_id = ?3)
ORDER BY id DESC
LIMIT ?2;

-- name: bounce-event-count
SELECT count(*) FROM bounce_events WHERE (?1 = 0 OR delivery_id = ?1);
