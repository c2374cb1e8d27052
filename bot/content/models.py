"""The shape of the YAML files in ``content/``, as pydantic (v1, Rasa's pin) models.

One format for everything an NGO edits: every item that states a fact carries its provenance
(content schema v2, see CONTENT.md): a label for users (``source``), the specific pages that state it
(``evidence``: url, a quote of 30 words at most, the day it was read), the day someone compared the
item with that evidence (``checked``), and, only when an organisation confirmed it, with whom and when
(``confirmed_with``/``confirmed_on``/``confirmed_by``). Time-limited facts carry ``valid_until``,
``recheck_by`` or ``watch_from``. Text meant for users is a mapping language -> text.

Validators raise messages written for the NGO volunteer who will read them next to the file name
and line (see :mod:`bot.content.check`): say what is wrong, show the value, and hint at the fix.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date
from datetime import date as Date  # noqa: N812 - a field below is called date
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Extra, Field, root_validator, validator

from bot.language import SUPPORTED

LANGUAGES = SUPPORTED
SOURCE_LANGUAGE = "es"  # answers are written in Spanish first; the other languages are translations of it
# The single staleness rule (see Sourced.is_stale): an item checked longer ago than this is shown with a
# caution and reported by the check. Countries flagged `volatile: true` in content/emergency.yml change their
# rules often and get the shorter period.
STALE_AFTER_DAYS = 365
VOLATILE_STALE_AFTER_DAYS = 90
MAX_QUOTE_WORDS = 30

# The batch stamp of content schema v1, and what replaced each key (shown to editors who still write them).
LEGACY_FIELDS = {
    "last_reviewed": "last_reviewed was replaced by checked: write checked: YYYY-MM-DD only if someone compared "
    "this item with its evidence on that day, otherwise delete the line",
    "reviewed_by": "reviewed_by was replaced by checked_by (who compared the item with its evidence) and, only when "
    "an organisation confirmed it, confirmed_with/confirmed_on/confirmed_by: delete the line",
    "status": "status was replaced by checked and confirmed_with/confirmed_on (the bot works out what to show): "
    "delete the line",
}

Translations = dict[str, str]

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Short dialling codes (911, 123, 155) and national toll-free lines are not E.164; emergency numbers allow them.
SHORT_NUMBER = re.compile(r"^[*#]?\d{2,12}$")  # *212 and #112 style codes are dialled as written
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


# The one translation fallback chain: the user's language, then Spanish (the source), then English, then any.
FALLBACK_CHAIN = (SOURCE_LANGUAGE, "en", *LANGUAGES)


def pick_translation(translations: Translations, language: str) -> tuple[str, str]:
    """The text for ``language`` and the language it is in (another one when it is missing, see FALLBACK_CHAIN)."""
    for candidate in (language, *FALLBACK_CHAIN):
        if translations.get(candidate):
            return translations[candidate], candidate
    for candidate, text in translations.items():
        if text:
            return text, candidate
    return "", language


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


def _url_field(value: str | None) -> str | None:
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
        raise ValueError(
            f"must be a short number written as digits only (such as 911) or a full number as "
            f"+<country code><number>, got {shown(value)}"
        )
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


def stale_after_days(volatile: bool = False) -> int:
    """How many days after ``checked`` an item is stale (shorter for volatile countries)."""
    return VOLATILE_STALE_AFTER_DAYS if volatile else STALE_AFTER_DAYS


def text_hash(text: str) -> str:
    """A short fingerprint of a text, blind to spacing changes: recorded when a translation is made or reviewed."""
    normalised = " ".join(str(text).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:10]


def is_homepage(url: str) -> bool:
    """True when ``url`` is a site's front page (empty path, ``/`` or just a language code such as ``/es/``)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    return not parts.query and (not path or bool(re.fullmatch(r"[a-z]{2}(?:[-_][a-zA-Z]{2})?", path)))


def word_count(text: str) -> int:
    return len(str(text).split())


