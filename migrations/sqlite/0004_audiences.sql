-- Audiences (docs/audiences.md): query audiences keep an expression of the query language and
-- are recomputed whenever they are used; list audiences keep a set of profile ids (a snapshot of
-- a query, or a file) in audience_members. Times are Unix milliseconds, like users and imports.
CREATE TABLE audiences (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    label           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    kind            TEXT    NOT NULL CHECK (kind IN ('query', 'list')),
    resource        TEXT    NOT NULL,
    expression      TEXT,
    expression_json TEXT,
    expires_at      BIGINT,
    created_at      BIGINT  NOT NULL,
    created_by      TEXT    NOT NULL,
    modified_at     BIGINT  NOT NULL,
    modified_by     TEXT    NOT NULL
);

-- Members of list audiences. Deleting a profile removes it from every list; deleting an
-- audience removes its members. Members are kept when an audience expires.
CREATE TABLE audience_members (
    audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
    profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    added_at    BIGINT  NOT NULL,
    PRIMARY KEY (audience_id, profile_id)
) WITHOUT ROWID;
CREATE INDEX audience_members_profile_idx ON audience_members(profile_id);
