"""Privacy commands for operators: ``python -m bot.privacy purge --older-than DAYS`` (retention).

The purge itself lives in :mod:`bot.retention`; pseudonymous ids, log scrubbing and the erase hooks live in
:mod:`bot.personal_data`. This module is only the command people type (and cron runs).
"""

from __future__ import annotations

import sys

from bot.retention import main

if __name__ == "__main__":
    sys.exit(main())
