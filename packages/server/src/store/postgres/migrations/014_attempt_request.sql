-- The headers each attempt sent (JSON: {headers, sensitive}), so a receiver's failed signature check can be debugged
-- against exactly what arrived. Attempts recorded before this migration have none.
ALTER TABLE attempt ADD COLUMN request_headers TEXT;
