"""An async client for the control API, for tests and benchmarks.

async with ControlClient(server.base_url) as sim:
    sent = await sim.send(-1001, 1001, "福业街菜场门口路面塌了个坑")
    reply = await sim.wait_bot_message(-1001, after=sent["message_id"])
"""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

ChatRef = int | str


class ControlError(Exception):
    """The control API refused a request; ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ControlClient:
    """Plays the people in the simulated Telegram: users, groups, messages, buttons."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self,
        verb: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        wait: float = 0.0,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        timeout = aiohttp.ClientTimeout(total=self._timeout + wait)
        async with self._session.request(
            verb, f"{self.base_url}/control{path}", json=json, params=query, timeout=timeout
        ) as response:
            body = await response.json()
        if not body.get("ok"):
            if response.status == 408:
                raise TimeoutError(body.get("error", "timed out"))
            raise ControlError(body.get("error", "failed"), response.status)
        return body["result"]

    # ----- set-up ---------------------------------------------------------------------------

    async def reset(self) -> None:
        """Forget every bot, user, chat, message, fault setting and logged call."""
        await self._call("POST", "/reset")

    async def seed(self, spec: dict[str, Any]) -> dict[str, int]:
        """Add users and groups from ``{"users": [...], "groups": [...]}`` (see simulator.seed)."""
        return await self._call("POST", "/seed", json=spec)

    async def register_bot(
        self,
        token: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool = False,
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/bots",
            json={
                "token": token,
                "username": username,
                "first_name": first_name,
                "privacy_mode": privacy_mode,
            },
        )

    async def add_user(
        self,
        user_id: int,
        name: str,
        *,
        username: str | None = None,
        role: str | None = None,
        last_name: str | None = None,
        language_code: str = "zh-hans",
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/users",
            json={
                "id": user_id,
                "name": name,
                "username": username,
                "role": role,
                "last_name": last_name,
                "language_code": language_code,
            },
        )

    async def add_group(
        self,
        title: str,
        *,
        chat_id: int | None = None,
        members: list[int] | None = None,
        admins: list[int] | None = None,
        bot_is_admin: bool = True,
        chat_type: str | None = None,
        announce: bool = False,
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/groups",
            json={
                "title": title,
                "chat_id": chat_id,
                "members": members or [],
                "admins": admins or [],
                "bot_is_admin": bot_is_admin,
                "type": chat_type,
                "announce": announce,
            },
        )

    async def set_bot_status(
        self,
        chat: ChatRef,
        status: str,
        *,
        bot_id: int | None = None,
        rights: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        """Add, promote, demote or remove the bot in a group (it gets my_chat_member); an
        administrator's `rights` (can_delete_messages, …) default to all but promoting."""
        return await self._call(
            "POST",
            f"/groups/{chat}/bot",
            json={"status": status, "bot_id": bot_id, "rights": rights},
        )

    async def start(
        self, user_id: int, *, payload: str = "", bot_id: int | None = None
    ) -> dict[str, Any]:
        """The user presses START: the bot gets "/start" (or "/start payload")."""
        return await self._call(
            "POST", f"/users/{user_id}/start", json={"payload": payload, "bot_id": bot_id}
        )

    async def block(self, user_id: int, *, bot_id: int | None = None) -> None:
        """The user blocks the bot: my_chat_member to the bot, 403 on its next message."""
        await self._call("POST", f"/users/{user_id}/block", json={"bot_id": bot_id})

    # ----- acting in chats --------------------------------------------------------------------

    async def send(
        self,
        chat: ChatRef,
        user_id: int,
        text: str | None = None,
        *,
        photo: bytes | None = None,
        caption: str | None = None,
        location: tuple[float, float] | None = None,
        reply_to: int | None = None,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        """Post as a user; returns the message as the transcript shows it."""
        body: dict[str, Any] = {
            "chat": chat,
            "user_id": user_id,
            "text": text,
            "caption": caption,
            "reply_to": reply_to,
            "bot_id": bot_id,
        }
        if photo is not None:
            body["photo"] = base64.b64encode(photo).decode()
        if location is not None:
            body["location"] = {"latitude": location[0], "longitude": location[1]}
        return await self._call("POST", "/messages", json=body)

    async def send_many(self, messages: list[dict[str, Any]]) -> int:
        """Post many text messages at once ({"chat", "user_id", "text"} each); for load tests."""
        result = await self._call("POST", "/messages/batch", json={"messages": messages})
        return int(result["posted"])

    async def press(
        self,
        chat: ChatRef,
        message_id: int,
        user_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - how long the server waits
        bot_id: int | None = None,
        forge: bool = False,
    ) -> dict[str, Any]:
        """Press an inline button (by callback data or label); waits for answerCallbackQuery.

        ``forge=True`` sends ``data`` even if no such button exists (a modified client).

        Returns ``{"query_id", "data", "answered", "answer": {"text", "show_alert", ...}}``.
        """
        return await self._call(
            "POST",
            "/press",
            wait=timeout,
            json={
                "chat": chat,
                "message_id": message_id,
                "user_id": user_id,
                "data": data,
                "text": text,
                "timeout": timeout,
                "bot_id": bot_id,
                "forge": forge,
            },
        )

    async def react(
        self,
        chat: ChatRef,
        message_id: int,
        user_id: int,
        emoji: str | None,
        *,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        """Set the user's reaction (None clears it)."""
        return await self._call(
            "POST",
            "/react",
            json={
                "chat": chat,
                "message_id": message_id,
                "user_id": user_id,
                "emojis": [emoji] if emoji else [],
                "bot_id": bot_id,
            },
        )

    async def edit(
        self,
        chat: ChatRef,
        message_id: int,
        user_id: int,
        text: str,
        *,
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            "/edit",
            json={
                "chat": chat,
                "message_id": message_id,
                "user_id": user_id,
                "text": text,
                "bot_id": bot_id,
            },
        )

    # ----- reading and waiting ----------------------------------------------------------------

    async def transcript(self, chat: ChatRef, *, bot_id: int | None = None) -> list[dict[str, Any]]:
        """Every message of the chat with current text, edit history, markup, reactions."""
        view = await self._call("GET", f"/chats/{chat}/transcript", params={"bot_id": bot_id})
        return view["messages"]

    async def wait_bot_message(
        self,
        chat: ChatRef,
        *,
        after: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - how long the server waits
        bot_id: int | None = None,
    ) -> dict[str, Any]:
        """The bot's first message after ``after`` (default: the last message of a person).

        Raises TimeoutError when none comes within ``timeout`` seconds.
        """
        return await self._call(
            "GET",
            f"/chats/{chat}/wait",
            wait=timeout,
            params={"after": after, "timeout": timeout, "bot_id": bot_id},
        )

    async def wait_event(
        self,
        kind: str | None = None,
        *,
        chat: ChatRef | None = None,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - how long the server waits
    ) -> dict[str, Any]:
        """The first event after sequence number ``after`` (kinds: message, edit, delete,
        reaction, typing, press, answer, chat, user, bot, settings, reset)."""
        return await self._call(
            "GET",
            "/events",
            wait=timeout,
            params={"kind": kind, "chat": chat, "after": after, "timeout": timeout},
        )

    async def last_event(self) -> int:
        """The sequence number of the latest event, to wait for what comes after it."""
        return (await self.state())["last_event"]

    async def state(self) -> dict[str, Any]:
        return await self._call("GET", "/state")

    async def chats(self, user_id: int | None = None) -> list[dict[str, Any]]:
        return await self._call("GET", "/chats", params={"user_id": user_id})

    async def commands(self, chat: ChatRef, user_id: int) -> list[dict[str, Any]]:
        """The command menu a Telegram app would show this user in this chat."""
        return await self._call("GET", f"/chats/{chat}/commands", params={"user_id": user_id})

    async def pending_updates(self, bot_id: int) -> list[dict[str, Any]]:
        return await self._call("GET", f"/bots/{bot_id}/updates")

    # ----- faults and calls -------------------------------------------------------------------

    async def set_faults(self, **settings: Any) -> dict[str, Any]:
        """Replace the fault settings (see simulator.faults.FaultConfig for the names)."""
        return await self._call("POST", "/faults", json=settings)

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/faults")

    async def faults(self) -> dict[str, Any]:
        return await self._call("GET", "/faults")

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """The Bot API calls received (lower-case method names), oldest first."""
        return await self._call("GET", "/calls", params={"method": method})

    async def clear_calls(self) -> None:
        await self._call("DELETE", "/calls")
