"""The control API under /control/: what tests and the web page do as the people in the chats.

Every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``. Chats are
named by key ("g:-100123", "p:<bot id>:<user id>"), by group id, or by a user's id for that
user's private chat with the (only, or given ``bot_id``) bot.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from simulator.appkeys import CALLS_KEY, FAULTS_KEY, STATE_KEY
from simulator.errors import ApiError
from simulator.faults import FaultConfig
from simulator.seed import apply_seed
from simulator.state import ADMIN_RIGHTS, JSON, Chat, SimState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_WAIT = 120.0


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _ok(result: Any = True) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": True, "result": result}, ensure_ascii=False),
        content_type="application/json",
    )


def _failed(message: str, status: int) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": False, "error": message}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _guarded(handler: Handler) -> Handler:
    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as exc:
            return _failed(str(exc), exc.status)
        except ApiError as exc:
            return _failed(exc.description.removeprefix("Bad Request: "), 400)
        except (KeyError, ValueError, TypeError) as exc:
            return _failed(f"bad request: {exc}", 400)

    return run


async def _body(request: web.Request) -> JSON:
    if not request.body_exists:
        return {}
    if request.content_type == "multipart/form-data":
        form = await request.post()
        body: JSON = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                body[name] = value.file.read()
            else:
                body[name] = value
        return body
    try:
        data = await request.json()
    except json.JSONDecodeError as exc:
        raise ControlError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


def _state(request: web.Request) -> SimState:
    return request.app[STATE_KEY]


def _chat(state: SimState, ref: Any, bot_id: Any = None) -> Chat:
    if ref is None or ref == "":
        raise ControlError("chat is required")
    return state.resolve_chat(ref, int(bot_id) if bot_id else None)


def _timeout(value: Any, default: float = 5.0) -> float:
    return min(max(float(value if value not in (None, "") else default), 0.0), MAX_WAIT)


# ----- people, groups, seeding --------------------------------------------------------------


async def reset(request: web.Request) -> web.Response:
    _state(request).reset()
    request.app[FAULTS_KEY].configure(FaultConfig())
    request.app[CALLS_KEY].clear()
    return _ok()


async def snapshot(request: web.Request) -> web.Response:
    state = _state(request)
    return _ok(
        {
            "bots": [bot.me() for bot in state.bots.values()],
            "users": [state.user_view(u) for u in state.users.values() if not u.is_bot],
            "chats": [state.chat_view(chat) for chat in state.chats.values()],
            "last_event": state.last_event_seq,
            "timezone": state.timezone,
        }
    )


async def add_bot(request: web.Request) -> web.Response:
    body = await _body(request)
    bot = _state(request).register_bot(
        body["token"],
        username=body.get("username"),
        first_name=body.get("first_name"),
        privacy_mode=bool(body.get("privacy_mode", False)),
    )
    return _ok(bot.me())


async def add_user(request: web.Request) -> web.Response:
    body = await _body(request)
    name = body.get("first_name") or body.get("name")
    if not name:
        raise ControlError("a user needs a name")
    user = _state(request).add_user(
        int(body["id"]),
        name,
        last_name=body.get("last_name"),
        username=body.get("username"),
        language_code=body.get("language_code", "zh-hans"),
        role=body.get("role"),
    )
    return _ok(_state(request).user_view(user))


async def add_group(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    chat = state.add_group(
        body["title"],
        chat_id=int(body["chat_id"]) if body.get("chat_id") is not None else None,
        chat_type=body.get("type"),
        members=[int(m) for m in body.get("members", [])],
        admins=[int(a) for a in body.get("admins", [])],
        creator=body.get("creator"),
        bot_is_admin=bool(body.get("bot_is_admin", True)),
        username=body.get("username"),
        announce=bool(body.get("announce", False)),
    )
    return _ok(state.chat_view(chat))


async def set_bot_status(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    chat = _chat(state, request.match_info["chat"])
    if not chat.is_group:
        raise ControlError("only groups have members")
    bot = state.bots[int(body["bot_id"])] if body.get("bot_id") else state.default_bot()
    status = body.get("status", "member")
    if status not in ("administrator", "member", "left", "kicked"):
        raise ControlError("status is one of administrator, member, left, kicked")
    rights = body.get("rights") or {}
    if not isinstance(rights, dict) or not all(
        key in ADMIN_RIGHTS and isinstance(value, bool) for key, value in rights.items()
    ):
        raise ControlError(f"rights maps some of {', '.join(sorted(ADMIN_RIGHTS))} to true/false")
    state.set_bot_membership(chat, bot.id, status, by=body.get("by"), rights=rights)
    return _ok(state.chat_view(chat))


async def seed_route(request: web.Request) -> web.Response:
    return _ok(apply_seed(_state(request), await _body(request)))


async def start_bot(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    message = state.start_bot(
        int(request.match_info["user_id"]),
        int(body["bot_id"]) if body.get("bot_id") else None,
        str(body.get("payload", "")),
    )
    return _ok(state.message_view(message))


async def block_bot(request: web.Request) -> web.Response:
    body = await _body(request)
    _state(request).block_bot(
        int(request.match_info["user_id"]), int(body["bot_id"]) if body.get("bot_id") else None
    )
    return _ok()


# ----- what people do in chats --------------------------------------------------------------


async def post_message(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    chat = _chat(state, body.get("chat"), body.get("bot_id"))
    photo = body.get("photo")
    if isinstance(photo, str):
        photo = base64.b64decode(photo.split(",", 1)[-1])
    location = body.get("location")
    if isinstance(location, str):
        location = json.loads(location)
    message = state.post_message(
        chat,
        int(body["user_id"]),
        text=body.get("text"),
        photo=photo,
        caption=body.get("caption"),
        location=(location["latitude"], location["longitude"]) if location else None,
        reply_to=int(body["reply_to"]) if body.get("reply_to") else None,
    )
    return _ok(state.message_view(message))


async def post_messages(request: web.Request) -> web.Response:
    """Many text messages in one call, for load tests: [{"chat", "user_id", "text"}, …]."""
    body = await _body(request)
    state = _state(request)
    posted = 0
    for item in body.get("messages", []):
        chat = _chat(state, item.get("chat"), item.get("bot_id"))
        state.post_message(chat, int(item["user_id"]), text=item.get("text"))
        posted += 1
    return _ok({"posted": posted})


async def press_button(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    chat = _chat(state, body.get("chat"), body.get("bot_id"))
    query = state.press_button(
        chat,
        int(body["message_id"]),
        int(body["user_id"]),
        data=body.get("data"),
        text=body.get("text"),
        forge=bool(body.get("forge", False)),
    )
    await state.changed.wait_until(
        lambda: query.answer is not None or state.closing, _timeout(body.get("timeout"))
    )
    return _ok(
        {
            "query_id": query.id,
            "data": query.data,
            "answered": query.answer is not None,
            "answer": query.answer,
        }
    )


async def react(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    chat = _chat(state, body.get("chat"), body.get("bot_id"))
    emojis = body.get("emojis")
    if emojis is None:
        emoji = body.get("emoji")
        emojis = [emoji] if emoji else []
    message = state.react(chat, int(body["message_id"]), int(body["user_id"]), list(emojis))
    return _ok(state.message_view(message))


async def edit(request: web.Request) -> web.Response:
    body = await _body(request)
    state = _state(request)
    chat = _chat(state, body.get("chat"), body.get("bot_id"))
    message = state.edit_by_user(
        chat, int(body["message_id"]), int(body["user_id"]), str(body.get("text", ""))
    )
    return _ok(state.message_view(message))


# ----- reading and waiting ------------------------------------------------------------------


async def list_chats(request: web.Request) -> web.Response:
    state = _state(request)
    user_id = request.query.get("user_id")
    chats = state.chats_of(int(user_id)) if user_id else list(state.chats.values())
    views = []
    for chat in chats:
        view = state.chat_view(chat)
        last = next((m for m in reversed(chat.messages.values()) if not m.deleted), None)
        view["last_message"] = state.message_view(last) if last else None
        views.append(view)
    if user_id:
        # A user who never pressed START still sees the bot, with a START button.
        for bot in state.bots.values():
            if state.private_chat(bot.id, int(user_id)) is None:
                views.append(
                    {
                        "key": f"p:{bot.id}:{user_id}",
                        "id": int(user_id),
                        "type": "private",
                        "title": bot.user.first_name,
                        "bot_id": bot.id,
                        "user_id": int(user_id),
                        "members": {},
                        "last_message": None,
                        "not_started": True,
                    }
                )
    return _ok(views)


async def transcript(request: web.Request) -> web.Response:
    state = _state(request)
    chat = _chat(state, request.match_info["chat"], request.query.get("bot_id"))
    view = state.chat_view(chat)
    view["messages"] = state.transcript(chat)
    view["typing"] = [
        bot_id
        for (key, bot_id), until in state.typing.items()
        if key == chat.key and until > time.time()
    ]
    return _ok(view)


async def wait_bot_message(request: web.Request) -> web.Response:
    """The first bot message after ``after`` (default: after the last message of a person)."""
    state = _state(request)
    chat = _chat(state, request.match_info["chat"], request.query.get("bot_id"))
    after_text = request.query.get("after")
    if after_text:
        after = int(after_text)
    else:
        people = [m.message_id for m in chat.messages.values() if m.sender_id not in state.bots]
        after = people[-1] if people else 0

    def found() -> Any:
        for message_id in range(after + 1, chat.next_message_id):
            message = chat.messages.get(message_id)
            if (
                message is not None
                and message.sender_id in state.bots
                and not message.deleted
                and message.service is None
            ):
                return message
        return None

    message = await state.changed.wait_until(found, _timeout(request.query.get("timeout")))
    if message is None:
        raise ControlError("no bot message in time", 408)
    return _ok(state.message_view(message))


async def wait_event(request: web.Request) -> web.Response:
    """Long-poll the event log: the first event after ``after`` matching kind and chat."""
    state = _state(request)
    after = int(request.query.get("after") or 0)
    kinds = set(filter(None, (request.query.get("kind") or "").split(",")))
    chat_ref = request.query.get("chat")
    chat_key = _chat(state, chat_ref, request.query.get("bot_id")).key if chat_ref else None

    def found() -> Any:
        for event in state.events_after(after):
            if kinds and event.kind not in kinds:
                continue
            if chat_key and event.chat_key != chat_key:
                continue
            return event
        return None

    event = await state.changed.wait_until(found, _timeout(request.query.get("timeout")))
    if event is None:
        raise ControlError("no event in time", 408)
    return _ok(event.to_json())


async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events for the web page: every event of the log, live."""
    state = _state(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    last_text = request.headers.get("Last-Event-ID") or request.query.get("after")
    last = int(last_text) if last_text else state.last_event_seq
    await response.write(b"retry: 1000\n\n")
    try:
        while not state.closing:
            events = state.events_after(last)
            for event in events:
                payload = json.dumps(event.to_json(), ensure_ascii=False)
                await response.write(f"id: {event.seq}\ndata: {payload}\n\n".encode())
                last = event.seq
            if not events:
                fresh = await state.changed.wait_until(
                    lambda seen=last: state.last_event_seq > seen or state.closing, 15.0
                )
                if not fresh:
                    await response.write(b": ping\n\n")
    except (ConnectionResetError, RuntimeError):
        pass
    return response


async def commands(request: web.Request) -> web.Response:
    state = _state(request)
    chat = _chat(state, request.match_info["chat"], request.query.get("bot_id"))
    user = state.user(int(request.query["user_id"]))
    bot = state.bots.get(chat.bot_id or 0) if not chat.is_group else None
    bots = [bot] if bot else [b for b in state.bots.values() if chat.is_member(b.id)]
    menu: list[JSON] = []
    for each in bots:
        menu.extend(state.commands_for(each, chat, user.id, user.language_code))
    return _ok(menu)


async def file_bytes(request: web.Request) -> web.StreamResponse:
    stored = _state(request).files.get(request.match_info["file_id"])
    if stored is None:
        raise ControlError("no such file", 404)
    headers = {"Cache-Control": "max-age=3600"}
    if stored.file_name:
        headers["Content-Disposition"] = f'inline; filename="{stored.file_path.rsplit("/")[-1]}"'
    return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)


