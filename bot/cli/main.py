"""The `gridbot` command: the one composition root, which may import every layer."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence

DEFAULT_CONFIG = "examples/zhenhai.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridbot", description="网格通 Gridbot: resident reports in grid group chats."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check-config", help="validate a configuration file")
    check.add_argument("file", help="the district configuration (TOML)")
    check.add_argument("--json", action="store_true", help="print the normalised configuration")

    classify = commands.add_parser("classify", help="parse a message as the bot would")
    classify.add_argument("text", nargs="?", help="the message (omit with --jsonl)")
    classify.add_argument("--jsonl", action="store_true", help='read {"id", "text"} lines on stdin')
    classify.add_argument("--config", help="also know this configuration's place names")

    evaluate = commands.add_parser("eval", help="score the parser on labelled JSON lines")
    evaluate.add_argument(
        "file", nargs="?", help='labelled JSON lines ({"text", "is_report", …}) to score'
    )
    evaluate.add_argument("--real", metavar="DIR", help="per-source figures on real data instead")
    evaluate.add_argument(
        "--bucket",
        choices=("test", "dev", "both"),
        default="test",
        help="which held-out part of the real data (default: %(default)s)",
    )
    evaluate.add_argument(
        "--unseen",
        action="store_true",
        help="with --real: also score each chat source with a model trained without it",
    )
    evaluate.add_argument("--feedback", metavar="DB", help="score on the labels staff gave in DB")

    train = commands.add_parser("train", help="retrain the shipped classifier from nlp/data")
    real = train.add_mutually_exclusive_group()
    real.add_argument(
        "--real", metavar="DIR", help="real data folder (default ../shared/data/real)"
    )
    real.add_argument("--no-real", action="store_true", help="train on the corpus alone")
    train.add_argument("--feedback", metavar="DB", help="also train on the labels staff gave in DB")
    train.add_argument("--model", metavar="FILE", help="where --feedback writes the model")

    feedback = commands.add_parser(
        "feedback-export", help="staff decisions in a database as labelled JSON lines"
    )
    feedback.add_argument("--db", required=True)
    feedback.add_argument("--out", metavar="FILE", help="write here instead of standard output")

    city = commands.add_parser(
        "city-config",
        help="write a generated city-size configuration (for trials and benches)",
        description="Write a plausible city configuration in the real format: districts, streets, "
        "communities and grids with their people and departments (names and ids invented).",
    )
    city.add_argument(
        "--grids", type=int, default=10_000, help="how many grids (default: %(default)s)"
    )
    city.add_argument("--seed", type=int, default=2026, help="the same seed gives the same file")
    city.add_argument("--out", metavar="FILE", help="write here instead of standard output")

    export = commands.add_parser("export", help="cases as CSV, XLSX or Open311 JSON")
    from bot.cli.export_command import add_arguments

    add_arguments(export)

    run = commands.add_parser(
        "run",
        help="run the bot against TELEGRAM_API_BASE_URL",
        description="Run the bot with TELEGRAM_BOT_TOKEN against TELEGRAM_API_BASE_URL (from the "
        "environment or a .env file); while the server cannot be reached it says so and retries.",
    )
    run.add_argument(
        "--config", required=True, metavar="FILE", help="the district configuration (TOML)"
    )
    run.add_argument(
        "--db",
        default="gridbot.sqlite3",
        metavar="FILE|URL",
        help="the database: a SQLite file, or a postgresql:// URL (default: %(default)s)",
    )
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="webhook mode: the public HTTPS URL Telegram posts updates to (setWebhook with a "
        "secret token from GRIDBOT_WEBHOOK_SECRET, or drawn at start); without it, long polling "
        "in one process",
    )
    run.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="with --webhook: where the listener takes the posts, behind a reverse proxy "
        "(default: 127.0.0.1:8443)",
    )
    run.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="with --webhook: worker processes handling the stored updates, the outbox and the "
        "timers (default: 1)",
    )
    run.add_argument(
        "--lease",
        type=int,
        metavar="SECONDS",
        help="with --webhook: how long a worker's claim on an update or a notice holds if the "
        "worker dies (renewed while it works; default 120)",
    )
    run.add_argument(
        "--worker",
        metavar="I/N",
        help="internal: run as worker I of N under a webhook listener (the listener starts them)",
    )

    migrate = commands.add_parser(
        "migrate",
        help="copy a SQLite database into PostgreSQL",
        description="Copy every table of a district's SQLite database into an empty PostgreSQL "
        "database (its schema is created first), in one transaction, and check each table's "
        "row count. Stop the bot first: what it writes during the copy is not copied.",
    )
    migrate.add_argument("--from", dest="source", required=True, metavar="FILE")
    migrate.add_argument("--to", dest="target", required=True, metavar="postgresql://…")

    demo = commands.add_parser(
        "demo",
        help="the local Telegram, its web chat and the bot",
        description="Start a local Telegram Bot API server with a WeChat-style web chat, seed the "
        "configuration's people and groups, and run the bot on it. No token, no internet. "
        "Quiet hours are off unless --quiet-hours, so the demo shows everything at once.",
    )
    demo.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help="the district configuration (default: %(default)s)",
    )
    demo.add_argument(
        "--host", default="127.0.0.1", help="address the web chat listens on (default: %(default)s)"
    )
    demo.add_argument(
        "--port", type=int, default=8080, help="port of the web chat (default: %(default)s)"
    )
    demo.add_argument(
        "--data",
        default="gridbot-data",
        metavar="FOLDER",
        help="folder for the demo's database (default: %(default)s)",
    )
    choice = demo.add_mutually_exclusive_group()
    choice.add_argument("--reset", action="store_true", help="start from empty data")
    choice.add_argument(
        "--keep", action="store_true", help="reuse the data of the last run without asking"
    )
    demo.add_argument(
        "--quiet-hours",
        action="store_true",
        help="keep the configuration's quiet hours: at night non-urgent notices wait for the "
        "morning, and the bot says when they will go out",
    )
    return parser


def _places(config_path: str | None) -> tuple[list[str], dict[str, float]]:
    """The configuration's place names, and its intake thresholds when it sets them."""
    if not config_path:
        return [], {}
    from bot.config import load_config

    config = load_config(config_path)
    given = config.intake.model_fields_set
    thresholds = {
        key: getattr(config.intake, name)
        for key, name in (("case_threshold", "report_confidence"), ("review_threshold", "unsure_confidence"))
        if name in given
    }  # fmt: skip
    return config.place_names(), thresholds


