-- How many messages a background task walks, counted when it starts, so its progress can be shown as a fraction.
-- Tasks created before this column existed have none (NULL).
ALTER TABLE background_task ADD COLUMN total INTEGER;
