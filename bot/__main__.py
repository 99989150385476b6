"""`python -m bot` is `okrbot`."""

import sys

from bot.entry.cli import main

sys.exit(main())
