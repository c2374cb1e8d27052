"""The shape of the YAML files in ``content/``, as pydantic (v1, Rasa's pin) models.

One format for everything an NGO edits: every item that states a fact carries where it comes from
(``source``), when it was last checked (``last_reviewed``), by whom (``reviewed_by``) and whether
it has been checked at all (``status``). Text meant for users is a mapping language -> text.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Dict, List, Optional

from pydantic import BaseModel, Extra, Field, validator

LANGUAGES = ("es", "en", "pt", "fr", "ht")

Translations = Dict[str, str]


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid  # a typo in a key is an error, not silently ignored


def _check_languages(value: Translations) -> Translations:
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}: use {', '.join(LANGUAGES)}")
    empty = sorted(lang for lang, text in value.items() if not str(text or "").strip())
    if empty:
        raise ValueError(f"empty text for {', '.join(empty)}")
    return value


class Status(str, Enum):
    reviewed = "reviewed"
    unreviewed = "unreviewed"


class Sourced(Strict):
    """Provenance every fact-bearing item carries."""

    source: str
    last_reviewed: date
    reviewed_by: Optional[str] = None
    status: Status = Status.unreviewed


class TopicAnswer(Sourced):
    country: str = Field("*", description="ISO 3166-1 alpha-2 code, or * for every country")
    text: Translations

    _languages = validator("text", allow_reuse=True)(_check_languages)


class TopicFile(Strict):
    topic: str
    needs_country: bool = False
    answers: List[TopicAnswer]


class EmergencyNumber(Sourced):
    """A number to call (or, for services without one, a web address) with what it is for."""

    label: Translations
    number: Optional[str] = None
    url: Optional[str] = None

    _languages = validator("label", allow_reuse=True)(_check_languages)

    @validator("url", always=True)
    def _number_or_url(cls, url: Optional[str], values: dict) -> Optional[str]:  # noqa: N805
        if not url and not values.get("number"):
            raise ValueError("give a number or a url")
        return url


class CountryEmergency(Strict):
    country: str
    numbers: List[EmergencyNumber]


class EmergencyFile(Strict):
    countries: List[CountryEmergency]
    # Regional lines that help anywhere (family tracing, UN agencies), shown when the country is unknown.
    regional: List[EmergencyNumber] = []


class Country(Strict):
    code: str
    name: Translations
    aliases: List[str] = []


class CountriesFile(Strict):
    countries: List[Country]


class City(Strict):
    name: str
    country: str
    lat: float
    lon: float
    aliases: List[str] = []


class CitiesFile(Strict):
    source: str
    last_reviewed: date
    cities: List[City]


class MenuStage(Strict):
    id: str
    title: Translations
    topics: List[str]


class MenuFile(Strict):
    stages: List[MenuStage]
    # The countries offered as numbered choices when the bot must ask where the user is.
    countries: List[str]


class UiFile(Strict):
    """Every short text the bot says that is not a sourced answer: greetings, menus, prompts, errors."""

    messages: Dict[str, Translations]

    @validator("messages", each_item=True)
    def _languages(cls, value: Translations) -> Translations:  # noqa: N805
        return _check_languages(value)