async def updates(request: web.Request) -> web.Response:
    """The updates a bot has not confirmed yet (a look, not a getUpdates)."""
    state = _state(request)
    bot = state.bots.get(int(request.match_info["bot_id"]))
    if bot is None:
        raise ControlError("no such bot", 404)
    return _ok(list(bot.updates))


# ----- faults and the call log --------------------------------------------------------------


async def get_faults(request: web.Request) -> web.Response:
    injector = request.app[FAULTS_KEY]
    return _ok({"config": injector.config.to_dict(), "counts": injector.counts})


async def set_faults(request: web.Request) -> web.Response:
    body = await _body(request)
    config = FaultConfig.from_dict(body)
    request.app[FAULTS_KEY].configure(config)
    return _ok(config.to_dict())


async def clear_faults(request: web.Request) -> web.Response:
    request.app[FAULTS_KEY].configure(FaultConfig())
    return _ok()


async def calls(request: web.Request) -> web.Response:
    wanted = (request.query.get("method") or "").lower()
    entries = [c for c in request.app[CALLS_KEY] if not wanted or c["method"] == wanted]
    return _ok(entries)


async def clear_calls(request: web.Request) -> web.Response:
    request.app[CALLS_KEY].clear()
    return _ok()


async def health(request: web.Request) -> web.Response:
    return _ok({"status": "up"})


