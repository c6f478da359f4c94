-- The sender and the preparation (delivery/sender.cpp, service/delivery_prepare.cpp,
-- app/delivery_worker.cpp). Times are Unix milliseconds except in the quarantine table, whose
-- dates are ISO 8601 text like every record of the marketing database.

-- name: send-claim
-- $1 delivery, $2 now, $3 owner, $4 lease end, $5 batch size: pending rows that are due and not
-- leased by anybody (or whose lease has ended). The CTE runs once and locks what it returns;
-- SKIP LOCKED leaves rows another sender is claiming right now to that sender.
WITH c AS (
    SELECT profile_id FROM delivery_recipients
    WHERE delivery_id = $1 AND status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2
    LIMIT $5 FOR UPDATE SKIP LOCKED)
UPDATE delivery_recipients r SET lease_owner = $3, lease_until = $4
FROM c WHERE r.delivery_id = $1 AND r.profile_id = c.profile_id
RETURNING r.profile_id, r.address, r.attempts;

-- name: send-mark-sent
-- $1 delivery, $2 profile, $3 now, $4 the server's reply.
UPDATE delivery_recipients
SET status = 'sent', failure_type = '', reason = '', detail = $4, attempts = attempts + 1,
    sent_at = $3, updated_at = $3, lease_owner = NULL, lease_until = 0
WHERE delivery_id = $1 AND profile_id = $2;

-- name: send-mark-failed
-- $1 delivery, $2 profile, $3 now, $4 failure type, $5 reason, $6 detail.
UPDATE delivery_recipients
SET status = 'failed', failure_type = $4, reason = $5, detail = $6, attempts = attempts + 1,
    updated_at = $3, lease_owner = NULL, lease_until = 0
WHERE delivery_id = $1 AND profile_id = $2;

-- name: send-mark-retry
-- $1 delivery, $2 profile, $3 now, $4 next attempt, $5 reason, $6 detail.
UPDATE delivery_recipients
SET failure_type = 'soft', reason = $5, detail = $6, attempts = attempts + 1,
    next_attempt_at = $4, updated_at = $3, lease_owner = NULL, lease_until = 0
WHERE delivery_id = $1 AND profile_id = $2;

-- name: send-renew
-- $1 delivery, $2 profile, $3 new lease end: a batch still working keeps its rows.
UPDATE delivery_recipients SET lease_until = $3
WHERE delivery_id = $1 AND profile_id = $2 AND status = 'pending';

-- name: send-count
-- $1 delivery, $2 sent, $3 failed, $4 change of the rows retrying: one batch's outcomes.
UPDATE deliveries SET count_sent = count_sent + $2, count_failed = count_failed + $3,
                      count_pending = count_pending - $2 - $3,
                      count_retrying = count_retrying + $4
WHERE id = $1;

-- name: send-due-now
-- $1 delivery: resumed after a failure, its pending rows are due at once.
UPDATE delivery_recipients SET next_attempt_at = 0
WHERE delivery_id = $1 AND status = 'pending' AND next_attempt_at > 0;

-- name: send-release
UPDATE delivery_recipients SET lease_owner = NULL, lease_until = 0
WHERE delivery_id = $1 AND profile_id = $2;

-- name: quarantine-hard
-- $1 address, $2 now (ISO), $3 reason. A hard failure quarantines the address at once; an
-- address on the denylist stays there.
INSERT INTO quarantine (created_at, modified_at, address, channel, status, reason, error_count,
                        first_error_at, last_error_at)
VALUES ($2::timestamptz, $2::timestamptz, $1, 'email', 'quarantined', $3, 1, $2::timestamptz, $2::timestamptz)
ON CONFLICT (channel, address) DO UPDATE SET
    modified_at = excluded.modified_at,
    status = CASE WHEN quarantine.status = 'denylisted' THEN 'denylisted' ELSE 'quarantined' END,
    reason = excluded.reason,
    error_count = COALESCE(quarantine.error_count, 0) + 1,
    first_error_at = COALESCE(quarantine.first_error_at, excluded.first_error_at),
    last_error_at = excluded.last_error_at;

