-- 010 (issue 16): the PostgreSQL twin of storage/migrations/010_inbox_claims.sql (the pg branch
-- brings 001–009 and this folder's package): workers claim inbox updates under a lease, and of
-- each lane (chat) only the oldest waiting update.
ALTER TABLE inbox ADD COLUMN lease_until BIGINT;
ALTER TABLE inbox ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE inbox ADD COLUMN lane BIGINT;
UPDATE inbox SET lane = chat_id;
CREATE INDEX inbox_lane_waiting ON inbox (lane, update_id) WHERE status = 'waiting';
