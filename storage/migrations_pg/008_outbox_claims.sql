-- 008 (issue 14): the outbox drainer claims a notice before sending it, and gives up by age.
-- A claimed notice is "sending": status stays 'pending' (001's CHECK cannot be altered without
-- rebuilding a table other migrations also extend) and lease_until says until when the claim
-- holds; claimed_by names the drainer. A drainer that died mid-send leaves a lease that expires,
-- and the notice is taken again. retry_since is when the current run of failures began: the
-- notice waits in its chat's line (nothing behind it overtakes it) and is given up only when
-- that run is older than the configured age.
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE outbox ADD COLUMN retry_since BIGINT;
-- Chats being served now, and chats waiting behind a notice that failed: both small sets.
CREATE INDEX outbox_leased ON outbox (chat_id, lease_until) WHERE lease_until IS NOT NULL;
CREATE INDEX outbox_waiting ON outbox (chat_id, not_before) WHERE retry_since IS NOT NULL AND status = 'pending';
