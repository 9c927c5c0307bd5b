-- 006: what a new user ran into. The private messages that show a case to a handler are kept,
-- so that each is edited as the case moves (older copies lose their buttons); a resident's
-- message the bot hid for their privacy is remembered for the card; a /start reminder in a
-- group goes to one person at most once a week.

CREATE TABLE held_cards (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    chat_id    BIGINT NOT NULL,                  -- the handler's private chat
    message_id BIGINT NOT NULL,
    form       TEXT COLLATE "C"    NOT NULL CHECK (form IN ('card', 'buttons')),  -- re-render all, or only the buttons
    at         BIGINT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX held_cards_case ON held_cards (case_id, chat_id);

CREATE TABLE hidden_messages (
    chat_id    BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    what       TEXT COLLATE "C"    NOT NULL,                  -- phone, id_number, or both joined by a comma
    at         BIGINT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX hidden_messages_case ON hidden_messages (case_id);

ALTER TABLE users ADD COLUMN start_nudged_at BIGINT;
