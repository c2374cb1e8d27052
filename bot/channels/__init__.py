"""Brújula's Rasa input channels: WhatsApp (Twilio), Telegram, web chat."""
