-- Audiences and the members of list audiences (docs/audiences.md).

-- name: audience-insert
-- ?7 expires_at (null for none), ?8 created_at (also modified_at), ?9 created_by.
INSERT INTO audiences (label, description, kind, resource, expression, expression_json,
                       expires_at, created_at, created_by, modified_at, modified_by)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9)
RETURNING id;

-- name: audience-get
SELECT a.id, a.label, a.description, a.kind, a.resource, a.expression, a.expression_json,
       a.expires_at, a.created_at, a.created_by, a.modified_at, a.modified_by,
       CASE WHEN a.kind = 'list'
            THEN (SELECT count(*) FROM audience_members m WHERE m.audience_id = a.id) END
FROM audiences a WHERE a.id = ?1;

-- name: audience-list
-- Newest first: ?1 is the cursor (ids below it); ?2 a lower-case LIKE pattern over the label
-- ('' for all); ?3 0 for all, 1 for those not expired at ?4 (now), 2 for the expired ones;
-- ?5 the page size.
SELECT a.id, a.label, a.description, a.kind, a.resource, a.expression, a.expression_json,
       a.expires_at, a.created_at, a.created_by, a.modified_at, a.modified_by,
       CASE WHEN a.kind = 'list'
            THEN (SELECT count(*) FROM audience_members m WHERE m.audience_id = a.id) END
FROM audiences a
WHERE a.id < ?1
  AND (?2 = '' OR lower(a.label) LIKE ?2 ESCAPE '\')
  AND (?3 = 0
       OR (?3 = 1 AND (a.expires_at IS NULL OR a.expires_at > ?4))
       OR (?3 = 2 AND a.expires_at <= ?4))
ORDER BY a.id DESC
LIMIT ?5;

-- name: audience-count
-- ?1, ?2, ?3 as ?2, ?3, ?4 of audience-list.
SELECT count(*) FROM audiences a
WHERE (?1 = '' OR lower(a.label) LIKE ?1 ESCAPE '\')
  AND (?2 = 0
       OR (?2 = 1 AND (a.expires_at IS NULL OR a.expires_at > ?3))
       OR (?2 = 2 AND a.expires_at <= ?3));

-- name: audience-update
UPDATE audiences SET label = ?2, description = ?3, expression = ?4, expression_json = ?5,
       expires_at = ?6, modified_at = ?7, modified_by = ?8
WHERE id = ?1;

-- name: audience-touch
UPDATE audiences SET modified_at = ?2, modified_by = ?3 WHERE id = ?1;

-- name: audience-delete
DELETE FROM audiences WHERE id = ?1;

-- name: audience-member-insert
-- Adding a profile that is already a member changes nothing (0 rows).
INSERT INTO audience_members (audience_id, profile_id, added_at) VALUES (?1, ?2, ?3)
ON CONFLICT (audience_id, profile_id) DO NOTHING;

-- name: audience-members-clear
DELETE FROM audience_members WHERE audience_id = ?1;

-- name: audience-profile-by-id
SELECT id FROM profiles WHERE id = ?1;

-- name: audience-profiles-by-email
-- ?1 is a normalized address (schema/email.hpp), as profiles store it.
SELECT id FROM profiles WHERE email = ?1 ORDER BY id;

-- name: audience-profile-by-external-id
SELECT id FROM profiles WHERE external_id = ?1;
