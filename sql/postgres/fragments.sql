-- Content fragments (service/fragments.cpp). Times are Unix milliseconds.

-- name: fragment-insert
-- $5 created_at (also modified_at), $6 created_by (also modified_by).
INSERT INTO content_fragments (name, label, description, source, created_at, created_by,
                               modified_at, modified_by)
VALUES ($1, $2, $3, $4, $5, $6, $5, $6)
RETURNING id;

-- name: fragment-get
SELECT id, name, label, description, source, created_at, created_by, modified_at, modified_by
FROM content_fragments WHERE id = $1;

-- name: fragment-get-by-name
SELECT id, name, label, description, source, created_at, created_by, modified_at, modified_by
FROM content_fragments WHERE name = $1;

-- name: fragment-list
-- Oldest first: $1 the cursor (ids above it); $2 a lower-case LIKE pattern over the name and
-- label ('' for all); $3 the page size.
SELECT id, name, label, description, source, created_at, created_by, modified_at, modified_by
FROM content_fragments
WHERE id > $1
  AND ($2 = '' OR lower(name) LIKE $2 ESCAPE '\' OR lower(label) LIKE $2 ESCAPE '\')
ORDER BY id
LIMIT $3;

-- name: fragment-count
-- $1 as $2 of fragment-list.
SELECT count(*) FROM content_fragments
WHERE ($1 = '' OR lower(name) LIKE $1 ESCAPE '\' OR lower(label) LIKE $1 ESCAPE '\');

-- name: fragment-sources
-- Every fragment's text, for the render engine's includes.
SELECT name, source FROM content_fragments;

-- name: fragment-update
UPDATE content_fragments
SET label = $2, description = $3, source = $4, modified_at = $5, modified_by = $6
WHERE id = $1;

-- name: fragment-delete
DELETE FROM content_fragments WHERE id = $1;
