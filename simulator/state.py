"""Everything the simulated Telegram knows: bots, users, chats, messages, files and updates.

The state is plain data changed by synchronous methods, so that each change is atomic on the
event loop. Those who wait (long polls, tests, the web page) watch ``changed`` ticks.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simulator.errors import ApiError, bad_request, forbidden
from simulator.html_entities import Entity, detect_entities, entities_to_html
from simulator.reactions import canonical_reaction

ChatType = Literal["private", "group", "supergroup"]
# An administrator's rights as getChatMember tells them, when nobody changed them.
ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": False,
}
MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]
JSON = dict[str, Any]

# Kinds a bot gets when it never named any in allowed_updates (Telegram's default).
DEFAULT_UPDATE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "callback_query",
        "inline_query",
        "chosen_inline_result",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "purchased_paid_media",
        "chat_boost",
        "removed_chat_boost",
    }
)
ALL_UPDATE_KINDS = DEFAULT_UPDATE_KINDS | {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
TYPING_SECONDS = 5.0
EVENT_LOG_SIZE = 5000
# The web chat shows times in the bot's zone, not the browser's; a seed may name another one.
DEFAULT_TIMEZONE = "Asia/Shanghai"


def now() -> int:
    return int(time.time())


@dataclass
class User:
    """A person (or a bot's own user record) as Telegram shows it."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "zh-hans"
    is_bot: bool = False
    role: str | None = None  # only for the web's persona switcher, never sent to bots

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Bot:
    """A bot account: its token, its queue of updates and its command menus."""

    user: User
    token: str
    privacy_mode: bool = False  # off: the bot reads every group message (set in @BotFather)
    can_join_groups: bool = True
    updates: list[JSON] = field(default_factory=list)
    next_update_id: int = field(default_factory=lambda: secrets.randbelow(10**8) + 10**8)
    allowed_updates: frozenset[str] | None = None
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    poll_generation: int = 0
    webhook_url: str = ""
    webhook_secret: str = ""  # sent in X-Telegram-Bot-Api-Secret-Token with each update
    webhook_max_connections: int = 40
    webhook_error: str = ""  # why the last delivery failed, as getWebhookInfo tells it
    webhook_error_date: int = 0

    @property
    def id(self) -> int:
        return self.user.id

    def wants(self, kind: str) -> bool:
        kinds = self.allowed_updates if self.allowed_updates else DEFAULT_UPDATE_KINDS
        return kind in kinds

    def me(self) -> JSON:
        data = self.user.to_api()
        data.update(
            can_join_groups=self.can_join_groups,
            can_read_all_group_messages=not self.privacy_mode,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str
    width: int = 0
    height: int = 0
    file_name: str | None = None


@dataclass
class Message:
    """One message with everything that happened to it since."""

    chat: Chat
    message_id: int
    sender_id: int
    date: int
    text: str | None = None
    entities: list[Entity] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[Entity] = field(default_factory=list)
    photo: list[JSON] | None = None
    document: JSON | None = None
    location: JSON | None = None
    reply_to: int | None = None
    reply_markup: JSON | None = None
    edit_date: int | None = None
    history: list[JSON] = field(default_factory=list)
    reactions: dict[int, list[str]] = field(default_factory=dict)
    deleted: bool = False
    deleted_by: int | None = None  # who removed it: its author, or a bot or admin of the chat
    service: JSON | None = None

    @property
    def content(self) -> tuple[Any, ...]:
        return (self.text, self.entities, self.caption, self.caption_entities, self.reply_markup)

    def snapshot(self) -> JSON:
        return {
            "text": self.text,
            "entities": self.entities,
            "caption": self.caption,
            "caption_entities": self.caption_entities,
            "reply_markup": self.reply_markup,
            "date": self.edit_date or self.date,
        }


@dataclass
class Chat:
    """A private chat between one bot and one user, or a group that many share."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    description: str | None = None
    bot_id: int | None = None  # private chats only
    user_id: int | None = None  # private chats only
    members: dict[int, MemberStatus] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    # The status that bots registered later get here (a group seeded before its bot first called).
    future_bot_status: MemberStatus | None = None
    # An administrator's rights that differ from the defaults (ADMIN_RIGHTS), by member.
    rights: dict[int, dict[str, bool]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A name that is unique across bots (private chats of two bots share the user's id)."""
        if self.type == "private":
            return f"p:{self.bot_id}:{self.user_id}"
        return f"g:{self.id}"

    @property
    def is_group(self) -> bool:
        return self.type != "private"

    def member_status(self, user_id: int) -> MemberStatus:
        return self.members.get(user_id, "left")

    def is_member(self, user_id: int) -> bool:
        return self.member_status(user_id) in ("creator", "administrator", "member", "restricted")

    def is_admin(self, user_id: int) -> bool:
        return self.member_status(user_id) in ("creator", "administrator")


@dataclass
class CallbackQuery:
    id: str
    bot_id: int
    user_id: int
    chat_key: str
    message_id: int
    data: str
    created: float
    answer: JSON | None = None


@dataclass
class Event:
    """Something the web page and the tests may want to hear about."""

    seq: int
    kind: str
    chat_key: str | None
    data: JSON

    def to_json(self) -> JSON:
        return {"seq": self.seq, "kind": self.kind, "chat": self.chat_key, "data": self.data}


class Ticker:
    """A broadcast 'something changed' signal that sync code can fire and async code await."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], Any], seconds: float) -> Any:
        """The first truthy value of ``predicate``, or its last value after ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(seconds, 0.0)
        while True:
            event = self._event
            value = predicate()
            remaining = deadline - loop.time()
            if value or remaining <= 0:
                return value
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()


class SimState:
    """The whole simulated Telegram."""

    def __init__(self, *, strict_tokens: bool = False) -> None:
        self.strict_tokens = strict_tokens
        self.changed = Ticker()
        self.closing = False
        self.events: deque[Event] = deque(maxlen=EVENT_LOG_SIZE)
        self._event_seq = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        """Forget everything except the token policy."""
        self.bots: dict[int, Bot] = {}
        self.users: dict[int, User] = {}
        self.chats: dict[str, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[JSON]] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.typing: dict[tuple[str, int], float] = {}
        # Users whose private chat with every bot exists already (they pressed START long ago).
        self.started_users: set[int] = set()
        self._file_seq = itertools.count(1)
        self._group_seq = itertools.count(1)
        self.timezone = DEFAULT_TIMEZONE
        self._emit("reset", None, {})

    def set_timezone(self, name: str) -> None:
        """The IANA zone the web chat shows times in (the bot's configured one)."""
        if not isinstance(name, str) or not name:
            raise ValueError("timezone is an IANA name such as Asia/Shanghai")
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {name!r}") from exc
        self.timezone = name
        self._emit("settings", None, {"timezone": name})

    # ----- events -------------------------------------------------------------------------

    def _emit(self, kind: str, chat_key: str | None, data: JSON) -> None:
        self.events.append(Event(next(self._event_seq), kind, chat_key, data))
        self.changed.fire()

    @property
    def last_event_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def events_after(self, seq: int) -> list[Event]:
        if not self.events or self.events[-1].seq <= seq:
            return []
        # Sequence numbers are consecutive in the log, so the start is an index.
        start = max(seq - self.events[0].seq + 1, 0)
        return list(itertools.islice(self.events, start, None))

    # ----- bots and users -----------------------------------------------------------------

    def register_bot(
        self,
        token: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool = False,
        can_join_groups: bool = True,
    ) -> Bot:
        """Add a bot for ``token`` (``<digits>:<secret>``) or update the one already there."""
        bot_id = bot_id_of(token)
        if bot_id is None:
            raise ValueError(f"not a bot token: {token!r}")
        existing = self.bots.get(bot_id)
        if existing is not None and existing.token != token:
            raise ValueError(f"bot {bot_id} is registered with another token")
        if existing is None:
            user = User(
                id=bot_id,
                first_name=first_name or "网格通",
                username=username or f"sim{bot_id}_bot",
                language_code=None,
                is_bot=True,
            )
            existing = Bot(user=user, token=token)
            self.bots[bot_id] = existing
            self.users[bot_id] = user
            self._join_seeded_chats(existing)
        else:
            if username:
                existing.user.username = username
            if first_name:
                existing.user.first_name = first_name
        existing.privacy_mode = privacy_mode
        existing.can_join_groups = can_join_groups
        self._emit("bot", None, {"bot": existing.me()})
        return existing

    def _join_seeded_chats(self, bot: Bot) -> None:
        for chat in list(self.chats.values()):
            if chat.is_group and chat.future_bot_status and bot.id not in chat.members:
                chat.members[bot.id] = chat.future_bot_status
        for user_id in self.started_users:
            self.start_chat_silently(user_id, bot.id)

    def bot_for_token(self, token: str) -> Bot | None:
        """The bot of a token; unknown well-formed tokens register unless tokens are strict."""
        bot_id = bot_id_of(token)
        if bot_id is None:
            return None
        bot = self.bots.get(bot_id)
        if bot is not None:
            return bot if secrets.compare_digest(bot.token, token) else None
        if self.strict_tokens:
            return None
        return self.register_bot(token)

    def default_bot(self) -> Bot:
        if not self.bots:
            raise bad_request("no bot is registered yet")
        return next(iter(self.bots.values()))

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        role: str | None = None,
    ) -> User:
        if user_id <= 0:
            raise bad_request("user ids are positive")
        if user_id in self.bots:
            raise bad_request(f"{user_id} is a bot")
        user = self.users.get(user_id)
        if user is None:
            user = User(user_id, first_name, last_name, username, language_code, role=role)
            self.users[user_id] = user
        else:
            user.first_name, user.last_name, user.username = first_name, last_name, username
            user.language_code, user.role = language_code, role
        self._emit("user", None, {"user": self.user_view(user)})
        return user

    def user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user

    def user_view(self, user: User) -> JSON:
        return {**user.to_api(), "role": user.role, "name": user.full_name}

    # ----- chats --------------------------------------------------------------------------

    def add_group(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        chat_type: ChatType | None = None,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        creator: int | None = None,
        bot_is_admin: bool = True,
        bot_ids: Iterable[int] | None = None,
        username: str | None = None,
        announce: bool = False,
    ) -> Chat:
        """Create (or refill) a group with its people; the bots join as members or admins."""
        if chat_id is None:
            chat_id = -(1001000000000 + next(self._group_seq))
            while f"g:{chat_id}" in self.chats:
                chat_id = -(1001000000000 + next(self._group_seq))
        if chat_id >= 0:
            raise bad_request("group chat ids are negative")
        kind: ChatType = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        chat = self.chats.get(f"g:{chat_id}")
        if chat is None:
            chat = Chat(id=chat_id, type=kind, title=title, username=username)
            self.chats[chat.key] = chat
        else:
            chat.title, chat.type = title, kind
        admin_ids = list(admins)
        owner = creator if creator is not None else (admin_ids[0] if admin_ids else None)
        for user_id in [*members, *admin_ids]:
            self.user(user_id)
            status: MemberStatus = "administrator" if user_id in admin_ids else "member"
            chat.members[user_id] = "creator" if user_id == owner else status
        if bot_ids is None:
            chat.future_bot_status = "administrator" if bot_is_admin else "member"
        self._emit("chat", chat.key, {"chat": self.chat_view(chat)})
        for bot_id in list(self.bots) if bot_ids is None else bot_ids:
            self.set_bot_membership(
                chat, bot_id, "administrator" if bot_is_admin else "member", announce=announce
            )
        return chat

    def set_bot_membership(
        self,
        chat: Chat,
        bot_id: int,
        status: MemberStatus,
        *,
        by: int | None = None,
        announce: bool = True,
        rights: dict[str, bool] | None = None,
    ) -> None:
        """Add, promote, demote or remove a bot in a group; the bot hears of it (my_chat_member).

        `rights` are an administrator's, over the defaults (e.g. can_delete_messages=False)."""
        bot = self.bots[bot_id]
        old = chat.member_status(bot_id)
        old_api = self.member_api(chat, bot_id, old)
        new_rights = dict(rights or {}) if status == "administrator" else {}
        if old == status and chat.rights.get(bot_id, {}) == new_rights:
            return
        chat.members[bot_id] = status
        if new_rights:
            chat.rights[bot_id] = new_rights
        else:
            chat.rights.pop(bot_id, None)
        actor_id = by or self._group_owner(chat) or bot_id
        if announce:
            self._deliver(
                bot,
                "my_chat_member",
                {
                    "chat": self.chat_api(chat),
                    "from": self.users[actor_id].to_api(),
                    "date": now(),
                    "old_chat_member": old_api,
                    "new_chat_member": self.member_api(chat, bot_id, status),
                },
            )
            if old in ("left", "kicked") and chat.is_member(bot_id):
                self._store(
                    chat,
                    actor_id,
                    service={"new_chat_members": [bot.user.to_api()]},
                )
        self._emit("chat", chat.key, {"chat": self.chat_view(chat)})

    def _group_owner(self, chat: Chat) -> int | None:
        for user_id, status in chat.members.items():
            if status == "creator":
                return user_id
        return None

    def group(self, chat_id: int) -> Chat | None:
        return self.chats.get(f"g:{chat_id}")

    def private_chat(self, bot_id: int, user_id: int) -> Chat | None:
        return self.chats.get(f"p:{bot_id}:{user_id}")

    def chat_by_key(self, key: str) -> Chat:
        chat = self.chats.get(key)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def resolve_chat(self, chat_id: int | str, bot_id: int | None = None) -> Chat:
        """A chat named the way tests name them: a key, a group id, or a user id (private)."""
        if isinstance(chat_id, str):
            if chat_id.startswith(("g:", "p:")):
                return self.chat_by_key(chat_id)
            chat_id = int(chat_id)
        if chat_id < 0:
            chat = self.group(chat_id)
        else:
            bot = self.bots.get(bot_id) if bot_id else self.default_bot()
            if bot is None:
                raise bad_request("bot not found")
            chat = self.private_chat(bot.id, chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def chat_for_bot(self, bot: Bot, chat_ref: int | str) -> Chat:
        """The chat a bot names in a Bot API call, with Telegram's 400/403 answers."""
        if isinstance(chat_ref, str):
            if not chat_ref.startswith("@"):
                raise bad_request("chat not found")
            name = chat_ref[1:].lower()
            for chat in self.chats.values():
                if chat.is_group and chat.username and chat.username.lower() == name:
                    return self._group_for_bot(bot, chat)
            raise bad_request("chat not found")
        if chat_ref < 0:
            chat = self.group(chat_ref)
            if chat is None:
                raise bad_request("chat not found")
            return self._group_for_bot(bot, chat)
        user = self.users.get(chat_ref)
        if user is None:
            raise bad_request("chat not found")
        if user.is_bot:
            raise forbidden("bot can't send messages to bots")
        chat = self.private_chat(bot.id, chat_ref)
        if chat is None:
            raise forbidden("bot can't initiate conversation with a user")
        if chat.member_status(bot.id) == "kicked":
            raise forbidden("bot was blocked by the user")
        return chat

    def _group_for_bot(self, bot: Bot, chat: Chat) -> Chat:
        status = chat.member_status(bot.id)
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if status == "left":
            raise forbidden(f"bot is not a member of the {kind}")
        return chat

    def chats_of(self, user_id: int) -> list[Chat]:
        return [
            chat
            for chat in self.chats.values()
            if (chat.is_group and chat.is_member(user_id)) or chat.user_id == user_id
        ]

    # ----- the private chat: /start and blocking -------------------------------------------

    def start_bot(self, user_id: int, bot_id: int | None = None, payload: str = "") -> Message:
        """The user presses START (or RESTART after blocking): the bot gets /start."""
        user = self.user(user_id)
        bot = self.bots[bot_id] if bot_id else self.default_bot()
        chat = self.private_chat(bot.id, user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", bot_id=bot.id, user_id=user.id)
            chat.members = {user.id: "member", bot.id: "member"}
            self.chats[chat.key] = chat
            self._emit("chat", chat.key, {"chat": self.chat_view(chat)})
        elif chat.member_status(bot.id) == "kicked":
            self._set_private_status(chat, bot, "member")
        text = f"/start {payload}".strip()
        return self.post_message(chat, user.id, text=text)

    def block_bot(self, user_id: int, bot_id: int | None = None) -> None:
        """The user blocks the bot: it hears of it and gets 403 from then on."""
        bot = self.bots[bot_id] if bot_id else self.default_bot()
        chat = self.private_chat(bot.id, user_id)
        if chat is None:
            self.start_chat_silently(user_id, bot.id)
            chat = self.private_chat(bot.id, user_id)
            assert chat is not None
        self._set_private_status(chat, bot, "kicked")

    def start_chat_silently(self, user_id: int, bot_id: int) -> Chat:
        """A private chat that exists without a new /start (a user who started long ago)."""
        self.user(user_id)
        chat = self.private_chat(bot_id, user_id)
        if chat is None:
            chat = Chat(id=user_id, type="private", bot_id=bot_id, user_id=user_id)
            chat.members = {user_id: "member", bot_id: "member"}
            self.chats[chat.key] = chat
            self._emit("chat", chat.key, {"chat": self.chat_view(chat)})
        return chat

    def _set_private_status(self, chat: Chat, bot: Bot, status: MemberStatus) -> None:
        assert chat.user_id is not None
        old = chat.member_status(bot.id)
        if old == status:
            return
        chat.members[bot.id] = status
        self._deliver(
            bot,
            "my_chat_member",
            {
                "chat": self.chat_api(chat),
                "from": self.users[chat.user_id].to_api(),
                "date": now(),
                "old_chat_member": self.member_api(chat, bot.id, old),
                "new_chat_member": self.member_api(chat, bot.id, status),
            },
        )
        self._emit("chat", chat.key, {"chat": self.chat_view(chat)})

    # ----- messages -----------------------------------------------------------------------

    def _store(self, chat: Chat, sender_id: int, **fields: Any) -> Message:
        message = Message(
            chat=chat, message_id=chat.next_message_id, sender_id=sender_id, date=now(), **fields
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if sender_id in self.bots:
            self.typing.pop((chat.key, sender_id), None)
        self._emit("message", chat.key, {"message": self.message_view(message)})
        return message

    def message(self, chat: Chat, message_id: int) -> Message | None:
        message = chat.messages.get(message_id)
        return None if message is None or message.deleted else message

    def post_message(
        self,
        chat: Chat,
        user_id: int,
        *,
        text: str | None = None,
        photo: bytes | None = None,
        caption: str | None = None,
        location: tuple[float, float] | None = None,
        reply_to: int | None = None,
    ) -> Message:
        """A user writes in a chat; the bots that should hear it get a message update."""
        user = self.user(user_id)
        if chat.is_group and not chat.is_member(user.id):
            raise bad_request("the user is not a member of this group")
        if not chat.is_group:
            if chat.user_id != user.id:
                raise bad_request("the user is not in this private chat")
            if chat.member_status(chat.bot_id or 0) == "kicked":
                raise bad_request("the user has blocked the bot; start it again first")
        fields: dict[str, Any] = {}
        if photo is not None:
            fields["photo"] = self.store_photo(photo)
            if caption:
                fields["caption"] = caption
                fields["caption_entities"] = detect_entities(caption)
        elif location is not None:
            fields["location"] = {"latitude": float(location[0]), "longitude": float(location[1])}
        else:
            text = (text or "").strip()
            if not text:
                raise bad_request("message text is empty")
            fields["text"] = text
            fields["entities"] = detect_entities(text)
        if reply_to is not None:
            if self.message(chat, reply_to) is None:
                raise bad_request("message to be replied not found")
            fields["reply_to"] = reply_to
        message = self._store(chat, user.id, **fields)
        for bot in self._listeners(chat, message):
            self._deliver(bot, "message", self.message_api(message))
        return message

    def _listeners(self, chat: Chat, message: Message) -> list[Bot]:
        """The bots that receive a user's message, privacy mode included."""
        if not chat.is_group:
            bot = self.bots.get(chat.bot_id or 0)
            return [bot] if bot is not None else []
        listeners = []
        for bot in self.bots.values():
            if not chat.is_member(bot.id):
                continue
            if (
                bot.privacy_mode
                and not chat.is_admin(bot.id)
                and not self._addressed_to(bot, message)
            ):
                continue
            listeners.append(bot)
        return listeners

    def _addressed_to(self, bot: Bot, message: Message) -> bool:
        text = message.text or message.caption or ""
        entities = message.entities or message.caption_entities
        name = (bot.user.username or "").lower()
        for entity in entities:
            piece = _utf16_piece(text, entity["offset"], entity["length"]).lower()
            if entity["type"] == "bot_command" and ("@" not in piece or piece.endswith("@" + name)):
                return True
            if entity["type"] == "mention" and piece == "@" + name:
                return True
        if message.reply_to is not None:
            replied = message.chat.messages.get(message.reply_to)
            return replied is not None and replied.sender_id == bot.id
        return False

    def send_bot_message(self, bot: Bot, chat: Chat, **fields: Any) -> Message:
        return self._store(chat, bot.id, **fields)

    def edit_by_bot(self, message: Message, **changes: Any) -> Message:
        message.history.append(message.snapshot())
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = now()
        self._emit("edit", message.chat.key, {"message": self.message_view(message)})
        return message

    def edit_by_user(self, chat: Chat, message_id: int, user_id: int, text: str) -> Message:
        """A user edits their own text message; the bots get edited_message."""
        message = self.message(chat, message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if message.sender_id != user_id:
            raise bad_request("message can't be edited")
        text = text.strip()
        if not text:
            raise bad_request("message text is empty")
        if message.text is None:
            if message.photo is None:
                raise bad_request("there is no text in the message to edit")
            changes: dict[str, Any] = {"caption": text, "caption_entities": detect_entities(text)}
        else:
            changes = {"text": text, "entities": detect_entities(text)}
        self.edit_by_bot(message, **changes)
        for bot in self._listeners(chat, message):
            self._deliver(bot, "edited_message", self.message_api(message))
        return message

    def delete(self, message: Message, by: int | None = None) -> None:
        message.deleted = True
        message.deleted_by = message.sender_id if by is None else by
        self._emit(
            "delete",
            message.chat.key,
            {"message_id": message.message_id, "deleted_by": message.deleted_by},
        )

    # ----- buttons, reactions, typing -------------------------------------------------------

    def press_button(
        self,
        chat: Chat,
        message_id: int,
        user_id: int,
        data: str | None = None,
        text: str | None = None,
        forge: bool = False,
    ) -> CallbackQuery:
        """A user presses an inline button (found by its data or its text).

        ``forge`` sends ``data`` whatever buttons the message has, as a modified client or a
        forwarded copy of someone else's message can: the bot must refuse it politely.
        """
        user = self.user(user_id)
        message = self.message(chat, message_id)
        if message is None:
            raise bad_request("message not found")
        bot = self.bots.get(message.sender_id)
        if bot is None:
            raise bad_request("only bot messages have inline buttons")
        if chat.is_group and not chat.is_member(user.id):
            raise bad_request("the user is not a member of this group")
        button = {"callback_data": data or ""} if forge else self._find_button(message, data, text)
        query = CallbackQuery(
            id=str(secrets.randbelow(9 * 10**18) + 10**18),
            bot_id=bot.id,
            user_id=user.id,
            chat_key=chat.key,
            message_id=message.message_id,
            data=button["callback_data"],
            created=time.monotonic(),
        )
        self.callbacks[query.id] = query
        self._deliver(
            bot,
            "callback_query",
            {
                "id": query.id,
                "from": user.to_api(),
                "message": self.message_api(message),
                "chat_instance": chat_instance(bot.id, chat.key),
                "data": query.data,
            },
        )
        self._emit(
            "press",
            chat.key,
            {
                "query_id": query.id,
                "user_id": user.id,
                "message_id": message_id,
                "data": query.data,
            },
        )
        return query

    @staticmethod
    def _find_button(message: Message, data: str | None, text: str | None) -> JSON:
        markup = message.reply_markup or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if "callback_data" not in button:
                    continue
                if (data is not None and button["callback_data"] == data) or (
                    data is None and text is not None and button["text"] == text
                ):
                    return button
        raise bad_request("no such button on this message")

    def answer_callback(self, query_id: str, answer: JSON) -> CallbackQuery:
        query = self.callbacks.get(query_id)
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        query.answer = answer
        self._emit(
            "answer",
            query.chat_key,
            {"query_id": query_id, "user_id": query.user_id, "answer": answer},
        )
        return query

    def react(self, chat: Chat, message_id: int, user_id: int, emojis: list[str]) -> Message:
        """A user (or a bot) sets its reactions on a message; admin bots hear of it."""
        message = self.message(chat, message_id)
        if message is None:
            raise bad_request("message not found")
        actor = self.users.get(user_id)
        if actor is None:
            raise bad_request("user not found")
        canonical = []
        for emoji in emojis:
            found = canonical_reaction(emoji)
            if found is None:
                raise bad_request("REACTION_INVALID")
            if found not in canonical:
                canonical.append(found)
        if len(canonical) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        old = message.reactions.get(user_id, [])
        if canonical:
            message.reactions[user_id] = canonical
        else:
            message.reactions.pop(user_id, None)
        self._emit("reaction", chat.key, {"message": self.message_view(message)})
        if actor.is_bot or old == canonical:
            return message
        for bot in self.bots.values():
            receives = chat.bot_id == bot.id if not chat.is_group else chat.is_admin(bot.id)
            if receives:
                self._deliver(
                    bot,
                    "message_reaction",
                    {
                        "chat": self.chat_api(chat),
                        "message_id": message.message_id,
                        "user": actor.to_api(),
                        "date": now(),
                        "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
                        "new_reaction": [{"type": "emoji", "emoji": e} for e in canonical],
                    },
                )
        return message

    def set_typing(self, chat: Chat, bot_id: int, action: str) -> None:
        until = time.time() + TYPING_SECONDS
        self.typing[(chat.key, bot_id)] = until
        self._emit("typing", chat.key, {"bot_id": bot_id, "action": action, "until": until})

    # ----- files --------------------------------------------------------------------------

    def store_file(
        self,
        data: bytes,
        *,
        folder: str,
        suffix: str,
        mime_type: str,
        width: int = 0,
        height: int = 0,
        file_name: str | None = None,
    ) -> StoredFile:
        number = next(self._file_seq)
        file_id = "AgACAgUAAxkB" + secrets.token_urlsafe(24)
        unique = "AQAD" + hashlib.sha1(file_id.encode()).hexdigest()[:12]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            data=data,
            file_path=f"{folder}/file_{number}.{suffix}",
            mime_type=mime_type,
            width=width,
            height=height,
            file_name=file_name,
        )
        self.files[file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def store_photo(self, data: bytes) -> list[JSON]:
        """Keep a photo as Telegram does: a few JPEG sizes, each its own file."""
        from simulator.photos import photo_sizes

        sizes = []
        for blob, width, height in photo_sizes(data):
            stored = self.store_file(
                blob,
                folder="photos",
                suffix="jpg",
                mime_type="image/jpeg",
                width=width,
                height=height,
            )
            sizes.append(photo_size_api(stored))
        for size in sizes:
            self.photo_sets[size["file_id"]] = sizes
        return sizes

    # ----- updates ------------------------------------------------------------------------

    def _deliver(self, bot: Bot, kind: str, payload: JSON) -> None:
        # Telegram filters when the update is made, not when it is fetched.
        if not bot.wants(kind):
            return
        bot.updates.append({"update_id": bot.next_update_id, kind: payload})
        bot.next_update_id += 1
        self.changed.fire()

    def confirm_updates(self, bot: Bot, offset: int) -> None:
        if offset < 0:
            bot.updates = bot.updates[offset:]
        else:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]

    # ----- the Bot API's JSON -------------------------------------------------------------

    def chat_api(self, chat: Chat) -> JSON:
        if chat.type == "private":
            user = self.users[chat.user_id or 0]
            data: JSON = {"id": chat.id, "first_name": user.first_name, "type": "private"}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        data = {"id": chat.id, "title": chat.title, "type": chat.type}
        if chat.username:
            data["username"] = chat.username
        return data

    def chat_full_api(self, chat: Chat) -> JSON:
        data = self.chat_api(chat)
        data.update(
            accent_color_id=abs(chat.id) % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.is_group:
            if chat.description:
                data["description"] = chat.description
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        return data

    def member_api(self, chat: Chat, user_id: int, status: MemberStatus | None = None) -> JSON:
        user = self.users[user_id]
        status = status or chat.member_status(user_id)
        data: JSON = {"user": user.to_api(), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(can_be_edited=False, is_anonymous=False)
            data.update(ADMIN_RIGHTS)
            if status == chat.member_status(user_id):
                data.update(chat.rights.get(user_id, {}))
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def message_api(self, message: Message, *, with_reply: bool = True) -> JSON:
        chat = message.chat
        data: JSON = {
            "message_id": message.message_id,
            "from": self.users[message.sender_id].to_api(),
            "chat": self.chat_api(chat),
            "date": message.date,
        }
        if message.edit_date:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to is not None:
            replied = chat.messages.get(message.reply_to)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self.message_api(replied, with_reply=False)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.photo is not None:
            data["photo"] = message.photo
        if message.document is not None:
            data["document"] = message.document
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.location is not None:
            data["location"] = message.location
        if message.service:
            data.update(message.service)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    # ----- views for the tests and the web page --------------------------------------------

    def message_view(self, message: Message) -> JSON:
        """A transcript entry: the Bot API message plus what only an observer sees."""
        view = self.message_api(message)
        if message.reply_markup is not None:
            view["reply_markup"] = message.reply_markup
        reactions: dict[str, list[int]] = {}
        for user_id, emojis in message.reactions.items():
            for emoji in emojis:
                reactions.setdefault(emoji, []).append(user_id)
        text = message.text if message.text is not None else message.caption
        entities = message.entities if message.text is not None else message.caption_entities
        view.update(
            chat_key=message.chat.key,
            from_bot=message.sender_id in self.bots,
            html=entities_to_html(text, entities) if text else None,
            reactions=reactions,
            history=message.history,
            deleted=message.deleted,
            deleted_by=message.deleted_by,
            reply_to_message_id=message.reply_to,
        )
        return view

    def chat_view(self, chat: Chat) -> JSON:
        if chat.is_group:
            title = chat.title or ""
        else:
            bot = self.bots.get(chat.bot_id or 0)
            title = bot.user.first_name if bot else ""
        return {
            "key": chat.key,
            "id": chat.id,
            "type": chat.type,
            "title": title,
            "bot_id": chat.bot_id,
            "user_id": chat.user_id,
            "members": {str(uid): status for uid, status in chat.members.items()},
        }

    def transcript(self, chat: Chat) -> list[JSON]:
        return [self.message_view(message) for message in chat.messages.values()]

    def commands_for(self, bot: Bot, chat: Chat, user_id: int, language: str | None) -> list[JSON]:
        """The command menu a Telegram app would show this user in this chat."""
        scopes: list[JSON] = []
        if chat.is_group:
            scopes.append({"type": "chat_member", "chat_id": chat.id, "user_id": user_id})
            if chat.is_admin(user_id):
                scopes.append({"type": "chat_administrators", "chat_id": chat.id})
            scopes.append({"type": "chat", "chat_id": chat.id})
            if chat.is_admin(user_id):
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        else:
            scopes.append({"type": "chat", "chat_id": chat.id})
            scopes.append({"type": "all_private_chats"})
        scopes.append({"type": "default"})
        languages = [language[:2]] if language else []
        for scope in scopes:
            for lang in [*languages, ""]:
                commands = bot.commands.get((scope_key(scope), lang))
                if commands:
                    return commands
        return []


def bot_id_of(token: str) -> int | None:
    head, sep, secret = token.partition(":")
    if not sep or not head.isdigit() or not secret or len(head) > 15:
        return None
    return int(head)


def chat_instance(bot_id: int, chat_key: str) -> str:
    digest = hashlib.sha256(f"{bot_id}/{chat_key}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big") - 2**63)


def scope_key(scope: JSON) -> str:
    kind = scope.get("type", "default")
    parts = [kind]
    if "chat_id" in scope:
        parts.append(str(scope["chat_id"]))
    if "user_id" in scope:
        parts.append(str(scope["user_id"]))
    return ":".join(parts)


def photo_size_api(stored: StoredFile) -> JSON:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": stored.width,
        "height": stored.height,
    }


def _utf16_piece(text: str, offset: int, length: int) -> str:
    raw = text.encode("utf-16-le")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


__all__ = ["ApiError", "Bot", "Chat", "Message", "SimState", "User"]
