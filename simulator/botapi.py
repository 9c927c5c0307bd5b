"""The Bot API methods: each takes a call's parameters and answers like Telegram does."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from simulator.errors import ApiError, bad_request
from simulator.faults import FaultInjector
from simulator.html_entities import Entity, EntityParseError, detect_entities, parse_html
from simulator.markdown import parse_markdown, parse_markdown_v2
from simulator.params import Params, Upload
from simulator.state import (
    ALL_UPDATE_KINDS,
    JSON,
    Bot,
    Chat,
    Message,
    SimState,
    now,
    photo_size_api,
    scope_key,
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER_TEXT = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


@dataclass
class Call:
    """One Bot API call: who makes it, with what, against which state."""

    state: SimState
    bot: Bot
    params: Params
    faults: FaultInjector


Method = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    """Register a Bot API method; Telegram matches method names case-insensitively."""

    def register(function: Method) -> Method:
        METHODS[name.lower()] = function
        return function

    return register


# ----- shared pieces ------------------------------------------------------------------------


def formatted_text(
    p: Params, text_name: str, entities_name: str, *, caption: bool = False
) -> tuple[str, list[Entity]]:
    """Text and entities from parse_mode or explicit entities, with Telegram's checks."""
    text = p.str(text_name) or ""
    parse_mode = (p.str("parse_mode") or "").strip()
    entities: list[Entity]
    try:
        if parse_mode.lower() == "html":
            text, entities = parse_html(text)
        elif parse_mode.lower() == "markdownv2":
            text, entities = parse_markdown_v2(text)
        elif parse_mode.lower() == "markdown":
            text, entities = parse_markdown(text)
        elif parse_mode:
            raise bad_request("unsupported parse_mode")
        else:
            given = p.json(entities_name, "entities")
            entities = _checked_entities(given or [])
            stripped = text.strip()
            if stripped != text:
                shift = len(text[: len(text) - len(text.lstrip())].encode("utf-16-le")) // 2
                text = stripped
                entities = [{**e, "offset": e["offset"] - shift} for e in entities]
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if not caption and not text:
        raise bad_request("message text is empty")
    if caption and len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    if not caption and len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, _with_detected(text, entities)


def _checked_entities(given: Any) -> list[Entity]:
    if not isinstance(given, list):
        raise bad_request("can't parse entities JSON object")
    entities = []
    for item in given:
        if not isinstance(item, dict) or not {"type", "offset", "length"} <= item.keys():
            raise bad_request("can't parse MessageEntity JSON object")
        entities.append(dict(item))
    return entities


def _with_detected(text: str, entities: list[Entity]) -> list[Entity]:
    """Telegram also marks links, mentions, hashtags and commands that nobody formatted."""
    merged = list(entities)
    spans = [(e["offset"], e["offset"] + e["length"]) for e in entities]
    for found in detect_entities(text):
        start, end = found["offset"], found["offset"] + found["length"]
        if not any(start < s_end and s_start < end for s_start, s_end in spans):
            merged.append(found)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


