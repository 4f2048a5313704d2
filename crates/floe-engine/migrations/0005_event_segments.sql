-- The journal as segments: each transaction appends one row holding its batch of events as JSON
-- lines, instead of one row per event plus an upserted row per node attempt. Journaling a fast
-- node then costs a line of text, not three B-tree inserts; node attempts are read from the
-- events (`Store::run`), which hold everything `node_runs` did.
CREATE TABLE event_segments (
    run_id    TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    events    TEXT NOT NULL          -- one event per line, as JSON without its run id (the row's)
);
CREATE UNIQUE INDEX event_segments_by_run ON event_segments (run_id, first_seq);

INSERT INTO event_segments (run_id, first_seq, last_seq, events)
SELECT run_id, seq, seq, data FROM events ORDER BY run_id, seq;

DROP VIEW node_run_values;
DROP TABLE node_runs;
DROP TABLE events;
