-- Console sessions (the cookie holds a token; we store only its digest) and login throttling.

-- name: session-insert
INSERT INTO sessions (token_digest, user_id, csrf_token, created_at, expires_at, last_seen_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?4);

-- name: session-get
SELECT s.user_id, s.csrf_token, s.expires_at, s.last_seen_at,
       u.username, u.display_name, u.role, u.disabled, u.created_at, u.updated_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_digest = ?1;

-- name: session-touch
UPDATE sessions SET last_seen_at = ?2, expires_at = ?3 WHERE token_digest = ?1;

-- name: session-delete
DELETE FROM sessions WHERE token_digest = ?1;

-- name: session-delete-for-user
DELETE FROM sessions WHERE user_id = ?1;

-- name: session-delete-expired
DELETE FROM sessions WHERE expires_at < ?1;

-- name: login-failure-insert
INSERT INTO login_failures (username, remote, at) VALUES (?1, ?2, ?3);

-- name: login-failure-recent
-- Failures for a username since ?2, and the oldest of them (to say when to retry).
SELECT count(*), COALESCE(min(at), 0) FROM login_failures WHERE username = ?1 AND at > ?2;

-- name: login-failure-clear
DELETE FROM login_failures WHERE username = ?1;

-- name: login-failure-prune
DELETE FROM login_failures WHERE at < ?1;
