-- In-app notifications (service/notifications.cpp; the Alert activity,
-- workflow/activities/alert.cpp). Times are Unix milliseconds; read_at is NULL while unread.

-- name: notification-insert
-- One notification for ?1 when a user of that name exists (else nothing): ?2 level, ?3 title,
-- ?4 message, ?5 link, ?6 now, ?7 the workflow task that sends it (once per task and user:
-- nothing when that task notified that user before).
INSERT INTO notifications (username, level, title, message, link, created_at, task_id)
SELECT username, ?2, ?3, ?4, ?5, ?6, ?7 FROM users WHERE username = ?1
ON CONFLICT (task_id, username) DO NOTHING;

-- name: notification-user-exists
SELECT 1 FROM users WHERE username = ?1;

-- name: notification-workflow-label
SELECT label FROM workflows WHERE id = ?1;

-- name: notification-list
-- ?1 user's own, newest first: ?2 the cursor (ids below it); ?3 1 for the unread ones only;
-- ?4 the page size.
SELECT id, level, title, message, link, created_at, read_at
FROM notifications
WHERE username = ?1 AND id < ?2 AND (?3 = 0 OR read_at IS NULL)
ORDER BY id DESC
LIMIT ?4;

-- name: notification-unread-count
SELECT count(*) FROM notifications WHERE username = ?1 AND read_at IS NULL;

-- name: notification-mark-read
-- ?1 user's notification ?2, read at ?3 (once: a read one keeps its time).
UPDATE notifications SET read_at = ?3 WHERE username = ?1 AND id = ?2 AND read_at IS NULL;

-- name: notification-mark-all-read
UPDATE notifications SET read_at = ?2 WHERE username = ?1 AND read_at IS NULL;
