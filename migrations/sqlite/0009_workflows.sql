-- Workflows (docs/workflows.md): a versioned graph of activities and transitions, its runs, the
-- run's persistent tasks (so a restart resumes a run where it stopped), the working tables that
-- carry populations along transitions, the counts on transitions, and the log. Times are Unix
-- milliseconds.
CREATE TABLE workflows (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    label       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    graph       TEXT    NOT NULL,  -- JSON: activities, transitions, variables (workflow/model.hpp)
    version     BIGINT  NOT NULL DEFAULT 1,  -- bumped by every change of the graph or label
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    modified_at BIGINT  NOT NULL,
    modified_by TEXT    NOT NULL
);

-- One execution of a workflow. status: running, paused, stopping (tasks are being cancelled),
-- stopped, finished, failed. At most one run of a workflow is active (running, paused or
-- stopping) at a time: the partial unique index refuses a second one.
CREATE TABLE workflow_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id  BIGINT  NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    number       BIGINT  NOT NULL,  -- 1, 2, ... per workflow
    status       TEXT    NOT NULL,
    active       BIGINT,            -- the workflow id while running, paused or stopping; else NULL
    dry_run      BOOLEAN NOT NULL DEFAULT 0,
    graph        TEXT    NOT NULL,  -- the graph as it was when the run started
    version      BIGINT  NOT NULL,  -- the workflow's version then
    variables    TEXT    NOT NULL DEFAULT '{}',  -- JSON object, changed by signals and activities
    run_as       TEXT    NOT NULL,  -- the user whose rights the activities use
    run_as_role  TEXT    NOT NULL,
    error        TEXT    NOT NULL DEFAULT '',
    started_at   BIGINT  NOT NULL,
    started_by   TEXT    NOT NULL,
    finished_at  BIGINT
);
CREATE UNIQUE INDEX workflow_runs_active_idx ON workflow_runs(active);
CREATE INDEX workflow_runs_workflow_idx ON workflow_runs(workflow_id, id);

-- One execution of one activity in a run. status: collecting (an activity with several inbound
-- transitions waiting for the others), pending (due at wake_at), running (claimed by owner
-- until lease_until), waiting (for wake_at or a signal), done, failed, skipped, cancelled.
CREATE TABLE workflow_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      BIGINT  NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
    activity    TEXT    NOT NULL,  -- the activity's id in the graph
    type        TEXT    NOT NULL,  -- its type ("query", "segmentation", ...)
    status      TEXT    NOT NULL,
    inputs      TEXT    NOT NULL DEFAULT '[]',  -- JSON: [{"transition", "toPort", "table"}]
    state       TEXT    NOT NULL DEFAULT '{}',  -- JSON kept by the activity between steps
    attempts    INTEGER NOT NULL DEFAULT 0,
    wake_at     BIGINT  NOT NULL DEFAULT 0,
    owner       TEXT,
    lease_until BIGINT  NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    started_at  BIGINT,
    finished_at BIGINT
);
CREATE INDEX workflow_tasks_run_idx ON workflow_tasks(run_id, activity);
CREATE INDEX workflow_tasks_due_idx ON workflow_tasks(status, wake_at);

-- Working tables (wkf_<task>_<n>): created by a task, sent along transitions, dropped when every
-- task that reads them has finished (refs reaches 0) or when the run ends.
CREATE TABLE workflow_tables (
    name        TEXT    PRIMARY KEY,
    run_id      BIGINT  NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
    task_id     BIGINT  NOT NULL,
    resource    TEXT    NOT NULL,  -- what the id column identifies: "profile", a custom resource, "file"
    columns     TEXT    NOT NULL DEFAULT '[]',  -- JSON: additional data [{"name", "type", "column"}]
    row_count   BIGINT  NOT NULL DEFAULT 0,
    refs        BIGINT  NOT NULL DEFAULT 0,  -- tasks that still have to read it
    committed   BOOLEAN NOT NULL DEFAULT 0,  -- the creating task finished and sent it on
    created_at  BIGINT  NOT NULL,
    dropped_at  BIGINT
);
CREATE INDEX workflow_tables_run_idx ON workflow_tables(run_id);

-- What each transition carried in a run (the counts drawn on the canvas). A transition taken
-- several times in one run (a scheduler firing every day) adds up: count is the last one,
-- total the sum, times how often.
CREATE TABLE workflow_transition_counts (
    run_id      BIGINT  NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
    transition  TEXT    NOT NULL,
    row_count   BIGINT,  -- NULL when the transition carries no population
    total       BIGINT  NOT NULL DEFAULT 0,
    times       BIGINT  NOT NULL DEFAULT 0,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (run_id, transition)
);

CREATE TABLE workflow_logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      BIGINT  NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
    task_id     BIGINT,
    activity    TEXT    NOT NULL DEFAULT '',
    level       TEXT    NOT NULL,  -- info, warning, error
    message     TEXT    NOT NULL,
    row_count   BIGINT,
    duration_ms BIGINT,
    at          BIGINT  NOT NULL
);
CREATE INDEX workflow_logs_run_idx ON workflow_logs(run_id, id);

-- A delivery made by a workflow's Email delivery activity names its task: a task run again after
-- its node died finds the delivery it made instead of making a second one.
ALTER TABLE deliveries ADD COLUMN workflow_task BIGINT;
CREATE UNIQUE INDEX deliveries_workflow_task_idx ON deliveries(workflow_task);
-- Sending logs remember the workflow segment a recipient came from.
ALTER TABLE delivery_recipients ADD COLUMN segment_code TEXT NOT NULL DEFAULT '';
-- Incremental queries remember what they have already given out, per workflow and activity.
CREATE TABLE workflow_seen (
    workflow_id BIGINT  NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    activity    TEXT    NOT NULL,
    row_id      BIGINT  NOT NULL,
    run_id      BIGINT  NOT NULL,
    task_id     BIGINT  NOT NULL DEFAULT 0,  -- the task that gave it out (a rerun forgets its own)
    PRIMARY KEY (workflow_id, activity, row_id)
) WITHOUT ROWID;
CREATE INDEX workflow_seen_task_idx ON workflow_seen(task_id);

-- In-app notifications (the Alert activity writes them; GET /api/v1/notifications reads a user's
-- own). Times are Unix milliseconds; read_at is NULL while unread.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    username    TEXT    NOT NULL,
    level       TEXT    NOT NULL,  -- info, warning, error
    title       TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    link        TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    read_at     BIGINT,
    task_id     BIGINT  -- the workflow task that sent it: a task run again does not notify twice
);
CREATE INDEX notifications_user_idx ON notifications(username, id);
CREATE UNIQUE INDEX notifications_task_idx ON notifications(task_id, username);