-- name: quarantine-soft
-- $1 address, $2 now (ISO), $3 reason, $4 a day before now (ISO). Soft errors count once a day
-- at most; the fifth quarantines the address; until then its status is "erroneous".
INSERT INTO quarantine (created_at, modified_at, address, channel, status, reason, error_count,
                        first_error_at, last_error_at)
VALUES ($2::timestamptz, $2::timestamptz, $1, 'email', 'erroneous', $3, 1, $2::timestamptz, $2::timestamptz)
ON CONFLICT (channel, address) DO UPDATE SET
    modified_at = excluded.modified_at,
    error_count = CASE WHEN quarantine.last_error_at IS NULL OR quarantine.last_error_at <= $4::timestamptz
                       THEN COALESCE(quarantine.error_count, 0) + 1
                       ELSE COALESCE(quarantine.error_count, 0) END,
    status = CASE
        WHEN quarantine.status IN ('denylisted', 'quarantined') THEN quarantine.status
        WHEN (quarantine.last_error_at IS NULL OR quarantine.last_error_at <= $4::timestamptz)
             AND COALESCE(quarantine.error_count, 0) + 1 >= 5 THEN 'quarantined'
        ELSE 'erroneous' END,
    reason = excluded.reason,
    first_error_at = COALESCE(quarantine.first_error_at, excluded.first_error_at),
    last_error_at = CASE WHEN quarantine.last_error_at IS NULL OR quarantine.last_error_at <= $4::timestamptz
                         THEN excluded.last_error_at ELSE quarantine.last_error_at END;

-- name: worker-deliveries
-- The deliveries the worker acts on.
SELECT id, state, start_at, worker_owner, worker_until
FROM deliveries WHERE state IN ('preparing', 'scheduled', 'sending', 'paused')
ORDER BY id;

-- name: worker-claim-preparation
-- $1 delivery, $2 owner, $3 now, $4 lease end.
UPDATE deliveries SET worker_owner = $2, worker_until = $4
WHERE id = $1 AND state = 'preparing' AND (worker_until <= $3 OR worker_owner = $2);

-- name: worker-prepare-progress
-- $1 delivery, $2 done, $3 total, $4 owner, $5 lease end.
UPDATE deliveries SET progress_done = $2, progress_total = $3, worker_until = $5
WHERE id = $1 AND state = 'preparing' AND worker_owner = $4;

-- name: worker-prepare-done
-- $1 delivery, $2 next state (ready or draft), $3 preparation JSON, $4 now, $5 owner,
-- $6 rows pending, $7 rows ignored.
UPDATE deliveries SET state = $2, preparation = $3, worker_owner = NULL, worker_until = 0,
                      modified_at = $4, version = version + 1,
                      count_pending = $6, count_retrying = 0, count_sent = 0, count_failed = 0,
                      count_ignored = $7
WHERE id = $1 AND state = 'preparing' AND worker_owner = $5;

-- name: worker-start
-- $1 delivery, $2 now.
UPDATE deliveries SET state = 'sending', started_at = COALESCE(started_at, $2),
                      version = version + 1
WHERE id = $1 AND state = 'scheduled' AND start_at <= $2;

-- name: worker-finish
-- $1 delivery, $2 now: finished once no row is pending.
UPDATE deliveries SET state = 'finished', finished_at = $2, version = version + 1
WHERE id = $1 AND state = 'sending' AND NOT EXISTS (
    SELECT 1 FROM delivery_recipients r WHERE r.delivery_id = $1 AND r.status = 'pending');

-- name: worker-fail
-- $1 delivery, $2 now, $3 why.
UPDATE deliveries SET state = 'failed', failure = $3, finished_at = $2, version = version + 1
WHERE id = $1 AND state IN ('sending', 'preparing');

