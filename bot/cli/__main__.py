"""`python -m bot.cli`: the `gridbot` command."""

import sys

from bot.cli.main import main

sys.exit(main())
