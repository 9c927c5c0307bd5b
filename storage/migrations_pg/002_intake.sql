-- 002: reports the parser was unsure of wait for their author's answer; cards and resolution
-- messages are found again by the message id the API gave them (reactions, button presses).

CREATE TABLE pending_reports (
    chat_id         BIGINT NOT NULL,
    message_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    user_name       TEXT COLLATE "C"    NOT NULL,
    text            TEXT COLLATE "C"    NOT NULL,
    category        TEXT COLLATE "C"    NOT NULL,
    level           BIGINT NOT NULL,
    urgent          BIGINT NOT NULL DEFAULT 0,
    location        TEXT COLLATE "C",
    confidence      DOUBLE PRECISION    NOT NULL,
    has_photo       BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    card_message_id BIGINT,
    status          TEXT COLLATE "C"    NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'confirmed', 'declined', 'expired')),
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX pending_reports_open ON pending_reports (status, expires_at);

CREATE INDEX outbox_sent_message ON outbox (chat_id, message_id);
CREATE INDEX outbox_case_kind ON outbox (case_id, kind);
