-- Users of the console and the API.

-- name: user-insert
INSERT INTO users (username, display_name, role, password_hash, disabled, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $6)
RETURNING id;

-- name: user-get
SELECT id, username, display_name, role, disabled, created_at, updated_at
FROM users WHERE id = $1;

-- name: user-get-for-login
SELECT id, username, display_name, role, disabled, created_at, updated_at, password_hash
FROM users WHERE username = $1;

-- name: user-list
-- Keyset pagination by id; $2 is a lower-case LIKE pattern ('' for all).
SELECT id, username, display_name, role, disabled, created_at, updated_at
FROM users
WHERE id > $1
  AND ($2 = '' OR lower(username) LIKE $2 ESCAPE '\' OR lower(display_name) LIKE $2 ESCAPE '\')
ORDER BY id
LIMIT $3;

-- name: user-update
UPDATE users SET display_name = $2, role = $3, disabled = $4, updated_at = $5 WHERE id = $1;

-- name: user-set-password
UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1;

-- name: user-count-active-admins
SELECT count(*) FROM users WHERE role = 'administrator' AND disabled = $1;

-- name: user-count
SELECT count(*) FROM users;
