-- The tracking log is append-only and read only through its profile index (profile_id, id). Its
-- primary-key index cost every event one more B-tree insert and its WAL: about a fifth of the
-- server's work per event under load (docs/benchmarks.md, "Tracking endpoints": 3.4 -> 2.6 to
-- 2.9 µs). Ids still come from the identity column, so they stay unique and increasing.
ALTER TABLE tracking_events DROP CONSTRAINT tracking_events_pkey;
