-- The workflow engine (workflow/engine.cpp, engine_tasks.cpp, engine_context.cpp;
-- docs/workflows.md "How a run works"): runs, their tasks under leases, working tables with
-- reference counts, transition counts and the run log. Times are Unix milliseconds.

-- name: workflow-engine-workflow
SELECT graph, version FROM workflows WHERE id = ?1;

-- name: workflow-engine-run-active
-- ?1 workflow: its active run (running, paused or stopping), if any.
SELECT id, status FROM workflow_runs WHERE active = ?1;

-- name: workflow-engine-run-next-number
SELECT COALESCE(MAX(number), 0) + 1 FROM workflow_runs WHERE workflow_id = ?1;

-- name: workflow-engine-run-insert
-- ?1 workflow (also `active`), ?2 number, ?3 dry run, ?4 graph, ?5 version, ?6 variables,
-- ?7 run as (also started_by), ?8 role, ?9 now.
INSERT INTO workflow_runs (workflow_id, number, status, active, dry_run, graph, version,
                           variables, run_as, run_as_role, started_at, started_by)
VALUES (?1, ?2, 'running', ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?7)
RETURNING id;

-- name: workflow-engine-run-lock
-- The run, locked for the rest of the transaction (PostgreSQL; SQLite writers are serial):
-- every change of a run's tasks takes this lock first, so joins and the end of a run are
-- decided one task at a time.
SELECT id, workflow_id, status, variables FROM workflow_runs WHERE id = ?1;

-- name: workflow-engine-run-lock-active
-- ?1 workflow: its active run, locked as workflow-engine-run-lock.
SELECT id, workflow_id, status, variables FROM workflow_runs WHERE active = ?1;

-- name: workflow-engine-run-status
SELECT status FROM workflow_runs WHERE id = ?1;

-- name: workflow-engine-run-set-status
UPDATE workflow_runs SET status = ?2 WHERE id = ?1;

-- name: workflow-engine-run-set-variables
UPDATE workflow_runs SET variables = ?2 WHERE id = ?1;

-- name: workflow-engine-run-end
-- ?2 status (finished, stopped, failed), ?3 now, ?4 error.
UPDATE workflow_runs SET status = ?2, active = NULL, finished_at = ?3, error = ?4 WHERE id = ?1;