-- name: prepare-clear
DELETE FROM delivery_recipients WHERE delivery_id = $1;

-- name: prepare-clear-counters
UPDATE deliveries SET count_pending = 0, count_retrying = 0, count_sent = 0, count_failed = 0,
                      count_ignored = 0
WHERE id = $1;

-- name: prepare-counts
SELECT status, reason, count(*) FROM delivery_recipients WHERE delivery_id = $1
GROUP BY status, reason;

-- name: prepare-local-times
-- $1 delivery: the time zones of its pending recipients (empty string for none).
SELECT DISTINCT COALESCE(p.time_zone, '') FROM delivery_recipients r
JOIN profiles p ON p.id = r.profile_id
WHERE r.delivery_id = $1 AND r.status = 'pending';

-- name: prepare-set-local-time
-- $1 delivery, $2 time zone ('' for none), $3 next attempt.
UPDATE delivery_recipients SET next_attempt_at = $3
WHERE delivery_id = $1 AND status = 'pending' AND profile_id IN (
    SELECT id FROM profiles WHERE COALESCE(time_zone, '') = $2);

-- name: bounce-unapplied
-- The first $1 bounce events not yet applied to sending logs and quarantine.
SELECT id, kind, delivery_id, recipient_id, recipient, outcome, reason, diagnostic
FROM bounce_events WHERE applied_at IS NULL ORDER BY id LIMIT $1;

-- name: bounce-applied
UPDATE bounce_events SET applied_at = $2 WHERE id = $1;

-- name: bounce-fail-row
-- $1 delivery, $2 profile, $3 now, $4 failure type, $5 reason, $6 detail: an asynchronous
-- bounce turns a sent row into a failed one (a pending row is left to its next attempt).
UPDATE delivery_recipients
SET status = 'failed', failure_type = $4, reason = $5, detail = $6, updated_at = $3
WHERE delivery_id = $1 AND profile_id = $2 AND status = 'sent';

-- name: bounce-count
-- $1 delivery: a sent row became failed.
UPDATE deliveries SET count_sent = count_sent - 1, count_failed = count_failed + 1
WHERE id = $1;

-- name: bounce-row-address
SELECT address FROM delivery_recipients WHERE delivery_id = $1 AND profile_id = $2;

-- name: quarantine-denylist
-- $1 address, $2 now (ISO), $3 reason: a complaint puts the address on the denylist.
INSERT INTO quarantine (created_at, modified_at, address, channel, status, reason, error_count,
                        first_error_at, last_error_at)
VALUES ($2::timestamptz, $2::timestamptz, $1, 'email', 'denylisted', $3, 0, $2::timestamptz, $2::timestamptz)
ON CONFLICT (channel, address) DO UPDATE SET
    modified_at = excluded.modified_at, status = 'denylisted', reason = excluded.reason,
    last_error_at = excluded.last_error_at;


-- name: stats-add-sending
-- $1 delivery, $2 hour (Unix ms), $3 sent, $4 hard, $5 soft, $6 ignored, $7 complaints: one
-- batch's final outcomes (or one asynchronous bounce or complaint) in the hourly roll-up.
INSERT INTO delivery_stats (delivery_id, hour, sent, hard_bounces, soft_bounces, ignored,
                            complaints)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (delivery_id, hour) DO UPDATE SET
    sent = delivery_stats.sent + excluded.sent,
    hard_bounces = delivery_stats.hard_bounces + excluded.hard_bounces,
    soft_bounces = delivery_stats.soft_bounces + excluded.soft_bounces,
    ignored = delivery_stats.ignored + excluded.ignored,
    complaints = delivery_stats.complaints + excluded.complaints;

-- name: stats-add-failure
-- $1 delivery, $2 hour, $3 failure type, $4 reason, $5 count.
INSERT INTO delivery_failure_stats (delivery_id, hour, failure_type, reason, count)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (delivery_id, hour, failure_type, reason) DO UPDATE SET
    count = delivery_failure_stats.count + excluded.count;
