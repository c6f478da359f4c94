-- The audit trail of user and configuration changes.

-- name: audit-insert
INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, details)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: audit-list
-- Newest first; $1 is the cursor (an id; entries below it), $2 the page size.
SELECT id, at, actor_id, actor_name, action, target_type, target_id, details
FROM audit_log
WHERE id < $1
ORDER BY id DESC
LIMIT $2;
