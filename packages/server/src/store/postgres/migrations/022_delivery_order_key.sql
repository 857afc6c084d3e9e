-- Ordered delivery per key (a fifoEndpoint destination with a `key`): deliveries with the same order_key take turns,
-- different keys go side by side. NULL is one group of its own: every delivery of a plain ordered endpoint.
ALTER TABLE delivery ADD COLUMN order_key text COLLATE "C";
DROP INDEX delivery_waiting_turn;
CREATE INDEX delivery_waiting_turn ON delivery (endpoint_id, order_key, id) WHERE waiting_turn;
