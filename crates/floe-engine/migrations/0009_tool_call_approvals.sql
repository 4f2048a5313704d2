-- Approvals of an agent's tool calls: `node` is the call's path (`<agent>/tool/<turn>.<call>`),
-- `tool` the tool it calls, and an approval's `scope` says how far it reaches: `once`, `run`
-- (every call of the tool in this run) or `blueprint` (also written into the blueprint).
ALTER TABLE approvals ADD COLUMN tool TEXT;
ALTER TABLE approvals ADD COLUMN scope TEXT;
CREATE INDEX approvals_by_tool ON approvals (run_id, tool) WHERE tool IS NOT NULL;
