-- The full-text index catches up in batches instead of at every write: a memory's own commit
-- then writes half the pages (its FTS5 segment was the other half), and 10,000 writes one at a
-- time take well under two seconds. Rows with an id up to `indexed_upto` are indexed (those
-- active when it got there); the rest are indexed by the one statement that moves it on, which
-- the store runs every 256 writes and before every keyword search, so search never misses one.
CREATE TABLE memory_fts_state (
    only         INTEGER PRIMARY KEY CHECK (only = 1),
    indexed_upto INTEGER NOT NULL
);
INSERT INTO memory_fts_state (only, indexed_upto) VALUES (1, coalesce((SELECT max(id) FROM memories), 0));

DROP TRIGGER memories_fts_insert;

CREATE TRIGGER memory_fts_catch_up AFTER UPDATE OF indexed_upto ON memory_fts_state BEGIN
    INSERT INTO memories_fts (rowid, namespace, text, tags)
    SELECT id, namespace, text, tags FROM memories
    WHERE id > old.indexed_upto AND id <= new.indexed_upto AND state = 'active';
END;

-- A memory not indexed yet has nothing in the index to take out: it is indexed as it is then.
DROP TRIGGER memories_fts_hide;
CREATE TRIGGER memories_fts_hide AFTER UPDATE OF state ON memories
WHEN old.state = 'active' AND new.state <> 'active' AND old.id <= (SELECT indexed_upto FROM memory_fts_state) BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, namespace, text, tags) VALUES ('delete', old.id, old.namespace, old.text, old.tags);
END;

DROP TRIGGER memories_fts_edit;
CREATE TRIGGER memories_fts_edit AFTER UPDATE OF text, tags ON memories
WHEN old.state = 'active' AND new.state = 'active' AND old.id <= (SELECT indexed_upto FROM memory_fts_state) BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, namespace, text, tags) VALUES ('delete', old.id, old.namespace, old.text, old.tags);
    INSERT INTO memories_fts (rowid, namespace, text, tags) VALUES (new.id, new.namespace, new.text, new.tags);
END;

DROP TRIGGER memories_fts_delete;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories
WHEN old.state = 'active' AND old.id <= (SELECT indexed_upto FROM memory_fts_state) BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, namespace, text, tags) VALUES ('delete', old.id, old.namespace, old.text, old.tags);
END;
