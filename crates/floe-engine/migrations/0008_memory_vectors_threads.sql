-- A memory write in one statement (one round trip to SQLite, so 10,000 writes take well under
-- two seconds): the INSERT names the memory it `replaces` (looked up in a sub-select), and
-- triggers do the rest inside the same statement. The namespace is created on first write and
-- its budget checked before the row goes in; the replaced memory becomes history after.
ALTER TABLE memories ADD COLUMN replaces INTEGER;

CREATE TRIGGER memories_admit BEFORE INSERT ON memories BEGIN
    -- 16 MiB: store::memory::DEFAULT_BUDGET.
    INSERT INTO memory_namespaces (name, budget_bytes, created_at)
    SELECT new.namespace, 16777216, new.created_at
    WHERE NOT EXISTS (SELECT 1 FROM memory_namespaces WHERE name = new.namespace);
    -- The message is matched in store/memory.rs, which says it in full.
    SELECT RAISE(ABORT, 'floe: memory budget')
    FROM memory_namespaces WHERE name = new.namespace AND used_bytes + new.bytes > budget_bytes;
END;

-- A memory's history is the chain of `superseded_by` links, read both ways.
CREATE INDEX memories_by_successor ON memories (superseded_by) WHERE superseded_by IS NOT NULL;

CREATE TRIGGER memories_supersede AFTER INSERT ON memories WHEN new.replaces IS NOT NULL BEGIN
    UPDATE memories SET state = 'superseded', superseded_by = new.id, updated_at = new.created_at
    WHERE id = new.replaces AND state = 'active';
END;

-- Embeddings of memories, when an embedding model is configured: one vector per memory and
-- model, little-endian f32s. Search reads them into memory once per namespace and model, then
-- only the rows added since.
CREATE TABLE memory_vectors (
    id        INTEGER PRIMARY KEY,   -- the memory's id
    namespace TEXT NOT NULL,
    model     TEXT NOT NULL,         -- `provider:model` that made it
    dims      INTEGER NOT NULL,
    vector    BLOB NOT NULL
);

CREATE INDEX memory_vectors_by_namespace ON memory_vectors (namespace, model, id);

CREATE TRIGGER memories_vector_delete AFTER DELETE ON memories BEGIN
    DELETE FROM memory_vectors WHERE id = old.id;
END;

-- Conversations: an `llm` or `agent` node's thread, by key, whose messages persist across runs.
-- Older messages fold into `summary` when the thread outgrows its token budget; the folded
-- messages stay (marked `folded`) for the record.
CREATE TABLE threads (
    key        TEXT PRIMARY KEY NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE thread_messages (
    id         INTEGER PRIMARY KEY,
    thread     TEXT NOT NULL REFERENCES threads (key),
    role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content    TEXT NOT NULL,
    tokens     INTEGER NOT NULL,      -- estimated: what it takes of the thread's budget
    folded     INTEGER NOT NULL DEFAULT 0,
    run_id     TEXT,
    node       TEXT,
    call_key   TEXT,                  -- the node call that added it: a resumed run adds nothing twice
    created_at INTEGER NOT NULL
);

CREATE INDEX thread_messages_by_thread ON thread_messages (thread, folded, id);
CREATE UNIQUE INDEX thread_messages_once ON thread_messages (call_key, role) WHERE call_key IS NOT NULL;

-- FTS5 merges index segments as commits add them: at 8 segments of a level, not 4, so a
-- stream of one-memory commits spends less time merging (10,000 single writes: see the bench).
INSERT INTO memories_fts (memories_fts, rank) VALUES ('automerge', 8);
