-- Content fragments (docs/deliveries.md, "Content fragments"): named blocks of template text
-- (a header, a footer, a legal notice) that messages include with {% include "name" %}.
-- Times are Unix milliseconds.
CREATE TABLE content_fragments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    label       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    modified_at BIGINT  NOT NULL,
    modified_by TEXT    NOT NULL
);
