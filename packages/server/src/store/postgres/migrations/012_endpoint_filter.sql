-- Endpoint filters (a Herald extension): conditions on a message's body fields and inbound request headers.
-- NULL: no filter, which is what every endpoint created before this migration has.
ALTER TABLE endpoint ADD COLUMN filter jsonb;
