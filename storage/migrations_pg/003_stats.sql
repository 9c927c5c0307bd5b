-- 003: for the statistics (storage/stats.py). Every figure is computed from cases, events,
-- ratings and likes; these indexes let a scope's figures over a period come from index ranges
-- rather than from the table, even over millions of cases.

-- The cohort index: a scope is a list of grids, so (grid, category, created) gives one
-- contiguous range per (grid, category) pair, already in GROUP BY order, and the columns after
-- created_at cover every count, deadline check and duration without touching the table.
CREATE INDEX cases_cohort ON cases (grid_id, category, created_at, status, urgent, overdue, reopen_count, resolve_due, resolved_at, accepted_at);
-- The backlog: only open cases are in it, so it stays small however old the database grows.
CREATE INDEX cases_open ON cases (grid_id) WHERE status IN ('new', 'assigned', 'accepted', 'escalated', 'reopened');
-- Ratings by case with their score, so that the satisfaction join never reads the table.
CREATE INDEX ratings_case_score ON ratings (case_id, round, score);

-- The last risk colour seen per grid, so that a grid alerts its community and street once
-- when it turns red or orange, not at every check.
CREATE TABLE grid_risk (
    grid_id    TEXT COLLATE "C"    PRIMARY KEY,
    colour     TEXT COLLATE "C"    NOT NULL,
    score      DOUBLE PRECISION    NOT NULL,
    since      BIGINT NOT NULL,                  -- when it took this colour
    checked_at BIGINT NOT NULL
);
