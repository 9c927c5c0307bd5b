-- 004: the deadline keeper (bot/deadlines.py). Its timers are derived from the cases' deadlines
-- (accept_due, resolve_due, resolved_at) and keyed by the deadline they serve: a changed deadline
-- gets new timers, and a timer whose deadline has moved on is skipped when it fires. fired_at
-- records what was done, in the same transaction as the doing, so a restart or a second tick
-- does nothing twice and loses nothing.

CREATE TABLE deadline_timers (
    case_id  BIGINT NOT NULL REFERENCES cases (id),
    kind     TEXT COLLATE "C"    NOT NULL,                    -- accept_remind, accept_due, resolve_remind, resolve_due, overdue_accept, overdue_resolve, rating_remind, rating_close
    due_at   BIGINT NOT NULL,                    -- the deadline served (UTC seconds)
    seq      BIGINT NOT NULL DEFAULT 0,          -- the n-th repeat of a repeating reminder
    fire_at  BIGINT NOT NULL,
    fired_at BIGINT,                             -- NULL while pending
    outcome  TEXT COLLATE "C",                                -- what firing did (done, stale, error text)
    PRIMARY KEY (case_id, kind, due_at, seq)
);
CREATE INDEX deadline_timers_pending ON deadline_timers (fire_at) WHERE fired_at IS NULL;

-- Digests already queued, one row per kind and period: the daily digest per local date, the
-- weekly summary per ISO week summarised.
CREATE TABLE digest_runs (
    kind   TEXT COLLATE "C"    NOT NULL,                      -- daily, weekly
    period TEXT COLLATE "C"    NOT NULL,                      -- 2026-11-25, 2026-W47
    at     BIGINT NOT NULL,
    PRIMARY KEY (kind, period)
);

-- Small named values the keeper keeps between ticks (the sync watermark).
CREATE TABLE keeper_state (
    name  TEXT COLLATE "C"    PRIMARY KEY,
    value BIGINT NOT NULL
);

-- The keeper finds changed cases by their update time.
CREATE INDEX cases_updated ON cases (updated_at);
