-- Import runs.

-- name: import-insert
INSERT INTO imports (created_at, created_by, file_name, file_path, file_bytes, sniff, status)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'uploaded')
RETURNING id;

-- name: import-get
SELECT id, created_at, created_by, file_name, file_path, file_bytes, sniff, status, resource,
       spec, read_count, inserted, updated, unchanged, deleted, rejected, rejects_path, error,
       started_at, finished_at
FROM imports WHERE id = ?1;

-- name: import-list
SELECT id, created_at, created_by, file_name, file_path, file_bytes, sniff, status, resource,
       spec, read_count, inserted, updated, unchanged, deleted, rejected, rejects_path, error,
       started_at, finished_at
FROM imports WHERE id < ?1 ORDER BY id DESC LIMIT ?2;

-- name: import-queue
-- Only an uploaded (not yet started) import can be started.
UPDATE imports SET status = 'queued', resource = ?2, spec = ?3, rejects_path = ?4
WHERE id = ?1 AND status = 'uploaded';

-- name: import-start
UPDATE imports SET status = 'running', started_at = ?2 WHERE id = ?1;

-- name: import-finish
-- ?2 status, ?3..?8 counters, ?9 error, ?10 finished_at
UPDATE imports SET status = ?2, read_count = ?3, inserted = ?4, updated = ?5, unchanged = ?6,
       deleted = ?7, rejected = ?8, error = ?9, finished_at = ?10
WHERE id = ?1;

-- name: import-interrupted
-- At start-up: runs that were going when the process stopped.
UPDATE imports SET status = 'failed', error = 'interrupted: the server stopped during the import; nothing was changed, start it again', finished_at = ?1
WHERE status IN ('queued', 'running');
