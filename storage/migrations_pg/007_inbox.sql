-- 007: every update is stored before Telegram is told it arrived (the inbox), and the questions
-- the bot waits on (a handler's note, a reason, the private /report steps) live here too, so a
-- restart or a second worker finds them.

CREATE TABLE inbox (
    update_id   BIGINT PRIMARY KEY,
    kind        TEXT COLLATE "C"    NOT NULL,
    chat_id     BIGINT,
    message_id  BIGINT,
    payload     TEXT COLLATE "C"    NOT NULL,
    received_at BIGINT NOT NULL,
    status      TEXT COLLATE "C"    NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'handled', 'failed')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    handled_at  BIGINT,
    last_error  TEXT COLLATE "C"
);
CREATE INDEX inbox_waiting ON inbox (status, update_id);
-- A new message is one row, whatever update carried it (a redelivery under a new update id).
CREATE UNIQUE INDEX inbox_message ON inbox (chat_id, message_id) WHERE kind = 'message';

CREATE TABLE conversations (
    user_id    BIGINT NOT NULL,
    topic      TEXT COLLATE "C"    NOT NULL CHECK (topic IN ('prompt', 'report')),
    op         TEXT COLLATE "C"    NOT NULL,
    case_id    BIGINT,
    step       TEXT COLLATE "C"    NOT NULL,
    data       TEXT COLLATE "C"    NOT NULL DEFAULT '{}',
    round      BIGINT NOT NULL DEFAULT 0,
    asked_at   BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, topic)
);
