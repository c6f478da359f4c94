-- PostgreSQL's twin drops the tracking log's primary-key index. On SQLite the log's id is the
-- rowid, which costs no index of its own: nothing to do.
SELECT 1;
