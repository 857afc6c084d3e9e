-- Named consumers of polling destinations (Svix's messagePoller.consumerPoll): each one's position, an iterator.
CREATE TABLE poller_consumer (
  destination_id text COLLATE "C" NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
  consumer_id    text COLLATE "C" NOT NULL,
  iterator       text COLLATE "C" NOT NULL,
  updated_at     bigint NOT NULL,
  PRIMARY KEY (destination_id, consumer_id)
);
