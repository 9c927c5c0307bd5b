-- 007: every update is stored before Telegram is told it arrived (the inbox), and the questions
-- the bot waits on (a handler's note, a reason, the private /report steps) live here too, so a
-- restart or a second worker finds them.

CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    chat_id     INTEGER,
    message_id  INTEGER,
    payload     TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'handled', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    handled_at  INTEGER,
    last_error  TEXT
);
CREATE INDEX inbox_waiting ON inbox (status, update_id);
-- A new message is one row, whatever update carried it (a redelivery under a new update id).
CREATE UNIQUE INDEX inbox_message ON inbox (chat_id, message_id) WHERE kind = 'message';

CREATE TABLE conversations (
    user_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL CHECK (topic IN ('prompt', 'report')),
    op         TEXT    NOT NULL,
    case_id    INTEGER,
    step       TEXT    NOT NULL,
    data       TEXT    NOT NULL DEFAULT '{}',
    round      INTEGER NOT NULL DEFAULT 0,
    asked_at   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, topic)
);