# The long-running commands stop gracefully on SIGTERM and SIGINT.
_SERVING = frozenset({"run", "demo"})


def _exit_quietly(signum: int, frame: object) -> None:
    """Before the event loop takes the stop signals over nothing is open (no database, no
    connection): end at once, exit 0. Not by raising SystemExit: raised wherever the signal
    lands, say inside an import or a class being built, Python may turn it into another error,
    with a traceback and status 1, or leave a half-taken lock behind."""
    for stream in (sys.stdout, sys.stderr):
        # A write it interrupted (a reentrant call), a closed pipe: nothing more to say.
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _run(args: argparse.Namespace) -> int:
    """`gridbot run`: long polling (one process), a webhook listener, or one of its workers."""
    if args.lease is not None and args.lease < 1:
        print("gridbot run: --lease wants a whole number of seconds, at least 1", file=sys.stderr)
        return 2
    if args.worker is not None:
        from bot.cli.webhook_run import worker_command

        return worker_command(args.config, db_path=args.db, worker=args.worker, lease=args.lease)
    if args.webhook is not None:
        from bot.cli.webhook_run import webhook_command

        return webhook_command(
            args.config, db_path=args.db, url=args.webhook,
            listen=args.listen or "127.0.0.1:8443",
            workers=1 if args.workers is None else args.workers, lease=args.lease,
        )  # fmt: skip
    if args.listen is not None or args.workers is not None or args.lease is not None:
        print(
            "gridbot run: --listen, --workers and --lease belong to webhook mode: add --webhook URL",
            file=sys.stderr,
        )
        return 2
    from bot.cli.run import run_command

    return run_command(args.config, db_path=args.db)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] and words[0] in _SERVING:
        # Until their event loop takes the signals over (bot/cli/run.py), a stop signal that
        # comes while Python imports and reads the configuration ends the process at once,
        # exit 0: nothing has been opened yet. SIGTERM would otherwise kill it (status -15)
        # and Ctrl-C print a KeyboardInterrupt traceback.
        signal.signal(signal.SIGTERM, _exit_quietly)
        signal.signal(signal.SIGINT, _exit_quietly)
    args = _parser().parse_args(argv)
    if args.command == "check-config":
        from bot.cli.check_config import check_config_command

        return check_config_command(args.file, as_json=args.json, out=sys.stdout, err=sys.stderr)
    if args.command == "classify":
        from bot.config import ConfigError
        from nlp.commands import classify_command

        if not args.jsonl and args.text is None:
            print("gridbot classify: give a TEXT or --jsonl", file=sys.stderr)
            return 2
        try:
            places, thresholds = _places(args.config)
        except ConfigError as error:
            print(error, file=sys.stderr)
            return 2
        return classify_command(
            args.text, jsonl=args.jsonl, places=places, inp=sys.stdin, out=sys.stdout, **thresholds
        )
    if args.command == "eval":
        from nlp.commands import eval_command

        if args.feedback is None:
            return eval_command(
                args.file, real=args.real, bucket=args.bucket, unseen=args.unseen, out=sys.stdout
            )
        status = 0
        if args.file is not None or args.real is not None:
            status = eval_command(
                args.file, real=args.real, bucket=args.bucket, unseen=args.unseen, out=sys.stdout
            )
        if status == 0:
            from bot.cli.feedback_command import eval_feedback_command

            status = eval_feedback_command(args.feedback, out=sys.stdout, err=sys.stderr)
        return status
    if args.command == "train":
        if args.feedback is not None:
            from bot.cli.feedback_command import train_feedback_command

            return train_feedback_command(
                args.feedback, model=args.model, real=args.real, no_real=args.no_real,
                out=sys.stdout, err=sys.stderr,
            )  # fmt: skip
        from nlp.commands import train_command

        return train_command(out=sys.stdout, real=args.real, no_real=args.no_real)
    if args.command == "feedback-export":
        from bot.cli.feedback_command import feedback_export_command

        return feedback_export_command(args.db, output=args.out, out=sys.stdout, err=sys.stderr)
    if args.command == "city-config":
        from bot.config.city import city_config_text

        if args.grids < 1:
            print("gridbot city-config: --grids must be at least 1", file=sys.stderr)
            return 2
        text = city_config_text(args.grids, seed=args.seed)
        if args.out is None:
            sys.stdout.write(text)
        else:
            from pathlib import Path

            Path(args.out).write_text(text, encoding="utf-8")
        return 0
    if args.command == "export":
        from bot.cli.export_command import export_command

        return export_command(
            args.fmt, db_path=args.db_path, config_path=args.config_path,
            date_from=args.date_from, date_to=args.date_to, scope=args.scope,
            output=args.output, unmasked=args.unmasked, as_user=args.as_user,
        )  # fmt: skip
    if args.command == "run":
        return _run(args)
    if args.command == "migrate":
        from bot.cli.migrate_command import migrate_command

        return migrate_command(args.source, args.target, out=sys.stdout, err=sys.stderr)
    if args.command == "demo":
        from bot.cli.run import demo_command

        return demo_command(
            args.config, host=args.host, port=args.port, data=args.data,
            reset=True if args.reset else False if args.keep else None,
            quiet_hours=args.quiet_hours,
        )  # fmt: skip
    return 2


if __name__ == "__main__":
    sys.exit(main())
