"""Rasa custom actions for Brújula: thin wrappers around :mod:`bot.dialogue`, one module per feature."""
