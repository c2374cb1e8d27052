"""Where the project's files live. Environment variables let tests and deployments point elsewhere."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    """The folder NGOs edit (``content/``), or ``BRUJULA_CONTENT_DIR``."""
    return Path(os.environ.get("BRUJULA_CONTENT_DIR", ROOT / "content"))


def nlu_dir() -> Path:
    """Training data, one file per language (``data/nlu/<lang>.yml``)."""
    return Path(os.environ.get("BRUJULA_NLU_DIR", ROOT / "data" / "nlu"))


def grammar_dir() -> Path:
    """Question patterns the intent classifier expands at training time (``data/grammar/``)."""
    return Path(os.environ.get("BRUJULA_GRAMMAR_DIR", ROOT / "data" / "grammar"))


def state_dir() -> Path:
    """Local state for the embedded default (SQLite tracker store, logs)."""
    path = Path(os.environ.get("BRUJULA_STATE_DIR", ROOT / ".state"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_secret(name: str, generate: Callable[[], str], env_name: str) -> str:
    """A key kept in the state folder for the embedded mode, created on first use, readable by its owner only.

    Production sets ``env_name`` instead; this is the laptop fallback.
    """
    path = state_dir() / name
    if str(path) not in _local_secrets:  # read once per process: pseudonymize() runs on every message
        _local_secrets[str(path)] = _read_or_create(path, generate, env_name)
    return _local_secrets[str(path)]


_local_secrets: dict[str, str] = {}


def _read_or_create(target: Path, generate: Callable[[], str], env_name: str) -> str:
    if not target.exists():
        # Write a complete file, then link it into place: link() fails if another process won the race,
        # so nobody ever reads a half-written (empty) key.
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate())
        try:
            os.link(temporary, target)
            logger.warning(
                "%s is not set: created a local key in %s (fine for a laptop, not for production)", env_name, target
            )
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return target.read_text().strip()
