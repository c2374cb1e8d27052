"""Where the project's files live. Environment variables let tests and deployments point elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The folder NGOs edit (``content/``), or ``BRUJULA_CONTENT_DIR``."""
    return Path(os.environ.get("BRUJULA_CONTENT_DIR", ROOT / "content"))


def nlu_dir() -> Path:
    """Training data, one file per language (``data/nlu/<lang>.yml``)."""
    return Path(os.environ.get("BRUJULA_NLU_DIR", ROOT / "data" / "nlu"))


def state_dir() -> Path:
    """Local state for the embedded default (SQLite tracker store, logs)."""
    path = Path(os.environ.get("BRUJULA_STATE_DIR", ROOT / ".state"))
    path.mkdir(parents=True, exist_ok=True)
    return path
