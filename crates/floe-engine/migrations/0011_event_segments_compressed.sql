-- Segments written from here on hold their JSON lines compressed: `codec` says how `events`
-- holds them. NULL (every row written before): the lines as text. 'zstd': one zstd frame of the
-- lines' UTF-8 bytes, as a BLOB. Event lines repeat their field names, tags and node ids: a
-- 10,000-node run's 3.1 MB of lines is stored in about 0.44 MB, and SQLite writes (WAL frames,
-- their checksums, the checkpoint's copy) shrink by as much.
ALTER TABLE event_segments ADD COLUMN codec TEXT;
