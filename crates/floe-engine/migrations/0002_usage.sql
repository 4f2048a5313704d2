-- Model usage per run: tokens and cost summed from the node_usage events (projected in the same
-- transaction as the events).
ALTER TABLE runs ADD COLUMN tokens_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN tokens_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
