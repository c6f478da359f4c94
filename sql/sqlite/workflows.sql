-- Workflows (service/workflows.cpp): the workflow resource and the read side of its runs
-- (summaries, tasks, transition counts, logs). The engine's own statements are in
-- workflow_engine.sql. Times are Unix milliseconds.

-- name: workflow-insert
-- ?4 created_at (also modified_at), ?5 created_by (also modified_by).
INSERT INTO workflows (label, description, graph, version, created_at, created_by, modified_at,
                       modified_by)
VALUES (?1, ?2, ?3, 1, ?4, ?5, ?4, ?5)
RETURNING id;

-- name: workflow-get
SELECT id, label, description, graph, version, created_at, created_by, modified_at, modified_by
FROM workflows WHERE id = ?1;

-- name: workflow-list
-- Newest first: ?1 the cursor (ids below it); ?2 a lower-case LIKE pattern over the label and
-- description ('' for all); ?3 the page size.
-- The graph is left out (lists show summaries).
SELECT id, label, description, '' AS graph, version, created_at, created_by, modified_at, modified_by
FROM workflows
WHERE id < ?1
  AND (?2 = '' OR lower(label) LIKE ?2 ESCAPE '\' OR lower(description) LIKE ?2 ESCAPE '\')
ORDER BY id DESC
LIMIT ?3;

-- name: workflow-count
-- ?1 as ?2 of workflow-list.
SELECT count(*) FROM workflows
WHERE (?1 = '' OR lower(label) LIKE ?1 ESCAPE '\' OR lower(description) LIKE ?1 ESCAPE '\');

-- name: workflow-update
-- ?5 the new version; ?6 the version read (the update is lost when another one came between).
UPDATE workflows
SET label = ?2, description = ?3, graph = ?4, version = ?5, modified_at = ?7, modified_by = ?8
WHERE id = ?1 AND version = ?6;

-- name: workflow-delete
DELETE FROM workflows WHERE id = ?1;

-- name: workflow-run-active
-- The workflow's run that is running, paused or stopping, if any.
SELECT id, workflow_id, number, status, dry_run, version, started_at, started_by, finished_at,
       error
FROM workflow_runs WHERE active = ?1;

-- name: workflow-run-last
SELECT id, workflow_id, number, status, dry_run, version, started_at, started_by, finished_at,
       error
FROM workflow_runs WHERE workflow_id = ?1
ORDER BY id DESC
LIMIT 1;

-- name: workflow-run-get
-- ?1 the workflow, ?2 the run.
SELECT id, workflow_id, number, status, dry_run, version, started_at, started_by, finished_at,
       error, variables, graph
FROM workflow_runs WHERE workflow_id = ?1 AND id = ?2;

-- name: workflow-run-list
-- Newest first: ?2 the cursor (ids below it), ?3 the page size.
SELECT id, workflow_id, number, status, dry_run, version, started_at, started_by, finished_at,
       error
FROM workflow_runs
WHERE workflow_id = ?1 AND id < ?2
ORDER BY id DESC
LIMIT ?3;

-- name: workflow-run-tasks
SELECT id, activity, type, status, attempts, wake_at, started_at, finished_at, error
FROM workflow_tasks WHERE run_id = ?1
ORDER BY id;

-- name: workflow-run-transitions
SELECT transition, row_count, total, times, updated_at
FROM workflow_transition_counts WHERE run_id = ?1
ORDER BY transition;

-- name: workflow-run-logs
-- ?2 the last log id already seen (0 for the first), ?3 the page size.
SELECT id, task_id, activity, level, message, row_count, duration_ms, at
FROM workflow_logs
WHERE run_id = ?1 AND id > ?2
ORDER BY id
LIMIT ?3;
