-- Memory: what agents and workflows remember, per namespace, in four kinds (working, episodic,
-- semantic, procedural). A memory is never changed in place: a new value for the same fact is a
-- new row, and the old one is `superseded` (kept as history, hidden from search); forgetting
-- sets `forgotten` (hidden) or deletes the rows. Search reads the FTS5 index, which holds the
-- active rows only (kept so by the triggers below).
CREATE TABLE memory_namespaces (
    name         TEXT PRIMARY KEY NOT NULL,
    budget_bytes INTEGER NOT NULL,          -- most bytes its stored memories may take
    used_bytes   INTEGER NOT NULL DEFAULT 0, -- what they take (forgotten ones not): kept by the triggers below
    created_at   INTEGER NOT NULL
);

CREATE TABLE memories (
    id            INTEGER PRIMARY KEY,      -- the FTS rowid
    namespace     TEXT NOT NULL REFERENCES memory_namespaces (name),
    kind          TEXT NOT NULL CHECK (kind IN ('working', 'episodic', 'semantic', 'procedural')),
    subject       TEXT,                     -- working: the key; semantic: the entity; procedural: the name
    attribute     TEXT,                     -- semantic: the attribute
    text          TEXT NOT NULL,            -- what search reads
    value         TEXT NOT NULL,            -- JSON
    tags          TEXT NOT NULL,            -- space-separated
    digest        TEXT NOT NULL,            -- of kind, subject, attribute, value: the same memory twice is one
    bytes         INTEGER NOT NULL,         -- what it counts against the namespace's budget
    state         TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'superseded', 'forgotten')),
    superseded_by INTEGER,
    pinned        INTEGER NOT NULL DEFAULT 0,
    successes     INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    run_id        TEXT,                     -- where it came from
    node          TEXT,
    call_key      TEXT UNIQUE,              -- a write's idempotency key: a resumed run never writes twice
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE INDEX memories_by_namespace ON memories (namespace, state, id);
CREATE UNIQUE INDEX memories_same ON memories (namespace, digest) WHERE state = 'active';
CREATE INDEX memories_by_subject ON memories (namespace, kind, subject, attribute) WHERE state = 'active';

-- The namespace is indexed too, so a search narrows to its namespace inside the index.
CREATE VIRTUAL TABLE memories_fts USING fts5 (namespace, text, tags, content = 'memories', content_rowid = 'id');

CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories WHEN new.state = 'active' BEGIN
    INSERT INTO memories_fts (rowid, namespace, text, tags) VALUES (new.id, new.namespace, new.text, new.tags);
END;

CREATE TRIGGER memories_fts_hide AFTER UPDATE OF state ON memories
WHEN old.state = 'active' AND new.state <> 'active' BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, namespace, text, tags) VALUES ('delete', old.id, old.namespace, old.text, old.tags);
END;

CREATE TRIGGER memories_fts_edit AFTER UPDATE OF text, tags ON memories
WHEN old.state = 'active' AND new.state = 'active' BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, namespace, text, tags) VALUES ('delete', old.id, old.namespace, old.text, old.tags);
    INSERT INTO memories_fts (rowid, namespace, text, tags) VALUES (new.id, new.namespace, new.text, new.tags);
END;

CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories WHEN old.state = 'active' BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, namespace, text, tags) VALUES ('delete', old.id, old.namespace, old.text, old.tags);
END;

-- What a namespace's memories take, kept exact on every path that stores, forgets or deletes one,
-- so a write checks its budget without summing the namespace.
CREATE TRIGGER memories_used_insert AFTER INSERT ON memories WHEN new.state <> 'forgotten' BEGIN
    UPDATE memory_namespaces SET used_bytes = used_bytes + new.bytes WHERE name = new.namespace;
END;

CREATE TRIGGER memories_used_state AFTER UPDATE OF state ON memories
WHEN (old.state = 'forgotten') <> (new.state = 'forgotten') BEGIN
    UPDATE memory_namespaces
    SET used_bytes = used_bytes + CASE WHEN new.state = 'forgotten' THEN -old.bytes ELSE new.bytes END
    WHERE name = new.namespace;
END;

CREATE TRIGGER memories_used_delete AFTER DELETE ON memories WHEN old.state <> 'forgotten' BEGIN
    UPDATE memory_namespaces SET used_bytes = used_bytes - old.bytes WHERE name = old.namespace;
END;
