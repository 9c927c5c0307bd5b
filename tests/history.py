"""A deterministic, realistic case history for the statistics tests and benchmark.

`generate(config, cases=…, days=…, end=…, seed=…)` plays each case forward from its report with
timings drawn per level (acceptance within minutes to hours, resolution within hours to days),
escalations when a resolution runs past its deadline, ratings, reopenings after 👎, closings and
likes, all cut off at `end` (now). Rows come out in storage.stats.HISTORY_*_COLUMNS order, so
`load` can write them through storage in bulk, and the tests can compute every figure again in
plain Python from the same rows. Deadlines are wall-clock here (created + the level's hours):
the statistics read whatever deadline is stored, so the simplification changes no rule tested.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import math
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cases.routing import route_case
from bot.config import Config
from nlp.taxonomy import CATEGORY_CODES
from storage import stats as stats_sql
from storage.db import Database
from tests.pg_server import PgServer

DAY = 86400
HOUR = 3600
RESIDENTS = 800_000  # residents' user ids start here; unknown to the configuration

# Category weights by grid type: floating and demolition grids quarrel more, business grids
# have more street-order and market cases, rural ones more sanitation and disasters.
_BASE = {
    "dispute": 10, "labor": 3, "public_security": 6, "illegal_building": 4, "street_order": 9,
    "pollution": 7, "market_safety": 3, "fire_hazard": 5, "disaster": 3, "facility_repair": 18,
    "sanitation": 14, "livelihood": 9, "other": 2,
}  # fmt: skip
_TYPE_BOOST = {
    "floating": {"dispute": 2.0, "public_security": 2.2, "fire_hazard": 1.6, "labor": 1.5},
    "demolition": {"dispute": 2.5, "illegal_building": 3.0, "public_security": 1.4},
    "enterprise": {"labor": 3.5, "pollution": 1.8, "fire_hazard": 1.5},
    "business": {"street_order": 2.2, "market_safety": 2.5, "pollution": 1.5},
    "community": {"facility_repair": 1.3, "livelihood": 1.4},
    "rural": {"sanitation": 1.6, "disaster": 2.0, "illegal_building": 1.4},
}
# How busy a grid is, by type (cases per day relative to a community grid).
_TYPE_VOLUME = {
    "floating": 1.5, "demolition": 1.2, "enterprise": 0.9,
    "business": 1.3, "community": 1.0, "rural": 0.6,
}  # fmt: skip

_PHRASES: dict[str, list[str]] = {
    "dispute": ["楼上漏水到我家天花板", "邻居装修噪音吵架", "楼道堆物和邻居起了争执", "物业费纠纷吵起来了"],
    "labor": ["老板拖欠工资三个月", "工厂欠薪不给结算", "工伤赔偿谈不拢"],
    "public_security": ["电动车被偷了", "小区里有可疑人员徘徊", "有人聚众赌博", "接到诈骗电话被骗"],
    "illegal_building": ["楼顶违章搭建阳光房", "一楼住户私自圈占绿地", "违建围墙占了消防通道旁空地"],
    "street_order": ["车辆乱停堵住路口", "流动摊贩占道经营", "店门口货物堆到路上", "小广告贴满墙"],
    "pollution": ["饭店油烟太大", "工地夜间施工噪音", "河道有人偷排污水", "有人焚烧垃圾很呛"],
    "market_safety": ["菜场卖过期食品", "无证小店卖散装酒", "药店卖假药"],
    "fire_hazard": ["电动车在楼道充电", "消防通道被堵死", "楼梯间堆满杂物", "闻到煤气味"],
    "disaster": ["暴雨后路面积水很深", "台风把大树刮倒了", "路面塌陷出现大坑"],
    "facility_repair": ["路灯坏了好几天", "井盖丢了很危险", "电梯又坏了", "路面破损坑坑洼洼", "停水了没有通知"],
    "sanitation": ["垃圾好几天没人清运", "垃圾桶满了溢出来", "下水道堵了发臭", "老鼠很多"],
    "livelihood": ["独居老人需要帮助", "社保怎么办理", "疫苗接种在哪里预约", "低保申请需要什么材料"],
    "other": ["想反映一个问题", "有个建议想提"],
}  # fmt: skip
_TAILS = ["", "，麻烦尽快处理", "，希望有人来看看", "，已经好几天了", "，请网格员帮忙"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_TITLES = ["女士", "先生", "阿姨", "大爷", "师傅"]
# Median minutes to accept and hours to resolve, per level; log-normal around them.
_ACCEPT_MIN = {1: 25, 2: 70, 3: 180, 4: 420}
_RESOLVE_H = {1: 5, 2: 26, 3: 60, 4: 130}
_LEVEL_WEIGHTS = [56, 30, 11, 3]
_DEADLINE_H = {1: (2, 24), 2: (4, 72), 3: (8, 120), 4: (24, 240)}  # the example's hours
_OPEN = frozenset(stats_sql.OPEN_STATUSES)


@dataclass
class History:
    """Rows ready for storage, in the HISTORY_*_COLUMNS orders, and the time they end at."""

    now: int
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    ratings: list[tuple[Any, ...]] = field(default_factory=list)
    likes: list[tuple[Any, ...]] = field(default_factory=list)

    def case_dicts(self) -> list[dict[str, Any]]:
        """The cases as dicts keyed by column name, for readable checks."""
        names = stats_sql.HISTORY_CASE_COLUMNS
        return [dict(zip(names, row, strict=True)) for row in self.cases]


class _Grid:
    """What the generator needs of one grid, looked up once."""

    def __init__(self, config: Config, grid_id: str) -> None:
        grid = config.grid(grid_id)
        assert grid is not None
        self.id = grid_id
        self.chat_id = grid.chat_id
        self.community_id = config.community_of(grid_id).id
        self.street_id = config.street_of(grid_id).id
        self.places = grid.places or [grid.name]
        boost = _TYPE_BOOST.get(grid.type, {})
        self.category_weights = [_BASE[c] * boost.get(c, 1.0) for c in CATEGORY_CODES]
        self.volume = _TYPE_VOLUME.get(grid.type, 1.0)
        self.routes: dict[tuple[str, int, bool], tuple[int, str | None]] = {}
        for category in CATEGORY_CODES:
            for level in (1, 2, 3, 4):
                for urgent in (False, True):
                    route = route_case(config, grid_id, category, level, urgent)
                    self.routes[(category, level, urgent)] = (
                        route.assignee_id,
                        route.department_id,
                    )


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _report_time(rng: random.Random, day_start: int) -> int:
    # Residents write mostly by day: 07:00-22:00 local, a few at night.
    if rng.random() < 0.08:
        return day_start + rng.randrange(0, 7 * HOUR)
    return day_start + 7 * HOUR + rng.randrange(0, 15 * HOUR)


def generate(
    config: Config,
    *,
    cases: int,
    days: int,
    end: int,
    seed: int = 7,
    hot: tuple[str, str, str] | None = None,
) -> History:
    """`cases` cases over the `days` local days before `end`, played forward until `end`.

    `hot` = (grid id, phrase, place) makes that phrase and place recur in the grid's last
    week, for the hot-topic checks.
    """
    history = History(now=end)
    for batch in iter_history(config, cases=cases, days=days, end=end, seed=seed, hot=hot):
        history.cases += batch.cases
        history.events += batch.events
        history.ratings += batch.ratings
        history.likes += batch.likes
    return history


def iter_history(
    config: Config,
    *,
    cases: int,
    days: int,
    end: int,
    seed: int = 7,
    hot: tuple[str, str, str] | None = None,
    batch: int = 50_000,
) -> Iterator[History]:
    """The same history as `generate`, in batches of cases (for a million without the memory)."""
    rng = random.Random(seed)
    zone = config.calendar.zone
    grids = [_Grid(config, g.id) for g in config.grids()]
    grid_weights = [g.volume for g in grids]
    end_local = datetime.fromtimestamp(end, zone)
    midnight = int(end_local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    first_day = midnight - (days - 1) * DAY  # Asia/Shanghai has no DST; days are 86400 s
    # Slowly rising volume, quieter weekends; the picked times are sorted afterwards.
    times = []
    while len(times) < cases:
        u = rng.random() if rng.random() < 0.8 else max(rng.random(), rng.random())
        day = min(int(days * u), days - 1)
        weekday = datetime.fromtimestamp(first_day + day * DAY + 12 * HOUR, zone).isoweekday()
        if weekday >= 6 and rng.random() < 0.35:
            continue
        times.append(_report_time(rng, first_day + day * DAY))
    times = sorted(t for t in times if t < end) or [end - HOUR]
    year_counts: dict[int, int] = {}
    out = History(now=end)
    for case_id, created in enumerate(times, start=1):
        grid = rng.choices(grids, grid_weights)[0]
        category = rng.choices(CATEGORY_CODES, grid.category_weights)[0]
        text, place = _text(rng, grid, category)
        if (
            hot is not None
            and grid.id == hot[0]
            and created >= end - 7 * DAY
            and rng.random() < 0.5
        ):
            text, place = f"{hot[2]}{hot[1]}，太危险了", hot[2]
        year = datetime.fromtimestamp(created, UTC).astimezone(zone).year
        year_counts[year] = year_counts.get(year, 0) + 1
        _play_case(out, rng, grid, case_id, created, category, text, place, year, year_counts[year])
        if len(out.cases) >= batch:
            yield out
            out = History(now=end)
    if out.cases:
        yield out


def _text(rng: random.Random, grid: _Grid, category: str) -> tuple[str, str | None]:
    place = rng.choice(grid.places) if rng.random() < 0.8 else None
    phrase = rng.choice(_PHRASES[category])
    text = f"{place or ''}{phrase}{rng.choice(_TAILS)}"
    if rng.random() < 0.05:
        text += f"，联系电话1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
    return text, place


def _play_case(
    out: History,
    rng: random.Random,
    grid: _Grid,
    case_id: int,
    created: int,
    category: str,
    text: str,
    place: str | None,
    year: int,
    seq: int,
) -> None:
    now = out.now
    level = rng.choices((1, 2, 3, 4), _LEVEL_WEIGHTS)[0]
    urgent = rng.random() < (0.25 if category in ("fire_hazard", "disaster") else 0.02)
    reporter = RESIDENTS + rng.randrange(0, 20_000)
    name = rng.choice(_SURNAMES) + rng.choice(_TITLES)
    assignee, department = grid.routes[(category, level, urgent)]
    accept_h, resolve_h = _DEADLINE_H[level]
    c = {
        "status": "assigned", "level": level, "assignee_id": assignee, "department_id": department,
        "accept_due": created + accept_h * HOUR, "resolve_due": created + resolve_h * HOUR,
        "accepted_at": None, "resolved_at": None, "closed_at": None, "reopen_count": 0,
        "escalation_count": 0, "overdue": 0, "updated_at": created,
    }  # fmt: skip
    events = out.events

    def event(at: int, actor: int | None, action: str, to: str, note: str | None = None,
              data: dict[str, Any] | None = None) -> None:  # fmt: skip
        events.append(
            (case_id, at, actor, action, c["status"] if action != "open" else None, to, note,
             json.dumps(data, ensure_ascii=False) if data else None)
        )  # fmt: skip
        c["status"] = to
        c["updated_at"] = at

    c["status"] = None
    event(created, reporter, "open", "new", data={"category": category, "level": level})
    event(created, None, "assign", "assigned", data={"assignee_id": assignee, "level": level})
    t = created
    if rng.random() < 0.03:  # not a case after all
        at = t + int(_lognormal(rng, 1.5 * HOUR, 0.8))
        if at <= now:
            event(at, assignee, "reject", "rejected", note="不属于受理范围")
        return _finish(out, grid, case_id, created, category, text, place, year, seq, urgent,
                       reporter, name, c)  # fmt: skip
    slow = 1.0 if rng.random() < 0.85 else 3.0  # some handlers are slow
    liked: set[int] = set()  # a resident likes a case once, whichever resolution
    for round_ in range(3):
        # acceptance (a fifth of grid cases are fixed on the spot without accepting first)
        on_the_spot = c["level"] == 1 and rng.random() < 0.2
        accept_at = t + int(_lognormal(rng, _ACCEPT_MIN[c["level"]] * 60 * slow, 0.9))
        resolve_at = max(accept_at, t) + int(
            _lognormal(rng, _RESOLVE_H[c["level"]] * HOUR * slow, 0.8)
        )
        if not on_the_spot:
            if accept_at > now:
                break
            event(accept_at, c["assignee_id"], "accept", "accepted")
            c["accepted_at"] = accept_at
        # the deadline timer escalates a resolution that runs past its deadline
        if resolve_at > c["resolve_due"] and c["level"] < 4 and rng.random() < 0.5:
            at = c["resolve_due"]
            if at > now:
                break
            c["overdue"] = 1
            new_level = c["level"] + 1
            new_assignee, new_dept = grid.routes[(category, new_level, urgent)]
            old = c["assignee_id"]
            event(at, None, "escalate", "escalated", note="超时未办结，自动上报",
                  data={"from_level": c["level"], "to_level": new_level,
                        "from_assignee": old, "assignee_id": new_assignee})  # fmt: skip
            a_h, r_h = _DEADLINE_H[new_level]
            c.update(level=new_level, assignee_id=new_assignee, department_id=new_dept,
                     accepted_at=None, accept_due=at + a_h * HOUR, resolve_due=at + r_h * HOUR,
                     escalation_count=c["escalation_count"] + 1)  # fmt: skip
            t = at
            accept_at = t + int(_lognormal(rng, _ACCEPT_MIN[new_level] * 60, 0.9))
            resolve_at = accept_at + int(_lognormal(rng, _RESOLVE_H[new_level] * HOUR, 0.7))
            if accept_at > now:
                break
            event(accept_at, new_assignee, "accept", "accepted")
            c["accepted_at"] = accept_at
        if resolve_at > now:
            if c["resolve_due"] < now:
                c["overdue"] = 1  # the timer has flagged it by now
            break
        event(resolve_at, c["assignee_id"], "resolve", "resolved", note="已处理完毕")
        c["resolved_at"] = resolve_at
        if c["accepted_at"] is None:
            c["accepted_at"] = resolve_at
        if resolve_at > c["resolve_due"]:
            c["overdue"] = 1
        fans = rng.choice((1, 1, 2, 4)) if rng.random() < 0.2 else 0
        for fan in set(rng.sample(range(30_000), fans)) - liked:
            at = resolve_at + rng.randrange(60, 6 * HOUR)
            if at <= now:
                liked.add(fan)
                out.likes.append((case_id, RESIDENTS + 50_000 + fan, at))
        if rng.random() < 0.82:  # the reporter rates
            at = resolve_at + int(_lognormal(rng, 2 * HOUR, 1.0))
            if at > now:
                break
            late = resolve_at > c["resolve_due"]
            weights = (50, 28, 22) if late else (70, 22, 8)
            score = rng.choices(("satisfied", "basic", "unsatisfied"), weights)[0]
            out.ratings.append((case_id, round_, reporter, score, None, at))
            if score == "unsatisfied" and round_ < 2:
                event(at, reporter, "reopen", "reopened", note="居民不满意",
                      data={"score": score, "round": round_})  # fmt: skip
                a_h, r_h = _DEADLINE_H[c["level"]]
                c.update(reopen_count=c["reopen_count"] + 1, resolved_at=None, accepted_at=None,
                         accept_due=at + a_h * HOUR, resolve_due=at + r_h * HOUR)  # fmt: skip
                t = at
                continue
            event(at, reporter, "close", "closed", data={"score": score, "round": round_})
            c["closed_at"] = at
        else:  # no rating: closed by the system three days later
            at = resolve_at + 3 * DAY
            if at <= now:
                event(at, None, "close", "closed")
                c["closed_at"] = at
        break
    _finish(
        out, grid, case_id, created, category, text, place, year, seq, urgent, reporter, name, c
    )
    return None


def _finish(
    out: History,
    grid: _Grid,
    case_id: int,
    created: int,
    category: str,
    text: str,
    place: str | None,
    year: int,
    seq: int,
    urgent: bool,
    reporter: int,
    name: str,
    c: dict[str, Any],
) -> None:
    if c["status"] in _OPEN and c["resolve_due"] < out.now:
        c["overdue"] = 1
    out.cases.append(
        (
            case_id, f"{year}-{seq:06d}", grid.id, grid.community_id, grid.street_id, reporter,
            name, 0, grid.chat_id, case_id, text, category, c["level"], int(urgent), place, 0.9,
            c["status"], c["assignee_id"], c["department_id"], c["accept_due"], c["resolve_due"],
            created, c["updated_at"], c["accepted_at"], c["resolved_at"], c["closed_at"],
            c["reopen_count"], c["escalation_count"], c["overdue"],
        )
    )  # fmt: skip


async def load(db: Database, history: History) -> None:
    """Write a history through storage in one transaction."""
    async with db.write() as conn:
        await stats_sql.insert_history(
            conn,
            cases=history.cases,
            events=history.events,
            ratings=history.ratings,
            likes=history.likes,
        )


# --- one shared history per test session ---------------------------------------------------

HISTORY_NOW = 1795572000  # 2026-11-25 10:00 in Asia/Shanghai, the clock fixture's time
HISTORY_CASES = 6000
HISTORY_DAYS = 92
HOT = ("chenghe-2", "电动车在楼道充电", "福业街菜场")
_built: dict[str, tuple[Path, History]] = {}


def shared_history(config: Config) -> tuple[Path, History]:
    """A database file holding the standard test history, built once per session; read only."""
    if "standard" not in _built:
        folder = Path(tempfile.mkdtemp(prefix="gridbot-history-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        history = generate(
            config, cases=HISTORY_CASES, days=HISTORY_DAYS, end=HISTORY_NOW, seed=7, hot=HOT
        )
        path = folder / "history.sqlite3"

        async def build() -> None:
            db = await Database.open(path)
            try:
                await load(db, history)
            finally:
                await db.close()

        asyncio.run(build())
        _built["standard"] = (path, history)
    return _built["standard"]


def shared_history_pg(server: PgServer, config: Config) -> str:
    """The standard test history in a database of the test PostgreSQL server, built once."""
    key = f"standard-pg-{id(server)}"
    if key not in _built_pg:
        history = shared_history(config)[1]
        name = "gridbot_history"
        server.drop_database(name)
        server.sql(f"CREATE DATABASE {name} TEMPLATE template0")
        url = server.url(name)

        async def build() -> None:
            db = await Database.open(url)
            try:
                await load(db, history)
            finally:
                await db.close()

        asyncio.run(build())
        server.sql("ANALYZE", name)  # the planner's figures, as a running server would have
        _built_pg[key] = url
    return _built_pg[key]


_built_pg: dict[str, str] = {}
