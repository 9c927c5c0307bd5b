-- 003: for the statistics (storage/stats.py). Every figure is computed from cases, events and
-- ratings; these indexes let a scope's figures over a period come from index ranges rather
-- than a table scan, even over millions of cases.

-- A community's cases in a period (grids and streets have theirs in 001).
CREATE INDEX cases_community_created ON cases (community_id, created_at);
-- Still-open cases by scope: the backlog.
CREATE INDEX cases_status_grid ON cases (status, grid_id);

-- The last risk colour seen per grid, so that a grid alerts its community and street once
-- when it turns red or orange, not at every check.
CREATE TABLE grid_risk (
    grid_id    TEXT    PRIMARY KEY,
    colour     TEXT    NOT NULL,
    score      REAL    NOT NULL,
    since      INTEGER NOT NULL,                  -- when it took this colour
    checked_at INTEGER NOT NULL
);