def control_routes() -> list[web.RouteDef]:
    table: list[tuple[str, str, Handler]] = [
        ("GET", "/control/health", health),
        ("POST", "/control/reset", reset),
        ("GET", "/control/state", snapshot),
        ("POST", "/control/bots", add_bot),
        ("GET", "/control/bots/{bot_id}/updates", updates),
        ("POST", "/control/users", add_user),
        ("POST", "/control/users/{user_id}/start", start_bot),
        ("POST", "/control/users/{user_id}/block", block_bot),
        ("POST", "/control/groups", add_group),
        ("POST", "/control/groups/{chat}/bot", set_bot_status),
        ("POST", "/control/seed", seed_route),
        ("POST", "/control/messages", post_message),
        ("POST", "/control/messages/batch", post_messages),
        ("POST", "/control/press", press_button),
        ("POST", "/control/react", react),
        ("POST", "/control/edit", edit),
        ("GET", "/control/chats", list_chats),
        ("GET", "/control/chats/{chat}/transcript", transcript),
        ("GET", "/control/chats/{chat}/wait", wait_bot_message),
        ("GET", "/control/chats/{chat}/commands", commands),
        ("GET", "/control/events", wait_event),
        ("GET", "/control/stream", stream),
        ("GET", "/control/files/{file_id}", file_bytes),
        ("GET", "/control/faults", get_faults),
        ("POST", "/control/faults", set_faults),
        ("DELETE", "/control/faults", clear_faults),
        ("GET", "/control/calls", calls),
        ("DELETE", "/control/calls", clear_calls),
    ]
    return [web.route(verb, path, _guarded(handler)) for verb, path, handler in table]
