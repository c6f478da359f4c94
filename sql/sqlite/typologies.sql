-- Typologies: the rules a preparation applies (service/typologies.cpp). Times are Unix
-- milliseconds; rules is JSON.

-- name: typology-insert
-- ?4 created_at (also modified_at), ?5 created_by (also modified_by).
INSERT INTO typologies (name, label, rules, created_at, created_by, modified_at, modified_by)
VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)
RETURNING id;

-- name: typology-get
SELECT id, name, label, rules, created_at, created_by, modified_at, modified_by
FROM typologies WHERE id = ?1;

-- name: typology-get-by-name
SELECT id, name, label, rules, created_at, created_by, modified_at, modified_by
FROM typologies WHERE name = ?1;

-- name: typology-list
-- Oldest first: ?1 the cursor (ids above it), ?2 the page size.
SELECT id, name, label, rules, created_at, created_by, modified_at, modified_by
FROM typologies WHERE id > ?1 ORDER BY id LIMIT ?2;

-- name: typology-update
UPDATE typologies SET label = ?2, rules = ?3, modified_at = ?4, modified_by = ?5 WHERE id = ?1;

-- name: typology-delete
DELETE FROM typologies WHERE id = ?1;
