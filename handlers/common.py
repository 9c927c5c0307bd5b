"""Commands for everyone: /start, /help, /my, /case, /status."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.cases.models import OPEN_STATUSES, CaseStatus, Role
from bot.cases.roles import can_view_case, is_staff, roles_for
from handlers import keyboards, render, texts
from handlers.context import GridContext, command_args, display_name, reply, reply_privately
from nlp.taxonomy import category_name

ACTION_NAMES = {
    "open": "报事", "assign": "派单", "accept": "接单", "resolve": "办结", "escalate": "上报",
    "reassign": "转派", "reject": "退回", "close": "关闭", "reopen": "重新办理", "edit": "修改内容",
    "overdue": "超期",
}  # fmt: skip


async def start(update: Update, context: GridContext) -> None:
    """/start in private: remember that this person can now be written to."""
    user = update.effective_user
    if user is None:
        return
    services = context.services
    await services.lookup.started(user.id, name=display_name(user), username=user.username)
    if is_staff(services.config, user.id):
        await reply(
            update,
            context,
            texts.START_STAFF.format(name=render.esc(services.config.user_name(user.id))),
        )
    else:
        await reply(update, context, texts.START)
    # What could not reach them before (a rejection's reason, a rating question) comes now.
    drainer = context.bot_data.drainer
    if drainer is not None:
        await drainer.release_for(user.id)


async def help_command(update: Update, context: GridContext) -> None:
    """/help: what the bot does and how."""
    await reply(update, context, texts.HELP)


async def my_cases(update: Update, context: GridContext) -> None:
    """/my: the resident's own cases and their states, always privately: a group must not learn
    which cases are theirs (some were reported anonymously)."""
    user = update.effective_user
    if user is None:
        return
    services = context.services
    cases = await services.lookup.reported_by(user.id, limit=20)
    lines = [texts.MY_CASES_HEAD] if cases else [texts.NO_CASES]
    for case in cases:
        anonymous = f" {texts.ANONYMOUS_MARK}" if case.anonymous else ""
        lines.append(
            f"• <b>{case.number}</b> {category_name(case.category)} · {texts.STATUS.get(case.status, case.status)}{anonymous}"
            f"\n  {render.safe_text(case.text, masked=False, limit=40)}"
        )
    mention = render.mention(user.id, display_name(user))
    await reply_privately(
        update, context, "\n".join(lines), hint=texts.START_BOT_FOR_MY.format(mention=mention)
    )


async def show_case(update: Update, context: GridContext) -> None:
    """/case N: one case's timeline for those who may see it (`can_view_case`), masked in a group.

    Numbers are sequential, so anyone else is answered exactly as for a number that does not
    exist, on the same path (both lookups, one refusal): the answer tells them nothing."""
    user = update.effective_user
    if user is None:
        return
    services = context.services
    number = (command_args(context) or [""])[0].strip()
    if not number:
        await reply(update, context, texts.CASE_USAGE, quote=True)
        return
    case = await services.lookup.case_by_number(number)
    if number.isdigit():
        # "/case 123" means case 123 of this year (looked up whatever the first answer was).
        year = render.local_year(services.config, services.clock.now())
        of_this_year = await services.lookup.case_by_number(f"{year}-{int(number):06d}")
        case = case or of_this_year
    if case is None or not can_view_case(services.config, user.id, case):
        await reply(update, context, texts.UNKNOWN_CASE, quote=True)
        return
    in_group = update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE
    masked = in_group
    events = await services.lookup.events(case.id)
    lines = [
        render.case_card(services.config, case)
        if masked
        else render.handler_card(
            services.config, case, await services.lookup.card_state(case, user.id)
        )
    ]
    lines.append("")
    for event in events:
        actor = (
            "系统"
            if event.actor_id is None
            else render.person(services.config, event.actor_id, "居民")
        )
        if event.actor_id == case.reporter_id:
            actor = texts.ANONYMOUS_NAME if case.anonymous and masked else "报事人"
        note = f"：{render.safe_text(event.note, masked=masked, limit=80)}" if event.note else ""
        lines.append(
            f"{render.local_time(services.config, event.at)} {render.esc(actor)} {ACTION_NAMES.get(event.action, event.action)}{note}"
        )
    buttons = None
    roles = roles_for(services.config, user.id, case)
    if not in_group and Role.ASSIGNEE in roles and CaseStatus(case.status) in OPEN_STATUSES:
        markup = keyboards.handler_actions(case.id, accepted=case.status == CaseStatus.ACCEPTED)
        buttons = [[(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard]
    # With buttons it is one more card the handler holds: they follow the case (cards.py).
    await reply(
        update, context, "\n".join(lines), quote=True, buttons=buttons,
        case_id=case.id if buttons else None, held="buttons" if buttons else None,
    )  # fmt: skip


async def status(update: Update, context: GridContext) -> None:
    """/status for staff: am I an administrator in each grid group (likes need it), the outbox."""
    user = update.effective_user
    services = context.services
    if user is None or not is_staff(services.config, user.id):
        await reply(update, context, texts.STAFF_ONLY.format(command="/status"))
        return
    me = await context.bot.get_me()

    async def check(grid_id: str, chat_id: int, name: str) -> str:
        try:
            member = await context.bot.get_chat_member(chat_id, me.id)
        except TelegramError:
            return texts.STATUS_UNREACHABLE.format(grid=render.esc(name))
        if member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
            return texts.STATUS_ADMIN_OK.format(grid=render.esc(name))
        return texts.STATUS_ADMIN_MISSING.format(grid=render.esc(name))

    lines = [texts.STATUS_HEAD]
    lines += await asyncio.gather(
        *(check(g.id, g.chat_id, g.name) for g in services.config.grids())
    )
    counts = await services.lookup.outbox_counts()
    lines.append(
        texts.STATUS_OUTBOX.format(pending=counts.get("pending", 0), failed=counts.get("failed", 0))
    )
    await reply(update, context, "\n".join(lines))
