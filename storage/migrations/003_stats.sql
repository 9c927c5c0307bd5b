-- 003: indexes for the statistics (storage/stats.py). Every figure is computed from cases,
-- events and ratings; these let a street's or the district's figures over a period come
-- from index ranges rather than a table scan, even over millions of cases.

-- Period-scoped counts by category and grid: the covering columns keep SQLite in the index.
CREATE INDEX cases_street_created_cover ON cases (street_id, created_at, grid_id, category, status, urgent, overdue, reopen_count);
CREATE INDEX cases_community_created ON cases (community_id, created_at);
-- Resolved / closed / accepted in the period, whenever the case was created.
CREATE INDEX cases_resolved ON cases (resolved_at);
CREATE INDEX cases_accepted ON cases (accepted_at);
CREATE INDEX cases_closed ON cases (closed_at);
-- Still-open cases by scope (status is not final).
CREATE INDEX cases_status_street ON cases (status, street_id, grid_id);
-- Ratings and likes by time.
CREATE INDEX ratings_at ON ratings (at, case_id);
CREATE INDEX likes_at ON likes (at, case_id);
CREATE INDEX case_events_action_at ON case_events (action, at, case_id);
