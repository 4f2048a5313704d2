-- Ownership by lease, and cancel requests through the store. A process that runs a run renews
-- `lease_until` (ms since the epoch) every second; a run whose lease ran out while it was not
-- over is interrupted, whatever the OS. `floe cancel` and the app write `cancel_requested` (the
-- reason); the owner sees it on its next look and cancels that run only.
ALTER TABLE runs ADD COLUMN lease_until INTEGER;
ALTER TABLE runs ADD COLUMN cancel_requested TEXT;
