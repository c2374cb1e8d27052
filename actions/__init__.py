"""Rasa custom actions for Brújula: thin wrappers around :mod:`bot.conversation`, one module per feature."""
