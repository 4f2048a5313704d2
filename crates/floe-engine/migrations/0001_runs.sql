-- Runs, their event log (the journal), one row per node attempt, approvals, and the result cache.
-- JSON columns hold text; values larger than the spill threshold live in blob files and appear
-- here as {"$blob": "<blake3 hex>", "bytes": N}.

CREATE TABLE runs (
    id              TEXT PRIMARY KEY NOT NULL,
    blueprint_id    TEXT NOT NULL,
    blueprint_name  TEXT NOT NULL,
    blueprint_path  TEXT,
    blueprint_json  TEXT NOT NULL,    -- the exact document that ran
    hash            TEXT NOT NULL,    -- its plan hash
    inputs          TEXT NOT NULL,    -- run inputs after defaults
    status          TEXT NOT NULL,    -- running | paused | waiting | succeeded | failed | cancelled
    outputs         TEXT,
    error           TEXT,
    workspace       TEXT NOT NULL,
    parent_run      TEXT,             -- set for sub-workflow runs
    parent_node     TEXT,
    pid             INTEGER,          -- the process running it, while it runs
    started_at      INTEGER NOT NULL, -- ms since the epoch
    finished_at     INTEGER,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    nodes_succeeded INTEGER NOT NULL DEFAULT 0,
    nodes_failed    INTEGER NOT NULL DEFAULT 0,
    nodes_skipped   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_start ON runs (started_at DESC);
CREATE INDEX runs_by_status ON runs (status);

CREATE TABLE events (
    run_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    type   TEXT NOT NULL,
    node   TEXT,
    data   TEXT NOT NULL,             -- the whole event as JSON
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE node_runs (
    run_id       TEXT NOT NULL,
    node         TEXT NOT NULL,       -- node path (map/3/summarise)
    attempt      INTEGER NOT NULL,    -- from 1; 0 for skipped and cached nodes
    status       TEXT NOT NULL,       -- running | succeeded | failed | skipped | cached
    error        TEXT,
    started_at   INTEGER,
    finished_at  INTEGER,
    started_seq  INTEGER,             -- the node_started event (holds the inputs)
    finished_seq INTEGER,             -- the event that settled it (holds outputs or error)
    PRIMARY KEY (run_id, node, attempt)
) WITHOUT ROWID;

-- Node attempts with their input and output values, read from the events that carry them (the
-- values are stored once, in the event log).
CREATE VIEW node_run_values AS
SELECT n.run_id, n.node, n.attempt, n.status, n.error, n.started_at, n.finished_at,
       json_extract(s.data, '$.inputs') AS inputs,
       json_extract(f.data, '$.outputs') AS outputs
FROM node_runs n
LEFT JOIN events s ON s.run_id = n.run_id AND s.seq = n.started_seq
LEFT JOIN events f ON f.run_id = n.run_id AND f.seq = n.finished_seq;

CREATE TABLE approvals (
    run_id     TEXT NOT NULL,
    node       TEXT NOT NULL,
    prompt     TEXT NOT NULL,
    status     TEXT NOT NULL,         -- pending | approved | rejected
    allow_edit INTEGER NOT NULL,      -- whether an approval may change the value
    value      TEXT,                  -- the value under review, then the (possibly edited) value passed on
    comment    TEXT,
    asked_at   INTEGER NOT NULL,
    decided_at INTEGER,
    PRIMARY KEY (run_id, node)
) WITHOUT ROWID;

CREATE TABLE cache (
    key        TEXT PRIMARY KEY NOT NULL, -- blake3 of kind, kind version, config and inputs
    run_id     TEXT NOT NULL,
    node       TEXT NOT NULL,
    outputs    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
