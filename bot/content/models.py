"""The shape of the YAML files in ``content/``, as pydantic (v1, Rasa's pin) models.

One format for everything an NGO edits: every item that states a fact carries where it comes from
(``source``), when it was last checked (``last_reviewed``), by whom (``reviewed_by``) and whether
it has been checked at all (``status``). Text meant for users is a mapping language -> text.

Validators raise messages written for the NGO volunteer who will read them next to the file name
and line (see :mod:`bot.content.check`): say what is wrong, show the value, and hint at the fix.
"""

from __future__ import annotations

import json
import re
from datetime import date
from enum import Enum
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

from pydantic import BaseModel, Extra, Field, validator

from bot.language import SUPPORTED

LANGUAGES = SUPPORTED
STALE_AFTER_DAYS = 365  # an item not reviewed for a year is shown with a caution and reported by the check

Translations = Dict[str, str]

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Short dialling codes (911, 123, 155) and national toll-free lines are not E.164; emergency numbers allow them.
SHORT_NUMBER = re.compile(r"^\d{2,12}$")
_URL_TOKEN = re.compile(r"(?:https?:|www\.)\S*", re.IGNORECASE)
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_SPOKEN_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid  # a typo in a key is an error, not silently ignored


def shown(value: Any) -> str:
    """A value as the editor typed it: strings in double quotes, everything else as is."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def _check_languages(value: Translations) -> Translations:
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}: use {', '.join(LANGUAGES)}")
    empty = sorted(lang for lang, text in value.items() if not str(text or "").strip())
    if empty:
        raise ValueError(f"empty text for {', '.join(empty)}")
    return value


def check_url(value: str) -> str | None:
    """Why ``value`` is not a usable web address, or None when it is one."""
    if any(ch.isspace() for ch in value):
        return f"must be a web address without spaces, got {shown(value)}"
    if value.lower().startswith("www."):
        return f"must start with https://, got {shown(value)} (write https://{value})"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return f"must start with https:// or http://, got {shown(value)}"
    host = parts.hostname or ""
    if "." not in host or host.startswith(".") or host.endswith(".") or ".." in host:
        return f"is not a complete web address, got {shown(value)} (it needs a domain such as https://www.example.org)"
    return None


def _url_field(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    problem = check_url(str(value).strip())
    if problem:
        raise ValueError(problem)
    return str(value).strip()


def check_phone(value: Any, *, allow_short: bool = False) -> str:
    """Normalise a phone number written by an editor, or raise a plain-language ValueError."""
    text = str(value).strip()
    if E164.match(text) or (allow_short and SHORT_NUMBER.match(text)):
        return text
    example = "+5215512345678"
    if isinstance(value, int) or (text and text[0] != "+" and text.replace(" ", "").isdigit()):
        hint = f"start with + and the country code, e.g. {example}"
        if allow_short:
            hint = "write a short number such as 911 as digits only, or a full number as +<country code><number>"
        raise ValueError(f"must be in international format +<country code><number>, got {shown(value)} ({hint})")
    if text.startswith("+") and re.fullmatch(r"\+[\d\s().-]+", text):
        compact = re.sub(r"[\s().-]", "", text)
        raise ValueError(f"must be written without spaces, dashes or brackets, got {shown(value)} (write {compact})")
    if allow_short:
        raise ValueError(f"must be a short number written as digits only (such as 911) or a full number as "
                         f"+<country code><number>, got {shown(value)}")
    raise ValueError(f"must be in international format +<country code><number>, got {shown(value)} (e.g. {example})")


def _coordinate(value: Any, name: str, limit: int) -> float:
    problem = f"must be a number between -{limit} and {limit}, got {shown(value)}"
    if isinstance(value, bool):
        raise ValueError(problem)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+,\d+", text):
            raise ValueError(f"{problem} (use a dot, not a comma)")
        if re.search(r"[°'\"NSEWO]", text):
            raise ValueError(f"{problem} (write decimal degrees such as -12.0464, not degrees and minutes)")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(problem) from None
    if not isinstance(value, int | float):
        raise ValueError(problem)
    number = float(value)
    if not -limit <= number <= limit:
        raise ValueError(problem)
    return number


class Status(str, Enum):
    reviewed = "reviewed"
    unreviewed = "unreviewed"


class Sourced(Strict):
    """Provenance every fact-bearing item carries."""

    source: str
    last_reviewed: date
    reviewed_by: Optional[str] = None
    status: Status = Status.unreviewed

    @property
    def is_reviewed(self) -> bool:
        return self.status is Status.reviewed

    def is_stale(self, today: date) -> bool:
        """Last reviewed more than :data:`STALE_AFTER_DAYS` before ``today``: users see a caution."""
        return (today - self.last_reviewed).days > STALE_AFTER_DAYS

    @validator("source")
    def _source(cls, value: str) -> str:  # noqa: N805
        text = value.strip()
        if not text:
            raise ValueError("is empty: write the web address or the document the information comes from")
        for token in _URL_TOKEN.findall(text):
            problem = check_url(token.rstrip(".,;)"))
            if problem:
                raise ValueError(f"has a web address that {problem}")
        return text


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

    @validator("number", pre=True)
    def _number(cls, value: Any) -> Optional[str]:  # noqa: N805
        return None if value is None else check_phone(value, allow_short=True)

    @validator("url", always=True)
    def _number_or_url(cls, url: Optional[str], values: dict) -> Optional[str]:  # noqa: N805
        if not url and "number" in values and not values["number"]:  # an invalid number is reported already
            raise ValueError("give a number or a url")
        return _url_field(url)


class CountryEmergency(Strict):
    country: str
    numbers: List[EmergencyNumber] = Field(..., min_items=1)  # the bot shows the first one in corridor lists


class EmergencyFile(Strict):
    countries: List[CountryEmergency]
    # Regional lines that help anywhere (family tracing, UN agencies), shown when the country is unknown.
    regional: List[EmergencyNumber] = []


class Country(Strict):
    code: str
    name: Translations
    aliases: List[str] = []
    # [west, south, east, north] in decimal degrees: places and cities outside it are flagged as likely typos.
    bbox: Optional[List[float]] = None

    @validator("code")
    def _code(cls, value: str) -> str:  # noqa: N805
        if not _COUNTRY_CODE.match(value):
            raise ValueError(f"must be a two-letter country code in capitals (ISO 3166-1), got {shown(value)}")
        return value

    @validator("bbox")
    def _bbox(cls, value: Optional[List[float]]) -> Optional[List[float]]:  # noqa: N805
        if value is None:
            return None
        if len(value) != 4:
            raise ValueError(f"must be 4 numbers [west, south, east, north], got {shown(value)}")
        west, south, east, north = value
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError(
                f"must be [west, south, east, north] with west < east and south < north, got {shown(value)}"
            )
        return value


class CountriesFile(Strict):
    countries: List[Country]


class City(Strict):
    name: str
    country: str
    lat: float
    lon: float
    aliases: List[str] = []

    @validator("lat", pre=True)
    def _lat(cls, value: Any) -> float:  # noqa: N805
        return _coordinate(value, "lat", 90)

    @validator("lon", pre=True)
    def _lon(cls, value: Any) -> float:  # noqa: N805
        return _coordinate(value, "lon", 180)


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


# -- places ----------------------------------------------------------------------------------------
class PlaceType(Strict):
    """A kind of place (shelter, consulate...): its name for users and the topics that list it."""

    id: str
    label: Translations
    topics: List[str] = []
    # Shown when someone shares a location without having asked for anything in particular.
    default: bool = False
    # Places of this type serve people of some nationalities only (consulates): they must list them.
    needs_nationalities: bool = False

    _languages = validator("label", allow_reuse=True)(_check_languages)


class Service(Strict):
    id: str
    label: Translations

    _languages = validator("label", allow_reuse=True)(_check_languages)


class PlaceTypesFile(Strict):
    types: List[PlaceType]
    services: List[Service] = []


OPTIONAL_PLACE_FIELDS = ("address", "phone", "whatsapp", "website", "hours")


class Precision(str, Enum):
    exact = "exact"  # the building itself
    street = "street"  # the street or block
    city = "city"  # only the town: the gazetteer's centre point


class Place(Sourced):
    """A place people can go to. Leave out what you cannot source (address, phone, hours): never guess."""

    id: str
    type: str
    name: str
    country: str
    city: Optional[str] = None
    address: Optional[str] = None
    lat: float
    lon: float
    location_precision: Precision = Precision.exact
    phone: Optional[str] = None
    whatsapp: Optional[str] = None
    website: Optional[str] = None
    hours: Optional[Translations] = None
    services: List[str] = []
    languages: List[str] = []
    nationalities: List[str] = []  # consulates and embassies: the ISO codes of the nationals they serve
    organisation: Optional[str] = None
    notes: Optional[Translations] = None
    # Fields left empty on purpose because no public source gives them (never guess an address or a phone).
    not_sourced: List[str] = []

    @validator("not_sourced", each_item=True)
    def _not_sourced(cls, value: str) -> str:  # noqa: N805
        if value not in OPTIONAL_PLACE_FIELDS:
            raise ValueError(f"must name fields you could not source ({', '.join(OPTIONAL_PLACE_FIELDS)}), "
                             f"got {shown(value)}")
        return value

    @validator("id")
    def _id(cls, value: str) -> str:  # noqa: N805
        if not _ID.match(value):
            raise ValueError(
                f"must use only lower-case letters, digits, - and _, got {shown(value)} (e.g. mx-tijuana-casa-migrante)"
            )
        return value

    @validator("lat", pre=True)
    def _lat(cls, value: Any) -> float:  # noqa: N805
        return _coordinate(value, "lat", 90)

    @validator("lon", pre=True)
    def _lon(cls, value: Any) -> float:  # noqa: N805
        return _coordinate(value, "lon", 180)

    @validator("phone", "whatsapp", pre=True)
    def _phone(cls, value: Any) -> Optional[str]:  # noqa: N805
        return None if value is None else check_phone(value)

    @validator("website")
    def _website(cls, value: Optional[str]) -> Optional[str]:  # noqa: N805
        return _url_field(value)

    @validator("languages", each_item=True)
    def _spoken(cls, value: str) -> str:  # noqa: N805
        if not _SPOKEN_LANGUAGE.match(value):
            raise ValueError(f"must be a language code such as es, en, pt, fr, ht, got {shown(value)}")
        return value

    @validator("nationalities", each_item=True)
    def _nationality(cls, value: str) -> str:  # noqa: N805
        if not _COUNTRY_CODE.match(value):
            raise ValueError(f"must be a two-letter country code in capitals (ISO 3166-1), got {shown(value)}")
        return value

    @validator("hours", "notes")
    def _translated(cls, value: Optional[Translations]) -> Optional[Translations]:  # noqa: N805
        return None if value is None else _check_languages(value)


class PlacesFile(Strict):
    places: List[Place]


class Organisation(Sourced):
    """An organisation places and answers refer to (IOM, UNHCR, a national Red Cross, a network of shelters)."""

    id: str
    name: str
    website: Optional[str] = None
    countries: List[str] = []
    description: Optional[Translations] = None

    _website = validator("website", allow_reuse=True)(_url_field)


class OrganisationsFile(Strict):
    organisations: List[Organisation]
