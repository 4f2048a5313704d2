-- A blueprint's history (the app's runs list) and its latest run (run from here) without a scan.
CREATE INDEX runs_by_blueprint ON runs (blueprint_id, started_at DESC);
