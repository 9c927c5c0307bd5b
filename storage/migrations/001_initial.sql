-- 001: the first schema. Times are UTC seconds since the epoch (INTEGER): cheap to compare,
-- index and aggregate over millions of cases; every adapter converts to local time for people.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,            -- Telegram user id
    name        TEXT    NOT NULL,
    username    TEXT,
    started_bot INTEGER NOT NULL DEFAULT 0,     -- 1 once the user has /start-ed the bot privately
    blocked     INTEGER NOT NULL DEFAULT 0,     -- 1 after a 403 from the API
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
);

CREATE TABLE case_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL UNIQUE,     -- 2026-000123: what people see
    grid_id         TEXT    NOT NULL,
    community_id    TEXT    NOT NULL,
    street_id       TEXT    NOT NULL,
    reporter_id     INTEGER NOT NULL,
    reporter_name   TEXT    NOT NULL,
    anonymous       INTEGER NOT NULL DEFAULT 0,
    chat_id         INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    urgent          INTEGER NOT NULL DEFAULT 0,
    location        TEXT,
    confidence      REAL    NOT NULL DEFAULT 1.0,
    status          TEXT    NOT NULL,
    assignee_id     INTEGER,
    department_id   TEXT,
    accept_due      INTEGER,
    resolve_due     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    accepted_at     INTEGER,
    resolved_at     INTEGER,
    closed_at       INTEGER,
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    escalation_count INTEGER NOT NULL DEFAULT 0,
    overdue         INTEGER NOT NULL DEFAULT 0,
    card_chat_id    INTEGER,                     -- the case card in the group, edited as the case moves
    card_message_id INTEGER,
    UNIQUE (chat_id, message_id)                 -- the same message never makes two cases
);
CREATE INDEX cases_grid_created ON cases (grid_id, created_at);
CREATE INDEX cases_street_created ON cases (street_id, created_at);
CREATE INDEX cases_assignee_status ON cases (assignee_id, status);
CREATE INDEX cases_reporter ON cases (reporter_id, created_at);
CREATE INDEX cases_created ON cases (created_at);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    at          INTEGER NOT NULL,
    actor_id    INTEGER,                          -- NULL: the system (deadlines, timers)
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    note        TEXT,
    data        TEXT                              -- JSON: what else changed (level, assignee, old text…)
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('photo', 'location')),
    file_id    TEXT,
    latitude   REAL,
    longitude  REAL,
    added_by   INTEGER NOT NULL,
    message_id INTEGER,
    at         INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);

CREATE TABLE ratings (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    round    INTEGER NOT NULL,                   -- 0 for the first resolution, +1 per reopening
    rater_id INTEGER NOT NULL,
    score    TEXT    NOT NULL CHECK (score IN ('satisfied', 'basic', 'unsatisfied')),
    reason   TEXT,
    at       INTEGER NOT NULL,
    UNIQUE (case_id, round)
);

CREATE TABLE likes (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    user_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

CREATE TABLE followers (                          -- 同问: the same problem reported again
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    user_id    INTEGER NOT NULL,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    UNIQUE (chat_id, message_id)
);
CREATE INDEX followers_case ON followers (case_id);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER REFERENCES cases (id),
    kind        TEXT    NOT NULL,                 -- what to say; the adapter renders the words
    chat_id     INTEGER NOT NULL,                 -- a user id (private) or a group chat id
    payload     TEXT    NOT NULL DEFAULT '{}',    -- JSON
    dedupe_key  TEXT UNIQUE,                      -- the same notice is never queued twice
    created_at  INTEGER NOT NULL,
    not_before  INTEGER NOT NULL,                 -- quiet hours and retries push this later
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     INTEGER,
    message_id  INTEGER,                          -- what the API answered, for later edits
    last_error  TEXT
);
CREATE INDEX outbox_due ON outbox (status, not_before);