-- name: workflow-engine-task-insert
-- ?1 run, ?2 activity, ?3 type, ?4 status, ?5 inputs, ?6 state, ?7 wake at, ?8 now.
INSERT INTO workflow_tasks (run_id, activity, type, status, inputs, state, wake_at, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
RETURNING id;

-- name: workflow-engine-due
-- Tasks to claim at ?1 (now), at most ?2: pending or waiting ones that are due, and running
-- ones whose lease has expired (their node died), in runs that are running. A re-armed task (a
-- scheduler's next tick: waiting and never run, attempts = 0) is not due while another task of
-- its run is pending or running: it fires once when that branch has ended.
SELECT t.id, t.run_id, t.status, t.lease_until
FROM workflow_tasks t JOIN workflow_runs r ON r.id = t.run_id
WHERE r.status = 'running'
  AND ((t.status IN ('pending', 'waiting') AND t.wake_at <= ?1)
       OR (t.status = 'running' AND t.lease_until < ?1))
  AND NOT (t.status = 'waiting' AND t.attempts = 0
           AND EXISTS (SELECT 1 FROM workflow_tasks o
                       WHERE o.run_id = t.run_id AND o.id <> t.id
                         AND o.status IN ('pending', 'running')))
ORDER BY t.wake_at, t.id
LIMIT ?2;

-- name: workflow-engine-claim
-- Compare-and-set: ?1 task, ?2 owner, ?3 lease until, ?4 now. Changes one row when the task
-- was still due and its run running. A new attempt counts (not the wake of a waiting task).
UPDATE workflow_tasks
SET status = 'running', owner = ?2, lease_until = ?3, started_at = COALESCE(started_at, ?4),
    attempts = CASE WHEN status = 'pending' OR attempts = 0 THEN attempts + 1 ELSE attempts END
WHERE id = ?1 AND status IN ('pending', 'waiting') AND wake_at <= ?4
  AND EXISTS (SELECT 1 FROM workflow_runs r
              WHERE r.id = workflow_tasks.run_id AND r.status = 'running');

-- name: workflow-engine-claim-expired
-- Compare-and-set on an expired lease: ?1 task, ?2 owner, ?3 lease until, ?4 now, ?5 the
-- lease_until read.
UPDATE workflow_tasks SET owner = ?2, lease_until = ?3
WHERE id = ?1 AND status = 'running' AND lease_until = ?5 AND lease_until < ?4
  AND EXISTS (SELECT 1 FROM workflow_runs r
              WHERE r.id = workflow_tasks.run_id AND r.status = 'running');

-- name: workflow-engine-take-over
-- SQLite only (one node; the name exists in both dialects): every task left running by a process that died becomes claimable.
UPDATE workflow_tasks SET lease_until = 0 WHERE status = 'running';

-- name: workflow-engine-stale
-- Running tasks with an expired lease (?1 now) in runs that are no longer running: their
-- node died while the run was stopped or failed; the engine cancels them.
SELECT t.id, t.run_id
FROM workflow_tasks t JOIN workflow_runs r ON r.id = t.run_id
WHERE t.status = 'running' AND t.lease_until < ?1
  AND r.status IN ('stopping', 'stopped', 'finished', 'failed')
LIMIT 100;

-- name: workflow-engine-task-load
SELECT t.run_id, t.activity, t.type, t.inputs, t.state, t.attempts, r.workflow_id, r.graph,
       r.variables, r.dry_run, r.run_as, r.run_as_role
FROM workflow_tasks t JOIN workflow_runs r ON r.id = t.run_id
WHERE t.id = ?1;

-- name: workflow-engine-task-state
SELECT status, owner FROM workflow_tasks WHERE id = ?1;

-- name: workflow-engine-lease-renew
-- ?1 task, ?2 owner, ?3 lease until.
UPDATE workflow_tasks SET lease_until = ?3 WHERE id = ?1 AND owner = ?2 AND status = 'running';

-- name: workflow-engine-task-finish
-- ?1 task, ?2 owner, ?3 status (done, failed, skipped, cancelled), ?4 state, ?5 error, ?6 now.
UPDATE workflow_tasks SET status = ?3, state = ?4, error = ?5, finished_at = ?6, lease_until = 0
WHERE id = ?1 AND owner = ?2 AND status = 'running';

-- name: workflow-engine-task-wait
-- ?1 task, ?2 owner, ?3 wake at, ?4 state.
UPDATE workflow_tasks SET status = 'waiting', wake_at = ?3, state = ?4, lease_until = 0
WHERE id = ?1 AND owner = ?2 AND status = 'running';

-- name: workflow-engine-task-retry
-- ?1 task, ?2 owner, ?3 wake at, ?4 error.
UPDATE workflow_tasks SET status = 'pending', wake_at = ?3, error = ?4, lease_until = 0
WHERE id = ?1 AND owner = ?2 AND status = 'running';

-- name: workflow-engine-task-cancel-stale
UPDATE workflow_tasks SET status = 'cancelled', finished_at = ?2, lease_until = 0
WHERE id = ?1 AND status = 'running';

-- name: workflow-engine-collecting
-- ?1 run, ?2 activity: its tasks still collecting inputs, oldest first.
SELECT id, inputs FROM workflow_tasks
WHERE run_id = ?1 AND activity = ?2 AND status = 'collecting'
ORDER BY id;

-- name: workflow-engine-collecting-all
SELECT id, activity FROM workflow_tasks WHERE run_id = ?1 AND status = 'collecting' ORDER BY id;

-- name: workflow-engine-task-set-inputs
-- ?1 task, ?2 inputs, ?3 status (collecting or pending), ?4 wake at.
UPDATE workflow_tasks SET inputs = ?2, status = ?3, wake_at = ?4 WHERE id = ?1;

-- name: workflow-engine-task-cancel
-- ?1 task, ?2 now, ?3 error: a task that is not running.
UPDATE workflow_tasks SET status = 'cancelled', finished_at = ?2, error = ?3
WHERE id = ?1 AND status IN ('collecting', 'pending', 'waiting');

-- name: workflow-engine-tasks-cancel-open
-- ?1 run, ?2 now: every task that waits to run (a stop).
UPDATE workflow_tasks SET status = 'cancelled', finished_at = ?2
WHERE run_id = ?1 AND status IN ('collecting', 'pending', 'waiting');

-- name: workflow-engine-tasks-cancel-others
-- ?1 run, ?2 now, ?3 the failed task: every other open task, running ones included (their
-- next checkpoint or end finds them cancelled).
UPDATE workflow_tasks SET status = 'cancelled', finished_at = ?2, lease_until = 0
WHERE run_id = ?1 AND id <> ?3 AND status IN ('collecting', 'pending', 'waiting', 'running');

-- name: workflow-engine-run-open
-- ?1 run: tasks that keep it alive (collecting ones alone do not).
SELECT count(*) FROM workflow_tasks
WHERE run_id = ?1 AND status IN ('pending', 'running', 'waiting');

-- name: workflow-engine-run-running
SELECT count(*) FROM workflow_tasks WHERE run_id = ?1 AND status = 'running';

-- name: workflow-engine-task-waiting
-- ?1 run, ?2 activity: the task waiting for a signal.
SELECT id, state FROM workflow_tasks
WHERE run_id = ?1 AND activity = ?2 AND status = 'waiting'
ORDER BY id LIMIT 1;

-- name: workflow-engine-task-signal
-- ?1 task, ?2 now, ?3 state.
UPDATE workflow_tasks SET status = 'pending', wake_at = ?2, state = ?3
WHERE id = ?1 AND status = 'waiting';

-- name: workflow-engine-table-next
-- ?1 task: how many tables it has registered (the next one is numbered after them).
SELECT count(*) FROM workflow_tables WHERE task_id = ?1;

-- name: workflow-engine-table-register
-- ?1 name, ?2 run, ?3 task, ?4 resource, ?5 columns, ?6 now, ?7 owner: only while the task is
-- still this owner's and running (a cancelled task makes no new table).
INSERT INTO workflow_tables (name, run_id, task_id, resource, columns, created_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6
WHERE EXISTS (SELECT 1 FROM workflow_tasks WHERE id = ?3 AND owner = ?7 AND status = 'running');

-- name: workflow-engine-tables-uncommitted
-- ?1 task: the tables an unfinished attempt made.
SELECT name FROM workflow_tables WHERE task_id = ?1 AND committed = FALSE;

-- name: workflow-engine-tables-uncommitted-delete
DELETE FROM workflow_tables WHERE task_id = ?1 AND committed = FALSE;

-- name: workflow-engine-table-send
-- ?1 name, ?2 transitions it goes along, ?3 rows.
UPDATE workflow_tables SET refs = refs + ?2, row_count = ?3, committed = TRUE WHERE name = ?1;

-- name: workflow-engine-table-release
UPDATE workflow_tables SET refs = refs - 1 WHERE name = ?1;

-- name: workflow-engine-tables-unused
-- ?1 run, ?2 task: tables nobody has to read any more: sent on and read by all, or made by
-- this task and not sent on.
SELECT name FROM workflow_tables
WHERE run_id = ?1 AND dropped_at IS NULL AND refs <= 0 AND (committed = TRUE OR task_id = ?2);

-- name: workflow-engine-tables-of-run
SELECT name FROM workflow_tables WHERE run_id = ?1 AND dropped_at IS NULL;

-- name: workflow-engine-table-dropped
UPDATE workflow_tables SET dropped_at = ?2 WHERE name = ?1;

-- name: workflow-engine-count-add
-- ?1 run, ?2 transition, ?3 rows (NULL without a population), ?4 rows added to the total, ?5 now.
INSERT INTO workflow_transition_counts (run_id, transition, row_count, total, times, updated_at)
VALUES (?1, ?2, ?3, ?4, 1, ?5)
ON CONFLICT (run_id, transition) DO UPDATE
SET row_count = excluded.row_count, total = workflow_transition_counts.total + excluded.total,
    times = workflow_transition_counts.times + 1, updated_at = excluded.updated_at;

-- name: workflow-engine-log
-- ?1 run, ?2 task (NULL for the run), ?3 activity, ?4 level, ?5 message, ?6 rows, ?7 duration,
-- ?8 now.
INSERT INTO workflow_logs (run_id, task_id, activity, level, message, row_count, duration_ms, at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);

-- name: workflow-engine-tables-of-task
SELECT name FROM workflow_tables WHERE task_id = ?1;
