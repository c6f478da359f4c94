-- API keys: "ovk_<prefix>_<secret>"; we store the prefix (to find the key) and a digest of the
-- whole key (to check it).

-- name: api-key-insert
INSERT INTO api_keys (user_id, name, prefix, secret_digest, scopes, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
RETURNING id;

-- name: api-key-get
SELECT k.id, k.user_id, u.username, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at,
       k.revoked_at
FROM api_keys k JOIN users u ON u.id = k.user_id
WHERE k.id = ?1;

-- name: api-key-list
-- ?1: only this user's keys, or 0 for everyone's; keyset pagination by id.
SELECT k.id, k.user_id, u.username, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at,
       k.revoked_at
FROM api_keys k JOIN users u ON u.id = k.user_id
WHERE (?1 = 0 OR k.user_id = ?1) AND k.id > ?2
ORDER BY k.id
LIMIT ?3;

-- name: api-key-for-auth
SELECT k.id, k.secret_digest, k.scopes, k.revoked_at, k.last_used_at,
       u.id, u.username, u.role, u.disabled
FROM api_keys k JOIN users u ON u.id = k.user_id
WHERE k.prefix = ?1;

-- name: api-key-revoke
UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL;

-- name: api-key-touch
UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1;
