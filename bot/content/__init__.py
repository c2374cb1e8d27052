"""Content that NGOs keep in ``content/``: models, loading, and the last-good-version store."""

from bot.content.store import Answer, Content, ContentError, ContentStore, current, load

__all__ = ["Answer", "Content", "ContentError", "ContentStore", "current", "load"]
