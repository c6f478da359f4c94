-- The published custom data model.

-- name: schema-version-latest
SELECT id, model FROM schema_versions ORDER BY id DESC LIMIT 1;

-- name: schema-version-insert
INSERT INTO schema_versions (published_at, published_by, model, statements)
VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: schema-version-current
SELECT COALESCE(max(id), 0) FROM schema_versions;
