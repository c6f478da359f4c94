-- Import runs: the uploaded file, the mapping, live counters and the outcome.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   BIGINT  NOT NULL,
    created_by   TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    file_path    TEXT    NOT NULL,
    file_bytes   BIGINT  NOT NULL,
    sniff        TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    resource     TEXT,
    spec         TEXT,
    read_count   BIGINT  NOT NULL DEFAULT 0,
    inserted     BIGINT  NOT NULL DEFAULT 0,
    updated      BIGINT  NOT NULL DEFAULT 0,
    unchanged    BIGINT  NOT NULL DEFAULT 0,
    deleted      BIGINT  NOT NULL DEFAULT 0,
    rejected     BIGINT  NOT NULL DEFAULT 0,
    rejects_path TEXT,
    error        TEXT,
    started_at   BIGINT,
    finished_at  BIGINT
);