class Evidence(Strict):
    """One page that states (part of) an item: where, what it says, and when it was read."""

    url: str
    quote: str
    read_on: date
    claim: str | None = None

    @validator("url")
    def _url(cls, value: str) -> str:  # noqa: N805
        return _url_field(value) or value

    @validator("quote")
    def _quote(cls, value: str) -> str:  # noqa: N805
        if not value.strip():
            raise ValueError("is empty: copy the words of the page that state the claim (30 words at most)")
        return value.strip()


class Sourced(Strict):
    """Provenance every fact-bearing item carries (content schema v2)."""

    source: str
    evidence: list[Evidence] = []
    checked: date | None = None
    checked_by: str | None = None
    confirmed_with: str | None = None
    confirmed_on: date | None = None
    confirmed_by: str | None = None
    valid_until: date | None = None
    recheck_by: date | None = None
    watch_from: date | None = None
    unconfirmed: list[str] = []
    # The schema v1 keys (last_reviewed, reviewed_by, status) of an item not migrated yet: the check warns
    # (see bot.content.rules), `python -m bot.content migrate-provenance` deletes them. Never shown to users.
    legacy_stamp: dict[str, Any] | None = None

    @root_validator(pre=True)
    def _legacy(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if isinstance(values, dict) and any(key in values for key in LEGACY_FIELDS):
            values = dict(values)
            values["legacy_stamp"] = {key: values.pop(key) for key in LEGACY_FIELDS if key in values}
        return values

    @property
    def is_confirmed(self) -> bool:
        """An organisation confirmed the item (a call, an email reply, a visit)."""
        return self.confirmed_on is not None and bool(self.confirmed_with)

    def is_stale(self, today: date, volatile: bool = False) -> bool:
        """Checked longer ago than :func:`stale_after_days`: users see a caution, the check warns.

        The one staleness rule. An item never checked is not "stale": it is "not checked", which users are told.
        """
        latest = max((d for d in (self.checked, self.confirmed_on) if d is not None), default=None)
        return latest is not None and (today - latest).days > stale_after_days(volatile)

    def is_expired(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today

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

    @validator("unconfirmed", each_item=True)
    def _unconfirmed(cls, value: str) -> str:  # noqa: N805
        if not str(value).strip():
            raise ValueError("has an empty line: say what you looked for and could not confirm")
        return value


class TextState(str, Enum):
    """Whether a fluent speaker reviewed one language of an answer against the current Spanish text."""

    reviewed = "reviewed"
    unreviewed = "unreviewed"
    outdated = "outdated"  # computed: the Spanish text changed after this language was stamped


class TextStamp(Strict):
    """Written by ``python -m bot.content stamp-translations``, not by hand."""

    status: TextState = TextState.unreviewed
    es_hash: str | None = None  # text_hash() of the Spanish text this language was translated/reviewed from
    reviewer: str | None = None  # the fluent speaker who reviewed it (status: reviewed)
    date: Date | None = None  # when it was reviewed

    @validator("status")
    def _stored(cls, value: TextState) -> TextState:  # noqa: N805
        if value is TextState.outdated:
            raise ValueError(
                "outdated is worked out by the bot when the Spanish text changes: write reviewed or " "unreviewed"
            )
        return value


class TopicAnswer(Sourced):
    country: str = Field("*", description="ISO 3166-1 alpha-2 code, or * for every country")
    text: Translations
    text_status: dict[str, TextStamp] = {}

    _languages = validator("text", allow_reuse=True)(_check_languages)

    @validator("text_status", pre=True)
    def _text_status(cls, value: Any) -> Any:  # noqa: N805
        if isinstance(value, dict):  # "ht: unreviewed" is short for "ht: {status: unreviewed}"
            value = {lang: {"status": stamp} if isinstance(stamp, str) else stamp for lang, stamp in value.items()}
            unknown = sorted(set(map(str, value)) - set(LANGUAGES))
            if unknown:
                raise ValueError(f"unknown language {', '.join(unknown)}: use {', '.join(LANGUAGES)}")
        return value

    def text_state(self, language: str) -> TextState:
        """Review state of ``language``: the Spanish source counts as reviewed; a stamp against an older
        Spanish text is outdated whatever it says."""
        if language == SOURCE_LANGUAGE:
            return TextState.reviewed
        stamp = self.text_status.get(language)
        if stamp is None or language not in self.text:
            return TextState.unreviewed
        source = self.text.get(SOURCE_LANGUAGE)
        if stamp.es_hash and source is not None and stamp.es_hash != text_hash(source):
            return TextState.outdated
        if stamp.status is TextState.reviewed and stamp.es_hash:
            return TextState.reviewed
        return TextState.unreviewed


class TopicFile(Strict):
    topic: str
    needs_country: bool = False
    # Example questions per language, editable by NGOs; the NLU may add them to its training data.
    examples: dict[str, list[str]] = {}
    answers: list[TopicAnswer]

    @validator("examples")
    def _examples(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:  # noqa: N805
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}: use {', '.join(LANGUAGES)}")
        for lang, questions in value.items():
            if any(not str(q).strip() for q in questions):
                raise ValueError(f"has an empty question in {lang}")
        return value


class Kind(str, Enum):
    """What a number is for; ``emergency`` is one number for police, ambulance and fire."""

    police = "police"
    ambulance = "ambulance"
    fire = "fire"
    emergency = "emergency"
    hotline = "hotline"  # trafficking, violence against women, children, missing persons...


class EmergencyNumber(Sourced):
    """A number to call (or, for services without one, a web address) with what it is for."""

    label: Translations
    number: str | None = None
    url: str | None = None
    kind: Kind | None = None  # required by the check as a warning until every number has one

    _languages = validator("label", allow_reuse=True)(_check_languages)

    @validator("number", pre=True)
    def _number(cls, value: Any) -> str | None:  # noqa: N805
        return None if value is None else check_phone(value, allow_short=True)

    @validator("url", always=True)
    def _number_or_url(cls, url: str | None, values: dict) -> str | None:  # noqa: N805
        if not url and "number" in values and not values["number"]:  # an invalid number is reported already
            raise ValueError("give a number or a url")
        return _url_field(url)


class CountryEmergency(Strict):
    country: str
    # Where the national number does not reach (regions without coverage), and what to try if nobody answers.
    coverage_note: Translations | None = None
    if_no_answer: Translations | None = None
    # The country changes its rules often: its items are stale after VOLATILE_STALE_AFTER_DAYS. The only place
    # volatility is recorded (topic answers and places of the country follow it too).
    volatile: bool = False
    # When the coverage note or the numbers must be looked at again (a 911 centre being built, a new line).
    recheck_by: date | None = None
    watch_from: date | None = None
    numbers: list[EmergencyNumber] = Field(..., min_items=1)  # the bot shows the first one in corridor lists

    @validator("coverage_note", "if_no_answer")
    def _translated(cls, value: Translations | None) -> Translations | None:  # noqa: N805
        return None if value is None else _check_languages(value)


class EmergencyFile(Strict):
    countries: list[CountryEmergency]
    # Regional lines that help anywhere (family tracing, UN agencies), shown when the country is unknown.
    regional: list[EmergencyNumber] = []


class Country(Strict):
    code: str
    name: Translations
    aliases: list[str] = []
    # states, departments and provinces people name instead of a city ("una fazenda em Mato Grosso"): they say
    # which country the person is in, not where in it
    regions: list[str] = []
    # [west, south, east, north] in decimal degrees: places and cities outside it are flagged as likely typos.
    bbox: list[float] | None = None
    # phrases in which one of the names means something else ("zona franca" is not França, "Guinea Ecuatorial"
    # is not Guinea): a name inside one of them is not this country
    other_meanings: list[str] = []

    @validator("code")
    def _code(cls, value: str) -> str:  # noqa: N805
        if not _COUNTRY_CODE.match(value):
            raise ValueError(f"must be a two-letter country code in capitals (ISO 3166-1), got {shown(value)}")
        return value

    @validator("bbox")
    def _bbox(cls, value: list[float] | None) -> list[float] | None:  # noqa: N805
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
    countries: list[Country]


class DemonymsFile(Strict):
    """``gazetteer/demonyms.yml``: nationality words per country code (read by the NLU's nationality finder)."""

    demonyms: dict[str, list[str]]

    @validator("demonyms")
    def _codes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:  # noqa: N805
        for code, words in value.items():
            if not _COUNTRY_CODE.match(str(code)):
                raise ValueError(f"{shown(code)} must be a two-letter country code in capitals (ISO 3166-1)")
            if any(not str(word).strip() for word in words):
                raise ValueError(f"{code} has an empty word")
        return value


class City(Strict):
    name: str
    country: str
    lat: float
    lon: float
    aliases: list[str] = []
    # the name is also an everyday word ("me quitó los papeles": the verb quitar, not Quito)
    also_a_word: bool = False

    @validator("lat", pre=True)
    def _lat(cls, value: Any) -> float:  # noqa: N805
        return _coordinate(value, "lat", 90)

    @validator("lon", pre=True)
    def _lon(cls, value: Any) -> float:  # noqa: N805
        return _coordinate(value, "lon", 180)


class CitiesFile(Strict):
    """The gazetteer: city points come from ``source`` (OpenStreetMap); not a fact shown as an answer."""

    source: str
    evidence: list[Evidence] = []
    checked: date | None = None
    checked_by: str | None = None
    cities: list[City]


class MenuStage(Strict):
    id: str
    title: Translations
    topics: list[str]


class MenuFile(Strict):
    stages: list[MenuStage]
    # The countries offered as numbered choices when the bot must ask where the user is.
    countries: list[str]


class UiFile(Strict):
    """Every short text the bot says that is not a sourced answer: greetings, menus, prompts, errors."""

    messages: dict[str, Translations]

    @validator("messages", each_item=True)
    def _languages(cls, value: Translations) -> Translations:  # noqa: N805
        return _check_languages(value)


# -- places ----------------------------------------------------------------------------------------
class PlaceType(Strict):
    """A kind of place (shelter, consulate...): its name for users and the topics that list it."""

    id: str
    label: Translations
    topics: list[str] = []
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
    types: list[PlaceType]
    services: list[Service] = []


OPTIONAL_PLACE_FIELDS = ("address", "phone", "whatsapp", "website", "hours")


class Precision(str, Enum):
    exact = "exact"  # the building itself
    street = "street"  # the street or block
    city = "city"  # only the town: the gazetteer's centre point


class ConsularStatus(str, Enum):
    open = "open"
    suspended = "suspended"
    closed = "closed"


class ImportProvenance(Strict):
    """Where an imported place came from (``python -m bot.content import-places``)."""

    file: str
    ref: str  # "osm:node/123" or "row:14"
    imported_on: date


class Place(Sourced):
    """A place people can go to. Leave out what you cannot source (address, phone, hours): never guess."""

    id: str
    type: str
    name: str
    country: str
    city: str | None = None
    address: str | None = None
    lat: float
    lon: float
    location_precision: Precision = Precision.exact
    phone: str | None = None
    whatsapp: str | None = None
    website: str | None = None
    hours: Translations | None = None
    services: list[str] = []
    languages: list[str] = []
    nationalities: list[str] = []  # consulates and embassies: the ISO codes of the nationals they serve
    organisation: str | None = None
    notes: Translations | None = None
    # Fields left empty on purpose because no public source gives them (never guess an address or a phone).
    not_sourced: list[str] = []
    # Consulates and embassies: whether the consular section works, since when, and what to do instead.
    consular_status: ConsularStatus | None = None
    status_since: date | None = None
    status_note: Translations | None = None
    provenance: ImportProvenance | None = None

    @validator("not_sourced", each_item=True)
    def _not_sourced(cls, value: str) -> str:  # noqa: N805
        if value not in OPTIONAL_PLACE_FIELDS:
            raise ValueError(
                f"must name fields you could not source ({', '.join(OPTIONAL_PLACE_FIELDS)}), " f"got {shown(value)}"
            )
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
    def _phone(cls, value: Any) -> str | None:  # noqa: N805
        return None if value is None else check_phone(value)

    @validator("website")
    def _website(cls, value: str | None) -> str | None:  # noqa: N805
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

    @validator("hours", "notes", "status_note")
    def _translated(cls, value: Translations | None) -> Translations | None:  # noqa: N805
        return None if value is None else _check_languages(value)


class PlacesFile(Strict):
    places: list[Place]


class Organisation(Sourced):
    """An organisation places and answers refer to (IOM, UNHCR, a national Red Cross, a network of shelters)."""

    id: str
    name: str
    website: str | None = None
    countries: list[str] = []
    description: Translations | None = None

    _website = validator("website", allow_reuse=True)(_url_field)


class OrganisationsFile(Strict):
    organisations: list[Organisation]


# -- walking parsed models ---------------------------------------------------------------------------
_TRANSLATED_FIELDS = ("text", "label", "title", "name", "hours", "notes", "description")


def iter_items(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], BaseModel]]:
    if isinstance(obj, BaseModel):
        yield path, obj
        for name in obj.__fields__:
            yield from iter_items(getattr(obj, name), (*path, name))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from iter_items(item, (*path, index))


