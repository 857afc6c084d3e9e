-- Ordered delivery: an ordered endpoint's deliveries wait their turn (waiting_turn, no due time) and are made
-- due one at a time, oldest first, when the one before is final. Parked rows are a different thing (a full queue)
-- and must not take them.
ALTER TABLE endpoint ADD COLUMN ordered boolean NOT NULL DEFAULT false;
ALTER TABLE delivery ADD COLUMN waiting_turn boolean NOT NULL DEFAULT false;
DROP INDEX delivery_parked;
CREATE INDEX delivery_parked ON delivery (endpoint_id, id) WHERE status = 1 AND next_attempt_at IS NULL AND NOT waiting_turn;
CREATE INDEX delivery_waiting_turn ON delivery (endpoint_id, id) WHERE waiting_turn;
CREATE INDEX delivery_active ON delivery (endpoint_id) WHERE status IN (1, 3) AND NOT waiting_turn;