def reply_markup(p: Params) -> JSON | None:
    """The reply_markup parameter, checked like Telegram checks inline keyboards."""
    markup = p.json("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        clean_rows = []
        for row in rows:
            clean_row = []
            for button in row:
                clean_row.append(_checked_button(button))
            if clean_row:
                clean_rows.append(clean_row)
        return {"inline_keyboard": clean_rows}
    if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
        return {k: v for k, v in markup.items() if v is not None}
    raise bad_request("can't parse reply keyboard markup JSON object")


def _checked_button(button: Any) -> JSON:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    clean = {k: v for k, v in button.items() if v is not None}
    actions = set(clean) - {"text", "style", "icon_custom_emoji_id"}
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in clean:
        data = clean["callback_data"]
        if not isinstance(data, str):
            data = str(data)
            clean["callback_data"] = data
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in clean:
        url = str(clean["url"])
        if not re.match(r"(https?|tg)://\S+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return clean


def reply_target(p: Params, state: SimState, chat: Chat) -> int | None:
    """The message replied to, from reply_parameters or the legacy reply_to_message_id."""
    parameters = p.json("reply_parameters", "reply parameters")
    allow_without = p.bool("allow_sending_without_reply")
    target = None
    if isinstance(parameters, dict):
        target = parameters.get("message_id")
        if "chat_id" in parameters and str(parameters["chat_id"]) != str(chat.id):
            raise bad_request("message to be replied not found")
        allow_without = bool(parameters.get("allow_sending_without_reply", allow_without))
    elif parameters is not None:
        raise bad_request("can't parse reply parameters JSON object")
    if target is None:
        target = p.int("reply_to_message_id")
    if target is None:
        return None
    try:
        target = int(target)
    except (TypeError, ValueError):
        raise bad_request("message to be replied not found") from None
    if state.message(chat, target) is None:
        if allow_without:
            return None
        raise bad_request("message to be replied not found")
    return target


def target_message(call: Call, *, what: str = "edit") -> Message:
    p = call.params
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = call.state.chat_for_bot(call.bot, p.chat_id())
    message_id = p.int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = call.state.message(chat, message_id)
    if message is None:
        raise bad_request(f"message to {what} not found")
    return message


def _own_editable(call: Call, message: Message) -> None:
    if message.sender_id != call.bot.id:
        raise bad_request("message can't be edited")


def _with_users(state: SimState, fields: dict[str, Any]) -> None:
    """Fill text_mention entities with the user they name; Telegram drops unknown users."""
    for name in ("entities", "caption_entities"):
        entities = fields.get(name)
        if not entities:
            continue
        kept = []
        for entity in entities:
            if entity["type"] == "text_mention":
                user = state.users.get(int(entity.get("user", {}).get("id", 0)))
                if user is None:
                    continue
                entity = {**entity, "user": user.to_api()}
            kept.append(entity)
        fields[name] = kept


def _send(call: Call, chat: Chat, **fields: Any) -> JSON:
    _with_users(call.state, fields)
    call.faults.check_limits(call.bot.id, chat.id, chat.is_group)
    message = call.state.send_bot_message(call.bot, chat, **fields)
    call.faults.record_send(call.bot.id, chat.id, chat.is_group)
    return call.state.message_api(message)


# ----- getting updates ----------------------------------------------------------------------


@method("getMe")
async def get_me(call: Call) -> JSON:
    return call.bot.me()


@method("getUpdates")
async def get_updates(call: Call) -> list[JSON]:
    p, bot, state = call.params, call.bot, call.state
    if bot.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
    offset = p.int("offset")
    limit = min(max(p.int("limit", 100) or 100, 1), 100)
    timeout = max(p.int("timeout", 0) or 0, 0)
    allowed = p.json("allowed_updates", "allowed updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        bot.allowed_updates = frozenset(k for k in allowed if k in ALL_UPDATE_KINDS) or None
    if offset:
        state.confirm_updates(bot, offset)
    bot.poll_generation += 1
    generation = bot.poll_generation
    state.changed.fire()  # an older poll of this bot ends now, with 409
    await state.changed.wait_until(
        lambda: bot.updates or generation != bot.poll_generation or state.closing, timeout
    )
    if generation != bot.poll_generation:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
        )
    return bot.updates[:limit]


@method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    bot = call.bot
    bot.webhook_url = bot.webhook_secret = bot.webhook_error = ""
    bot.webhook_error_date = 0
    if call.params.bool("drop_pending_updates"):
        bot.updates.clear()
    call.state.changed.fire()
    return True


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> JSON:
    bot = call.bot
    info: JSON = {
        "url": bot.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(bot.updates),
    }
    if bot.webhook_url:
        info["max_connections"] = bot.webhook_max_connections
        if bot.allowed_updates:
            info["allowed_updates"] = sorted(bot.allowed_updates)
        if bot.webhook_error:
            info["last_error_date"] = bot.webhook_error_date
            info["last_error_message"] = bot.webhook_error
    return info


_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@method("setWebhook")
async def set_webhook(call: Call) -> bool:
    """Updates go to this URL as POSTs from now on (simulator/webhook.py); an empty URL removes
    the webhook, as deleteWebhook does. Unlike Telegram, plain http and any port are accepted:
    the local server posts to a bot on this machine."""
    p, bot = call.params, call.bot
    url = (p.str("url") or "").strip()
    if not url:
        return await delete_webhook(call)
    if not re.match(r"^https?://[^/\s]+", url):
        raise bad_request("bad webhook: an HTTPS URL must be provided for webhook")
    secret = p.str("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = p.int("max_connections", 40) or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.json("allowed_updates", "allowed updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        bot.allowed_updates = frozenset(k for k in allowed if k in ALL_UPDATE_KINDS) or None
    if p.bool("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook_url, bot.webhook_secret = url, secret or ""
    bot.webhook_max_connections = connections
    bot.webhook_error, bot.webhook_error_date = "", 0
    bot.poll_generation += 1  # a long poll waiting now ends (with 409)
    call.state.changed.fire()
    return True


# ----- commands -----------------------------------------------------------------------------


def _scope(call: Call) -> tuple[str, str]:
    p = call.params
    scope = p.json("scope", "bot command scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    scope = dict(scope)
    if scope["type"] in ("chat", "chat_administrators", "chat_member"):
        if "chat_id" not in scope:
            raise bad_request("chat_id is empty")
        chat = call.state.chat_for_bot(call.bot, Params({"chat_id": scope["chat_id"]}).chat_id())
        scope["chat_id"] = chat.id
        if scope["type"] == "chat_administrators" and not chat.is_group:
            raise bad_request("chat administrators scope is available only in groups")
        if scope["type"] == "chat_member":
            user_id = Params(scope).int("user_id")
            if user_id is None or user_id not in call.state.users:
                raise bad_request("user not found")
            scope["user_id"] = user_id
    language = (p.str("language_code") or "").strip()
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return scope_key(scope), language


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params.json("commands", "commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).strip().lstrip("/").lower()
        description = str(command.get("description", "")).strip()
        if not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be non-empty")
        clean.append({"command": name, "description": description})
    key = _scope(call)
    if clean:
        call.bot.commands[key] = clean
    else:
        call.bot.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[JSON]:
    return list(call.bot.commands.get(_scope(call), []))


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_scope(call), None)
    return True


# ----- sending and editing ------------------------------------------------------------------


@method("sendMessage")
async def send_message(call: Call) -> JSON:
    p = call.params
    chat = call.state.chat_for_bot(call.bot, p.chat_id())
    text, entities = formatted_text(p, "text", "entities")
    markup = reply_markup(p)
    reply_to = reply_target(p, call.state, chat)
    return _send(call, chat, text=text, entities=entities, reply_markup=markup, reply_to=reply_to)


def _photo_sizes(call: Call, p: Params) -> list[JSON]:
    upload = p.upload("photo")
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        return call.state.store_photo(upload.data)
    reference = p.str("photo")
    if not reference:
        raise bad_request("there is no photo in the request")
    if reference.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    sizes = call.state.photo_sets.get(reference)
    if sizes is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return sizes


@method("sendPhoto")
async def send_photo(call: Call) -> JSON:
    p = call.params
    chat = call.state.chat_for_bot(call.bot, p.chat_id())
    caption, caption_entities = formatted_text(p, "caption", "caption_entities", caption=True)
    markup = reply_markup(p)
    reply_to = reply_target(p, call.state, chat)
    sizes = _photo_sizes(call, p)
    return _send(
        call,
        chat,
        photo=sizes,
        caption=caption or None,
        caption_entities=caption_entities,
        reply_markup=markup,
        reply_to=reply_to,
    )


def _document(call: Call, p: Params) -> JSON:
    upload: Upload | None = p.upload("document")
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        name = upload.filename or "file"
        mime = upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = call.state.store_file(
            upload.data, folder="documents", suffix=suffix, mime_type=mime, file_name=name
        )
    else:
        reference = p.str("document")
        if not reference:
            raise bad_request("there is no document in the request")
        found = call.state.files.get(reference)
        if found is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        stored = found
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name or stored.file_path.rsplit("/", 1)[-1],
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }


@method("sendDocument")
async def send_document(call: Call) -> JSON:
    p = call.params
    chat = call.state.chat_for_bot(call.bot, p.chat_id())
    caption, caption_entities = formatted_text(p, "caption", "caption_entities", caption=True)
    markup = reply_markup(p)
    reply_to = reply_target(p, call.state, chat)
    document = _document(call, p)
    return _send(
        call,
        chat,
        document=document,
        caption=caption or None,
        caption_entities=caption_entities,
        reply_markup=markup,
        reply_to=reply_to,
    )


@method("sendLocation")
async def send_location(call: Call) -> JSON:
    p = call.params
    chat = call.state.chat_for_bot(call.bot, p.chat_id())
    latitude, longitude = p.float("latitude"), p.float("longitude")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong coordinates specified")
    markup = reply_markup(p)
    reply_to = reply_target(p, call.state, chat)
    return _send(
        call,
        chat,
        location={"latitude": latitude, "longitude": longitude},
        reply_markup=markup,
        reply_to=reply_to,
    )


@method("editMessageText")
async def edit_message_text(call: Call) -> JSON:
    message = target_message(call)
    _own_editable(call, message)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted_text(call.params, "text", "entities")
    # Like Telegram, an edit without reply_markup removes the inline keyboard.
    markup = reply_markup(call.params)
    return _edit(call, message, text=text, entities=entities, reply_markup=markup)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> JSON:
    message = target_message(call)
    _own_editable(call, message)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted_text(call.params, "caption", "caption_entities", caption=True)
    markup = reply_markup(call.params)
    return _edit(
        call, message, caption=caption or None, caption_entities=entities, reply_markup=markup
    )


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> JSON:
    message = target_message(call)
    _own_editable(call, message)
    return _edit(call, message, reply_markup=reply_markup(call.params))


def _edit(call: Call, message: Message, **changes: Any) -> JSON:
    _with_users(call.state, changes)
    before = message.content
    after = tuple(
        changes.get(name, getattr(message, name))
        for name in ("text", "entities", "caption", "caption_entities", "reply_markup")
    )
    if before == after:
        raise bad_request(NOT_MODIFIED)
    call.state.edit_by_bot(message, **changes)
    return call.state.message_api(message)


# A bot deletes nothing older than this (Telegram's rule for groups and private chats).
DELETE_WINDOW_SECONDS = 48 * 3600


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    """Telegram's rules: only messages under 48 hours old; in a group its own messages, or any
    message as an administrator (in a supergroup one with can_delete_messages)."""
    message = target_message(call, what="delete")
    chat = message.chat
    if now() - message.date > DELETE_WINDOW_SECONDS:
        raise bad_request("message can't be deleted")
    if message.sender_id != call.bot.id and chat.is_group:
        member = call.state.member_api(chat, call.bot.id)
        allowed = member["status"] == "creator" or (
            member["status"] == "administrator"
            and (chat.type == "group" or member.get("can_delete_messages"))
        )
        if not allowed:
            raise bad_request("message can't be deleted")
    call.state.delete(message, by=call.bot.id)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    p = call.params
    query_id = p.str("callback_query_id") or ""
    query = call.state.callbacks.get(query_id)
    if query is None or query.bot_id != call.bot.id:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.str("text") or ""
    if len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    url = p.str("url")
    answer: JSON = {
        "text": text or None,
        "show_alert": p.bool("show_alert"),
        "url": url,
        "cache_time": p.int("cache_time", 0),
    }
    call.state.answer_callback(query_id, answer)
    return True


@method("setMessageReaction")
async def set_message_reaction(call: Call) -> bool:
    message = target_message(call, what="react")
    reaction = call.params.json("reaction", "reaction") or []
    if not isinstance(reaction, list):
        raise bad_request("can't parse reaction types JSON object")
    emojis = []
    for item in reaction:
        if not isinstance(item, dict) or item.get("type") != "emoji" or "emoji" not in item:
            raise bad_request("REACTION_INVALID")
        emojis.append(str(item["emoji"]))
    call.state.react(message.chat, message.message_id, call.bot.id, emojis)
    return True


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    p = call.params
    chat = call.state.chat_for_bot(call.bot, p.chat_id())
    action = p.str("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.state.set_typing(chat, call.bot.id, action)
    return True


# ----- chats and members --------------------------------------------------------------------


@method("getChat")
async def get_chat(call: Call) -> JSON:
    chat = _known_chat(call)
    return call.state.chat_full_api(chat)


def _known_chat(call: Call) -> Chat:
    """A chat the bot may look at: groups it is in, users who started it (blocked or not)."""
    ref = call.params.chat_id()
    if isinstance(ref, int) and ref > 0:
        chat = call.state.private_chat(call.bot.id, ref)
        if chat is None:
            raise bad_request("chat not found")
        return chat
    return call.state.chat_for_bot(call.bot, ref)


@method("getChatMember")
async def get_chat_member(call: Call) -> JSON:
    chat = _known_chat(call)
    user_id = call.params.req_int("user_id")
    if user_id not in call.state.users:
        raise bad_request("user not found")
    return call.state.member_api(chat, user_id)


@method("getChatAdministrators")
async def get_chat_administrators(call: Call) -> list[JSON]:
    chat = _known_chat(call)
    if not chat.is_group:
        raise bad_request("there are no administrators in the private chat")
    return [
        call.state.member_api(chat, user_id)
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


@method("getChatMemberCount")
async def get_chat_member_count(call: Call) -> int:
    chat = _known_chat(call)
    return sum(1 for user_id in chat.members if chat.is_member(user_id))


@method("getFile")
async def get_file(call: Call) -> JSON:
    file_id = call.params.str("file_id") or ""
    stored = call.state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


__all__ = ["METHODS", "Call", "photo_size_api"]
