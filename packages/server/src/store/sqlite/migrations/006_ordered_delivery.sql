-- Ordered delivery: an ordered endpoint's deliveries wait their turn (waiting_turn = 1, no due time) and are made
-- due one at a time, oldest first, when the one before is final. Parked rows are a different thing (a full queue)
-- and must not take them.
ALTER TABLE endpoint ADD COLUMN ordered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delivery ADD COLUMN waiting_turn INTEGER NOT NULL DEFAULT 0;
DROP INDEX delivery_parked;
CREATE INDEX delivery_parked ON delivery (endpoint_id, id) WHERE status = 1 AND next_attempt_at IS NULL AND waiting_turn = 0;
CREATE INDEX delivery_waiting_turn ON delivery (endpoint_id, id) WHERE waiting_turn = 1;
CREATE INDEX delivery_active ON delivery (endpoint_id) WHERE status IN (1, 3) AND waiting_turn = 0;
