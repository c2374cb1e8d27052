"""Local stand-ins for the Twilio and Telegram HTTP APIs (127.0.0.1 only), for tests and the benchmark."""

from tests.fakes.rasa import StubRasa
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

__all__ = ["FakeTelegram", "FakeTwilio", "StubRasa"]
