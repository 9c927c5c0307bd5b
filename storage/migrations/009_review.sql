-- 006: a message the parser is unsure of is no longer asked about in the group: it waits for
-- the grid leader as a review item (立案 / 不是), kept here so a restart loses none. Every human
-- decision about what a message is (a review, a changed category, 退回) is kept as a label
-- for retraining: its words masked, with the parse as it was then.

CREATE TABLE review_items (
    id            INTEGER PRIMARY KEY,
    chat_id       INTEGER NOT NULL,
    message_id    INTEGER NOT NULL,
    grid_id       TEXT    NOT NULL,
    reviewer_id   INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    user_name     TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    masked_text   TEXT    NOT NULL,
    parse         TEXT    NOT NULL,
    photo_file_id TEXT,
    latitude      REAL,
    longitude     REAL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    batch_id      INTEGER,
    status        TEXT    NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'accepted', 'rejected', 'expired')),
    decided_by    INTEGER,
    decided_at    INTEGER,
    case_id       INTEGER REFERENCES cases (id),
    UNIQUE (chat_id, message_id)
);
CREATE INDEX review_items_unbatched ON review_items (status, batch_id, reviewer_id);
CREATE INDEX review_items_batch ON review_items (batch_id);

CREATE TABLE training_labels (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL CHECK (source IN ('review', 'category', 'reject')),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    case_id     INTEGER,
    review_id   INTEGER,
    text        TEXT    NOT NULL,
    is_report   INTEGER NOT NULL,
    category    TEXT,
    level       INTEGER,
    urgent      INTEGER NOT NULL DEFAULT 0,
    location    TEXT,
    parse       TEXT    NOT NULL,
    decided_by  INTEGER,
    decided_at  INTEGER NOT NULL
);
CREATE INDEX training_labels_message ON training_labels (chat_id, message_id, id);

-- The unsure cards that only their author could answer are gone with the behaviour.
DROP TABLE pending_reports;