def iter_translations(model: BaseModel) -> Iterator[tuple[tuple[Any, ...], dict[str, str]]]:
    if isinstance(model, UiFile):
        for key, translations in model.messages.items():
            yield ("messages", key), translations
        return
    for path, item in iter_items(model):
        for name in _TRANSLATED_FIELDS:
            value = getattr(item, name, None)
            if isinstance(value, dict):
                yield (*path, name), value


# -- the offer check ("is this a scam?", content/offers/indicators.yml) -----------------------------------
OFFER_LANGUAGES = tuple(SUPPORTED)


class OfferSeverity(str, Enum):
    high = "high"
    some = "some"


class OfferLevel(str, Enum):
    high = "high"
    some = "some"
    none_found = "none_found"


class IndicatorSource(Evidence):
    """The public page that documents a warning sign (ILO, IOM, UNHCR, a consumer agency), quoted."""

    name: str

    @validator("quote")
    def _short_quote(cls, value: str) -> str:  # noqa: N805
        # An error here, not a warning as for answers: the quote is shown to staff as the sign's reason.
        if len(value.split()) > MAX_QUOTE_WORDS:
            raise ValueError(f"is {len(value.split())} words long: quote at most {MAX_QUOTE_WORDS} words")
        return value


class Indicator(Strict):
    """One warning sign: patterns per language, a plain explanation per language, a severity and a source."""

    id: str
    severity: OfferSeverity
    patterns: dict[str, list[str]]
    explanation: dict[str, str]
    source: IndicatorSource

    @validator("patterns", "explanation")
    def _five_languages(cls, value: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        unknown = sorted(set(value) - set(OFFER_LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}: use {', '.join(OFFER_LANGUAGES)}")
        missing = [lang for lang in OFFER_LANGUAGES if not value.get(lang)]
        if missing:
            raise ValueError(f"missing for {', '.join(missing)}: every language needs at least one")
        return value


class IndicatorsFile(Strict):
    macros: dict[str, str] = {}
    # Words that show a message is an offer (a job ad, a trip) rather than a question about one.
    markers: dict[str, list[str]] = {}
    # Patterns of someone writing about their own situation (the first person), and asking about it (the first
    # person and a question), by language or "all".
    own_situation: dict[str, list[str]] = {}
    asking: dict[str, list[str]] = {}
    indicators: list[Indicator]
