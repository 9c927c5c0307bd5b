"""`python -m bot` runs the gridbot command."""

import sys

from bot.cli import main

sys.exit(main())
