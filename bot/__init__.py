"""Brújula's library: the logic that the Rasa actions, NLU components, channels and CLI share."""
