-- 010 (issue 16): several worker processes handle the inbox. A worker claims an update before
-- handling it (lease_until, claimed_by: as the outbox's claims of 008), so that two never handle
-- one, and a worker killed mid-update leaves a claim that runs out and another takes it over.
-- lane is the chat whose order the update keeps (a button's chat too, which chat_id leaves
-- empty): an update may be claimed only when no earlier update of its lane is still waiting.
ALTER TABLE inbox ADD COLUMN lease_until INTEGER;
ALTER TABLE inbox ADD COLUMN claimed_by TEXT;
ALTER TABLE inbox ADD COLUMN lane INTEGER;
UPDATE inbox SET lane = chat_id;
CREATE INDEX inbox_lane_waiting ON inbox (lane, update_id) WHERE status = 'waiting';
