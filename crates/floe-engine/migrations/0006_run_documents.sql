-- The document each run ran moves out of the `runs` row into a table of its own. `runs` is
-- updated as a run goes (its totals and last seq with every journal write, its lease), and SQLite
-- writes a row whole: with a 2 MB blueprint in it, each of those updates read and rewrote 2 MB of
-- overflow pages.
CREATE TABLE run_documents (
    run_id TEXT PRIMARY KEY NOT NULL,  -- runs.id
    json   TEXT NOT NULL               -- the exact document that ran
);

INSERT INTO run_documents (run_id, json) SELECT id, blueprint_json FROM runs;

ALTER TABLE runs DROP COLUMN blueprint_json;
