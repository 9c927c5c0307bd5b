-- 002: reports the parser was unsure of wait for their author's answer; cards and resolution
-- messages are found again by the message id the API gave them (reactions, button presses).

CREATE TABLE pending_reports (
    chat_id         INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    user_name       TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    level           INTEGER NOT NULL,
    urgent          INTEGER NOT NULL DEFAULT 0,
    location        TEXT,
    confidence      REAL    NOT NULL,
    has_photo       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    card_message_id INTEGER,
    status          TEXT    NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'confirmed', 'declined', 'expired')),
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX pending_reports_open ON pending_reports (status, expires_at);

CREATE INDEX outbox_sent_message ON outbox (chat_id, message_id);
CREATE INDEX outbox_case_kind ON outbox (case_id, kind);
