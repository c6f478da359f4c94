-- Deliveries: CRUD, lifecycle, logs, proofs (service/deliveries.cpp). Times are Unix
-- milliseconds. Every statement that changes a delivery bumps its version.

-- name: delivery-insert
-- $10 created_at (also modified_at), $11 created_by (also modified_by), $12 the workflow
-- task that makes it (null for the others).
INSERT INTO deliveries (label, channel, is_template, state, route_id, typology_id, content,
                        audience, settings, created_at, created_by, modified_at, modified_by,
                        workflow_task)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11, $12)
RETURNING id;

-- name: delivery-by-workflow-task
SELECT id FROM deliveries WHERE workflow_task = $1;

-- name: delivery-get
SELECT id, label, channel, is_template, state, route_id, typology_id, content, audience,
       settings, preparation, progress_done, progress_total, start_at, valid_until,
       confirmed_at, confirmed_by, started_at, finished_at, proof_count, version, created_at,
       created_by, modified_at, modified_by, failure
FROM deliveries WHERE id = $1;

-- name: delivery-list
-- Newest first: $1 the cursor (ids below it); $2 the wanted states as ",draft,ready," ('' for
-- all); $3 a lower-case LIKE pattern over the label ('' for all); $4 0 for all, 1 templates
-- only, 2 deliveries only; created_at in [$5, $6); $7 the page size.
SELECT id, label, channel, is_template, state, route_id, typology_id, content, audience,
       settings, preparation, progress_done, progress_total, start_at, valid_until,
       confirmed_at, confirmed_by, started_at, finished_at, proof_count, version, created_at,
       created_by, modified_at, modified_by, failure
FROM deliveries
WHERE id < $1
  AND ($2 = '' OR strpos($2, ',' || state || ',') > 0)
  AND ($3 = '' OR lower(label) LIKE $3 ESCAPE '\')
  AND ($4 = 0 OR ($4 = 1 AND is_template) OR ($4 = 2 AND NOT is_template))
  AND created_at >= $5 AND created_at < $6
ORDER BY id DESC
LIMIT $7;

-- name: delivery-count
-- $1 to $5 as $2 to $6 of delivery-list.
SELECT count(*) FROM deliveries
WHERE ($1 = '' OR strpos($1, ',' || state || ',') > 0)
  AND ($2 = '' OR lower(label) LIKE $2 ESCAPE '\')
  AND ($3 = 0 OR ($3 = 1 AND is_template) OR ($3 = 2 AND NOT is_template))
  AND created_at >= $4 AND created_at < $5;

-- name: delivery-update
-- Only when the delivery still has version $11 (0 rows otherwise). $9 the new state,
-- $10 1 to drop the preparation (an edit of a ready delivery).
UPDATE deliveries
SET label = $2, route_id = $3, typology_id = $4, content = $5, audience = $6, settings = $7,
    modified_at = $8, modified_by = $12, state = $9,
    preparation = CASE WHEN $10 = 1 THEN NULL ELSE preparation END,
    version = version + 1
WHERE id = $1 AND version = $11;

-- name: delivery-set-preparing
-- $2 the state it must still be in; $3 modified_at, $4 modified_by.
UPDATE deliveries
SET state = 'preparing', preparation = NULL, progress_done = 0, progress_total = 0,
    modified_at = $3, modified_by = $4, version = version + 1
WHERE id = $1 AND state = $2;

-- name: delivery-set-confirmed
-- $2 the state it must still be in; $3 start_at, $4 valid_until, $5 now, $6 the user.
UPDATE deliveries
SET state = 'scheduled', start_at = $3, valid_until = $4, confirmed_at = $5, confirmed_by = $6,
    modified_at = $5, modified_by = $6, version = version + 1
WHERE id = $1 AND state = $2;

-- name: delivery-set-state
-- Pause and resume: $2 the new state, $3 the state it must still be in, $4 now, $5 the user.
-- Resuming a failed delivery clears why it failed (and the end time).
UPDATE deliveries
SET state = $2, modified_at = $4, modified_by = $5, version = version + 1,
    failure = CASE WHEN $2 = 'sending' THEN NULL ELSE failure END,
    finished_at = CASE WHEN $2 = 'sending' THEN NULL ELSE finished_at END
WHERE id = $1 AND state = $3;

-- name: delivery-set-stopped
-- $2 the state it must still be in, $3 now (also finished_at), $4 the user.
UPDATE deliveries
SET state = 'stopped', finished_at = $3, modified_at = $3, modified_by = $4,
    version = version + 1
WHERE id = $1 AND state = $2;

-- name: delivery-delete
-- Only in state $2 (0 rows when it moved meanwhile).
DELETE FROM deliveries WHERE id = $1 AND state = $2;

-- name: delivery-recipients-clear
-- The sending log of a preparation that no longer holds (the delivery was edited).
DELETE FROM delivery_recipients WHERE delivery_id = $1;

-- name: delivery-counters
-- The sending log by status, pending rows split by whether they were tried already: the
-- counters kept in the delivery row (sql/*/sending.sql keeps them), not a scan of the log.
SELECT 'pending', 0, count_pending - count_retrying FROM deliveries WHERE id = $1
UNION ALL SELECT 'pending', 1, count_retrying FROM deliveries WHERE id = $1
UNION ALL SELECT 'sent', 0, count_sent FROM deliveries WHERE id = $1
UNION ALL SELECT 'failed', 0, count_failed FROM deliveries WHERE id = $1
UNION ALL SELECT 'ignored', 0, count_ignored FROM deliveries WHERE id = $1;

-- name: delivery-logs
-- In profile id order after $2; $3 a status or '', $4 a reason or '', $5 a lower-case LIKE
-- pattern over the address or ''; $6 the page size.
SELECT profile_id, address, status, failure_type, reason, detail, attempts, next_attempt_at,
       sent_at, updated_at, segment_code
FROM delivery_recipients
WHERE delivery_id = $1 AND profile_id > $2
  AND ($3 = '' OR status = $3)
  AND ($4 = '' OR reason = $4)
  AND ($5 = '' OR lower(address) LIKE $5 ESCAPE '\')
ORDER BY profile_id
LIMIT $6;

-- name: delivery-profile-history
-- One profile's rows across deliveries, newest first, at most 200.
SELECT r.profile_id, r.address, r.status, r.failure_type, r.reason, r.detail, r.attempts,
       r.next_attempt_at, r.sent_at, r.updated_at, r.segment_code, r.delivery_id, d.label
FROM delivery_recipients r JOIN deliveries d ON d.id = r.delivery_id
WHERE r.profile_id = $1
ORDER BY r.updated_at DESC, r.delivery_id DESC
LIMIT 200;

-- name: delivery-proof-insert
INSERT INTO delivery_proofs (delivery_id, number, test_profile_id, address, status, reason,
                             sent_at, sent_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: delivery-proof-list
SELECT number, test_profile_id, address, status, reason, sent_at, sent_by
FROM delivery_proofs WHERE delivery_id = $1 ORDER BY id;

-- name: delivery-proof-count-since
-- Proofs that reached somebody at or after $2 (the last preparation).
SELECT count(*) FROM delivery_proofs
WHERE delivery_id = $1 AND status = 'sent' AND sent_at >= $2;

-- name: delivery-proof-bump
UPDATE deliveries SET proof_count = proof_count + 1 WHERE id = $1 RETURNING proof_count;

-- name: delivery-test-profile-get
SELECT id, email FROM test_profiles WHERE id = $1;

-- name: delivery-route-exists
SELECT id FROM email_routes WHERE id = $1;
