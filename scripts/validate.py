"""``rasa data validate`` that fails on any warning not explained here (``make validate``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Warnings we accept, each with the reason. Anything else fails the check.
EXPLAINED = {
    r"The intent 'share_location' is listed in the domain file, but is not found in the NLU training": "channels send it as /share_location{lat, lon} when a user shares a location; nobody types it",  # noqa: E501
}


def main() -> int:
    result = subprocess.run(  # noqa: S603 - fixed command
        [str(Path(sys.executable).parent / "rasa"), "data", "validate", "--fail-on-warnings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    warnings = re.findall(r"UserWarning: (.+)", output)
    unexplained = [w for w in warnings if not any(re.search(p, w) for p in EXPLAINED)]
    for warning in warnings:
        reason = next((why for p, why in EXPLAINED.items() if re.search(p, warning)), None)
        print(f"{'explained' if reason else 'UNEXPLAINED'}: {warning}" + (f"\n    because {reason}" if reason else ""))
    if result.returncode != 0 or unexplained:
        print(output[-3000:])
        print(f"rasa data validate: {len(unexplained)} unexplained warning(s), exit code {result.returncode}")
        return 1
    print(f"rasa data validate: passed ({len(warnings)} explained warning(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
