"""Import places from real data sets into ``content/places/<cc>.yml``.

    python -m bot.content import-places FILE --country XX [--dry-run] [--force] [--source-url URL]

Two kinds of FILE:

* **HXL-tagged sheets** (``.csv``, ``.xlsx``...), the humanitarian standard that 3W and service-mapping
  sheets use: a row of hashtags (``#org``, ``#loc+name``, ``#geo+lat``, ``#geo+lon``, ``#adm1``,
  ``#adm2``, ``#sector``, ``#service``, ``#contact+phone``, ``#contact+url``, ``#loc+address``...)
  under the human headers. Read with ``libhxl``.
* **OpenStreetMap extracts** (``.osm``, ``.osm.pbf``): nodes and ways tagged as shelters, consulates,
  clinics, NGOs, drinking water, migration offices... Read with ``osmium``; a way's point is the mean
  of its nodes.

The places file is edited as text: imported items are appended or replaced in place, every other
line (comments, hand-written items) is kept as it was. Each imported item carries
``provenance: {file, ref, imported_on, fields_hash}``; ``fields_hash`` is a hash of every field the
import wrote, so a later import can tell an item nobody touched (updated) from one an editor changed
(left alone unless ``--force``). Items without ``provenance`` are hand-written and never overwritten
without ``--force``.

Nothing is guessed: a phone not written in international format is left out, a row without a point,
an address or a known city is skipped with the reason, and every item says where it comes from.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.content.models import E164, check_url
from bot.text import fold

PROVENANCE_KEY = "provenance"
HXL_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".json")
OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz", ".osc")
# Order in which the importer writes an item's fields (the order hand-written items use).
FIELD_ORDER = (
    "id",
    "type",
    "name",
    "country",
    "city",
    "address",
    "lat",
    "lon",
    "location_precision",
    "phone",
    "whatsapp",
    "website",
    "services",
    "nationalities",
    "organisation",
    "not_sourced",
    "source",
    "evidence",
    "provenance",
)
NEAREST_CITY_KM = 25.0  # an OSM point takes the name of a gazetteer city this close (for "places in <city>")
QUOTE_WORDS = 30  # evidence quotes are at most 30 words (SCHEMA.md)


# -- what an import produces ----------------------------------------------------------------------
@dataclass
class Candidate:
    """One place read from the data set, before it is merged into the file."""

    ref: str  # "osm:node/123", "osm:way/45" or "row:14"
    fields: dict[str, Any]  # place fields without id and provenance
    notes: list[str] = field(default_factory=list)  # what was left out, for the report


@dataclass
class Skip:
    ref: str
    reason: str


@dataclass
class Outcome:
    action: str  # added | updated | unchanged | skipped
    ref: str
    place_id: str | None
    reason: str = ""


@dataclass
class ImportReport:
    outcomes: list[Outcome] = field(default_factory=list)
    written: bool = False
    path: Path | None = None

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    def lines(self) -> list[str]:
        """What a volunteer reads after an import: one line per place, then the totals."""
        out = []
        for outcome in self.outcomes:
            what = outcome.place_id or "-"
            reason = f": {outcome.reason}" if outcome.reason else ""
            out.append(f"{outcome.action:9} {outcome.ref:22} {what}{reason}")
        totals = ", ".join(f"{self.count(a)} {a}" for a in ("added", "updated", "unchanged", "skipped"))
        out.append(f"Total: {totals}.")
        if self.path is not None:
            out.append(
                f"Written to {self.path}."
                if self.written
                else f"Nothing written to {self.path} (dry run or no change)."
            )
        return out


class PlaceImportError(Exception):
    """The file cannot be imported at all (unknown format, unreadable, no HXL hashtags)."""


# -- the content this import is checked against ------------------------------------------------
@dataclass
class Gazetteer:
    cities: list[dict[str, Any]]
    bboxes: dict[str, list[float]]
    org_ids: dict[str, str]  # folded organisation name -> organisation id

    @classmethod
    def load(cls, content_dir: Path) -> Gazetteer:
        def read(relative: str) -> dict[str, Any]:
            path = content_dir / relative
            return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}

        cities = read("gazetteer/cities.yml").get("cities") or []
        bboxes = {c["code"]: c["bbox"] for c in read("gazetteer/countries.yml").get("countries") or [] if c.get("bbox")}
        orgs = {fold(o["name"]): o["id"] for o in read("organisations.yml").get("organisations") or []}
        return cls(cities=cities, bboxes=bboxes, org_ids=orgs)

    def city(self, name: str | None, country: str) -> dict[str, Any] | None:
        """The gazetteer city called ``name`` (or one of its aliases) in ``country``."""
        if not name:
            return None
        wanted = fold(name.strip())
        for city in self.cities:
            if city.get("country") == country and wanted in {fold(city["name"]), *map(fold, city.get("aliases") or [])}:
                return city
        return None

    def nearest_city(self, lat: float, lon: float, country: str) -> dict[str, Any] | None:
        best: tuple[float, dict[str, Any]] | None = None
        for city in self.cities:
            if city.get("country") != country:
                continue
            distance = haversine_km(lat, lon, float(city["lat"]), float(city["lon"]))
            if distance <= NEAREST_CITY_KM and (best is None or distance < best[0]):
                best = (distance, city)
        return best[1] if best else None

    def inside(self, lat: float, lon: float, country: str) -> bool:
        box = self.bboxes.get(country)
        if not box:
            return True
        west, south, east, north = box
        return west <= lon <= east and south <= lat <= north


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# -- mapping data-set words to Brújula's place types and services --------------------------------
# Folded keywords (any language the sheets use) -> service ids of content/place_types.yml.
SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "lodging": (
        "shelter",
        "alojamiento",
        "albergue",
        "refugio temporal",
        "abrigo",
        "hebergement",
        "cccm",
        "lodging",
        "accommodation",
        "hospedaje",
        "casa del migrante",
        "casa de acogida",
    ),
    "food": ("food", "alimenta", "alimento", "comida", "comedor", "nutrition", "nutricion", "kitchen", "repas"),
    "water": ("wash", "water", "agua", "agua potable", "drinking", "eau", "hidratacion"),
    "health": (
        "health",
        "salud",
        "saude",
        "sante",
        "medical",
        "medic",
        "clinic",
        "clinica",
        "atencion medica",
        "primary care",
        "atencion primaria",
    ),
    "psychosocial": ("psychosocial", "psicosocial", "mhpss", "mental", "psicolog", "psycholog"),
    "legal": ("legal", "juridic", "asesoria", "protection", "proteccion", "protecao", "derechos"),
    "documents": ("documentation", "documentacion", "documentos", "documents", "registro civil"),
    "information": ("information", "informacion", "informacao", "orientacion", "orientation", "info"),
    "family_links": (
        "rfl",
        "family links",
        "contacto entre familiares",
        "restablecimiento",
        "reunification",
        "reunificacion",
        "family tracing",
    ),
    "phone_internet": (
        "connectivity",
        "conectividad",
        "internet",
        "wifi",
        "wi-fi",
        "llamadas",
        "phone charging",
        "carga de celulares",
    ),
    "children": ("child", "nino", "ninez", "infancia", "infantil", "menores", "crianca", "enfant"),
    "work": (
        "livelihood",
        "medios de vida",
        "empleo",
        "employment",
        "integration",
        "integracion",
        "trabajo",
        "emprego",
    ),
    "vaccination": ("vaccin", "vacuna"),
    "asylum": ("asylum", "asilo", "refugee status", "condicion de refugiad", "solicitud de refugio", "refugio"),
    "regularization": ("regulariza", "permiso", "residence permit", "residencia"),
    "consular": ("consular", "consulado", "pasaporte", "passport"),
    "return": ("return", "retorno", "avr", "repatria"),
    "transport": ("transport", "traslado", "interiorizacao", "humanitarian transport"),
}
# Words that name a place type outright (a #loc+type / #meta+type column, or a sector such as "Espacio de Apoyo").
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "aid_station": (
        "espacio de apoyo",
        "espacios de apoyo",
        "support space",
        "punto de atencion",
        "aid station",
        "punto de ayuda",
        "ponto de apoio",
        "help desk",
        "punto de orientacion",
    ),
    "water_point": ("water point", "punto de agua", "punto de hidratacion"),
    "health_post": (
        "health post",
        "puesto de salud",
        "centro de salud",
        "health centre",
        "health center",
        "posto de saude",
        "hospital",
        "clinic",
        "clinica",
    ),
    "shelter": ("albergue", "shelter", "casa del migrante", "abrigo", "refugio temporal", "casa de acogida"),
    "legal_aid": ("legal aid", "asistencia legal", "asesoria legal", "clinica juridica", "legal clinic", "defensoria"),
    "migration_office": ("migration office", "oficina de migracion", "migracion", "immigration"),
    "asylum_office": ("asylum office", "oficina de refugio", "comar", "conare", "onpar"),
    "consulate": ("consulate", "consulado"),
    "embassy": ("embassy", "embajada"),
}
ORG_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("unhcr", ("unhcr", "acnur", "hcr ", "agencia de la onu para los refugiados")),
    ("iom", ("iom", "oim", "organizacion internacional para las migraciones")),
    (
        "red_cross",
        ("cruz roja", "red cross", "croix-rouge", "croix rouge", "cruz vermelha", "kwa wouj", "icrc", "cicr", "ifrc"),
    ),
)
SERVICES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "shelter": ("lodging",),
    "water_point": ("water",),
    "health_post": ("health",),
    "legal_aid": ("legal",),
    "migration_office": ("regularization", "documents"),
    "asylum_office": ("asylum",),
    "consulate": ("consular",),
    "embassy": ("consular",),
    "unhcr": ("asylum", "information"),
    "iom": ("information", "return"),
    "red_cross": ("health", "family_links"),
}


def _contains(text: str, words: Iterable[str]) -> bool:
    padded = f" {text} "
    return any((f" {w}" in padded) if len(w) <= 4 else (w in text) for w in words)


def services_from(values: Iterable[str]) -> list[str]:
    """Service ids named by sector / service cells, in the order of content/place_types.yml."""
    found: set[str] = set()
    for value in values:
        for part in re.split(r"[;,|/\n]+", fold(value)):
            part = part.strip()
            if not part:
                continue
            for service, words in SERVICE_WORDS.items():
                if _contains(part, words):
                    found.add(service)
    return [s for s in SERVICE_WORDS if s in found]


def type_from(names: Iterable[str], explicit: Iterable[str], services: list[str]) -> str:
    """The place type: named outright, or an agency's own office, or the main service offered."""
    for value in explicit:
        text = fold(value).strip().replace(" ", "_")
        if text in {*TYPE_WORDS, "unhcr", "iom", "red_cross", "support_org"}:
            return text
        for kind, words in TYPE_WORDS.items():
            if _contains(fold(value), words):
                return kind
    joined = " | ".join(fold(n) for n in names if n)
    for kind, words in ORG_TYPES:
        if _contains(joined, words):
            return kind
    for kind in ("aid_station", "water_point"):
        if _contains(joined, TYPE_WORDS[kind]):
            return kind
    if "lodging" in services:
        return "shelter"
    if "asylum" in services and "legal" in services or "legal" in services:
        return "legal_aid"
    if "health" in services:
        return "health_post"
    if services == ["water"]:
        return "water_point"
    if set(services) & {"food", "water", "psychosocial", "family_links", "phone_internet", "information"}:
        return "aid_station"
    return "support_org"


def _left_out(fields: dict[str, Any], raw: dict[str, str | None]) -> list[str]:
    """Report values the data set had but that were not usable (a national phone number, a bad URL)."""
    return [
        f"{key} {value!r} left out (not {'+<country code><number>' if key != 'website' else 'a web address'})"
        for key, value in raw.items()
        if value and not fields.get(key)
    ]


def phone_or_none(value: str | None) -> str | None:
    """A phone number in E.164 (``+5215512345678``), or None: a national number is never completed by guess."""
    if not value:
        return None
    first = re.split(r"[;/,]| or | o ", str(value))[0]
    compact = re.sub(r"[\s().-]", "", first)
    return compact if E164.match(compact) else None


def url_or_none(value: str | None) -> str | None:
    if not value:
        return None
    text = str(value).strip().split()[0] if str(value).strip() else ""
    if text.lower().startswith("www."):
        text = "https://" + text
    return text if text and check_url(text) is None else None


def coordinate(value: Any) -> float | None:
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"-?\d+,\d+", text):  # decimal comma, common in Spanish-language sheets
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def quote_of(text: str) -> str:
    words = text.split()
    return " ".join(words[:QUOTE_WORDS]).rstrip(" |;")


def slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:48].strip("-") or "place"


# -- HXL sheets ------------------------------------------------------------------------------
def read_hxl(
    path: Path, country: str, gazetteer: Gazetteer, source_url: str | None, today: date
) -> Iterator[Candidate | Skip]:
    import hxl  # imported here: only the import command needs it

    try:
        dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
        rows = list(dataset)
        tags = [column.display_tag for column in dataset.columns]
    except Exception as error:  # libhxl raises many kinds (no hashtag row, bad encoding...)
        raise PlaceImportError(
            f"{path} is not a readable HXL sheet ({error}): it needs a row of hashtags such as "
            "#org, #loc+name, #geo+lat under the headers"
        ) from error
    if not any(tags):
        raise PlaceImportError(f"{path} has no HXL hashtag row (#org, #loc+name, #geo+lat ...)")

    def cell(row: Any, *patterns: str) -> str | None:
        for pattern in patterns:
            value = row.get(pattern)
            if value is not None and str(value).strip():
                return str(value).strip()
        return None

    def cells(row: Any, *patterns: str) -> list[str]:
        return [str(v) for p in patterns for v in row.get_all(p) if v is not None and str(v).strip()]

    for row in rows:
        ref = f"row:{row.source_row_number + 1}"  # the row number a spreadsheet shows
        code = cell(row, "#country+code")
        if code and code.upper() not in {country, ISO3.get(country, "")}:
            yield Skip(ref, f"the row is for country {code}, not {country}")
            continue
        org = cell(row, "#org+name", "#org")
        name = cell(row, "#loc+name", "#loc+facility+name", "#org+name", "#org")
        if not name:
            yield Skip(ref, "no name (#loc+name or #org)")
            continue
        service_cells = cells(row, "#service", "#sector", "#subsector", "#activity")
        services = services_from(service_cells)
        kind = type_from([name, org or ""], cells(row, "#loc+type", "#meta+type", "#service+type"), services)
        services = _with_type_services(kind, services)
        city_name = cell(row, "#loc+city", "#adm3+name", "#adm2+name", "#adm2", "#adm3")
        city = gazetteer.city(city_name, country) or gazetteer.city(cell(row, "#adm1+name", "#adm1"), country)
        address = cell(row, "#loc+address", "#contact+address")
        lat, lon = coordinate(cell(row, "#geo+lat")), coordinate(cell(row, "#geo+lon"))
        if lat is not None and lon is not None:
            if not gazetteer.inside(lat, lon, country):
                yield Skip(ref, f"point {lat}, {lon} is outside {country} (lat and lon swapped, or another country?)")
                continue
            precision = "exact"
            if city is None:
                city = gazetteer.nearest_city(lat, lon, country)
        elif city is None:
            what = f"the city {city_name!r} is not in content/gazetteer/cities.yml" if city_name else "no city"
            yield Skip(ref, f"no point (#geo+lat/#geo+lon) and {what}: add the city there first, or the point")
            continue
        else:
            lat, lon = float(city["lat"]), float(city["lon"])
            precision = "street" if address else "city"
        fields: dict[str, Any] = {
            "type": kind,
            "name": name,
            "country": country,
            "city": city["name"] if city else None,
            "address": address,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "location_precision": precision,
            "phone": phone_or_none(cell(row, "#contact+phone")),
            "whatsapp": phone_or_none(cell(row, "#contact+whatsapp")),
            "website": url_or_none(cell(row, "#contact+url", "#meta+url")),
            "services": services,
            "organisation": gazetteer.org_ids.get(fold(org)) if org else None,
        }
        raw = {
            "phone": cell(row, "#contact+phone"),
            "whatsapp": cell(row, "#contact+whatsapp"),
            "website": cell(row, "#contact+url", "#meta+url"),
        }
        values = [str(v).strip() for v in row.values if v is not None and str(v).strip()]
        label = f"{path.name}, row {row.source_row_number + 1}"
        fields["source"] = f"{org + ': ' if org and org != name else ''}{label}"
        if source_url:
            fields["evidence"] = [
                {
                    "url": source_url,
                    "quote": quote_of(" | ".join(values)),
                    "read_on": today,
                    "claim": f"row {row.source_row_number + 1} of the sheet",
                }
            ]
        yield Candidate(ref, fields, _left_out(fields, raw))


ISO3 = {
    "MX": "MEX",
    "GT": "GTM",
    "HN": "HND",
    "SV": "SLV",
    "NI": "NIC",
    "CR": "CRI",
    "PA": "PAN",
    "CO": "COL",
    "VE": "VEN",
    "EC": "ECU",
    "PE": "PER",
    "CL": "CHL",
    "BR": "BRA",
    "HT": "HTI",
    "DO": "DOM",
    "BO": "BOL",
    "AR": "ARG",
    "CU": "CUB",
    "US": "USA",
}


def _with_type_services(kind: str, services: list[str]) -> list[str]:
    merged = [*services, *(s for s in SERVICES_BY_TYPE.get(kind, ()) if s not in services)]
    return [s for s in SERVICE_WORDS if s in merged]


# -- OpenStreetMap extracts ------------------------------------------------------------------------
SHELTER_FOR_OK = {
    "migrant",
    "refugee",
    "displaced",
    "homeless",
    "underprivileged",
    "victim",
    "abused",
    "woman",
    "women",
    "child",
    "juvenile",
    "family",
    "diseased",
}


def classify_osm(tags: dict[str, str]) -> tuple[str, list[str]] | str:
    """(place type, services) for an OSM object's tags, or the reason it is not a place for Brújula."""
    amenity, office = tags.get("amenity", ""), tags.get("office", "")
    names = " | ".join(fold(tags.get(k, "")) for k in ("name", "operator", "brand", "official_name"))
    if office == "diplomatic" or amenity == "embassy":
        kind = tags.get("diplomatic") or ("embassy" if amenity == "embassy" else "")
        if kind not in {"consulate", "embassy", "consulate_general"}:
            return f"diplomatic={kind or '?'} is not an embassy or consulate"
        if tags.get("diplomatic:services:citizen_services") == "no" and kind == "embassy":
            return "embassy without citizen services (diplomatic:services:citizen_services=no)"
        if not re.fullmatch(r"[A-Z]{2}", tags.get("country", "")):
            return "no country=XX tag: which nationals it serves is unknown"
        return ("embassy" if kind == "embassy" else "consulate"), ["consular"]
    if amenity == "social_facility" or amenity == "refugee_site":
        facility = tags.get("social_facility", "shelter" if amenity == "refugee_site" else "")
        served = {v.strip() for v in tags.get("social_facility:for", "").split(";") if v.strip()}
        for_migrants = bool(served & {"migrant", "refugee", "displaced"})
        if facility == "shelter" or amenity == "refugee_site":
            if served and not served & SHELTER_FOR_OK:
                return f"a shelter for {', '.join(sorted(served))}, not for people on the move"
            return "shelter", ["lodging"]
        if facility in {"food_bank", "soup_kitchen"}:
            return "aid_station", ["food"]
        if for_migrants:
            return "support_org", ["information"]
        return f"social_facility={facility or '?'} not for migrants (social_facility:for)"
    for kind, words in ORG_TYPES:
        if (
            (office in {"ngo", "international_organization", "un", "government", "association"} or amenity)
            and _contains(names, words)
            and amenity not in {"drinking_water", "toilets", "atm"}
        ):
            return kind, list(SERVICES_BY_TYPE[kind])
    if office == "government" and tags.get("government") in {"migration", "immigration"}:
        return "migration_office", ["regularization", "documents"]
    if amenity in {"clinic", "hospital", "doctors"} or tags.get("healthcare") in {
        "clinic",
        "hospital",
        "doctor",
        "centre",
    }:
        return "health_post", ["health"]
    if amenity == "drinking_water" or (amenity == "water_point" and tags.get("drinking_water") != "no"):
        if tags.get("access") in {"private", "no"}:
            return "drinking water with private access"
        return "water_point", ["water"]
    if office in {"ngo", "association"}:
        return "support_org", ["information"]
    return "not a kind of place Brújula lists (shelter, consulate, clinic, NGO, drinking water, migration office)"


def osm_address(tags: dict[str, str]) -> str | None:
    if tags.get("addr:full"):
        return tags["addr:full"].strip()
    street = " ".join(p for p in (tags.get("addr:street"), tags.get("addr:housenumber")) if p)
    if not street:
        street = tags.get("addr:place", "")
    if not street:
        return None
    parts = [
        street,
        *(
            tags[k]
            for k in ("addr:suburb", "addr:neighbourhood", "addr:district", "addr:city", "addr:postcode")
            if tags.get(k)
        ),
    ]
    return ", ".join(dict.fromkeys(parts))


def osm_candidate(
    kind_ref: str, tags: dict[str, str], lat: float, lon: float, country: str, gazetteer: Gazetteer, today: date
) -> Candidate | Skip:
    ref = f"osm:{kind_ref}"
    classified = classify_osm(tags)
    if isinstance(classified, str):
        return Skip(ref, classified)
    kind, services = classified
    name = tags.get("name") or tags.get("official_name") or tags.get("operator")
    if not name:
        if kind != "water_point":
            return Skip(ref, "no name tag")
        name = "Agua potable" if not tags.get("name:en") else tags["name:en"]
    if not gazetteer.inside(lat, lon, country):
        return Skip(ref, f"point {lat:.5f}, {lon:.5f} is outside {country}")
    nationalities: list[str] = []
    if kind in {"consulate", "embassy"}:
        nationalities = [tags["country"]]
        if tags["country"] == country:
            return Skip(ref, f"a {country} mission in {country}: not a foreign consulate")
    city = gazetteer.city(tags.get("addr:city"), country) or gazetteer.nearest_city(lat, lon, country)
    fields: dict[str, Any] = {
        "type": kind,
        "name": name,
        "country": country,
        "city": city["name"] if city else None,
        "address": osm_address(tags),
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "location_precision": "exact",
        "phone": phone_or_none(tags.get("contact:phone") or tags.get("phone")),
        "whatsapp": phone_or_none(tags.get("contact:whatsapp")),
        "website": url_or_none(tags.get("contact:website") or tags.get("website") or tags.get("url")),
        "services": _with_type_services(kind, services),
        "nationalities": nationalities,
    }
    kind_name, number = kind_ref.split("/")
    url = f"https://www.openstreetmap.org/{kind_name}/{number}"
    shown = [
        f"{k}={v}"
        for k, v in sorted(tags.items())
        if k
        in {
            "name",
            "amenity",
            "office",
            "social_facility",
            "social_facility:for",
            "diplomatic",
            "country",
            "government",
            "healthcare",
        }
        or k.startswith("addr:")
    ]
    raw = {
        "phone": tags.get("contact:phone") or tags.get("phone"),
        "whatsapp": tags.get("contact:whatsapp"),
        "website": tags.get("contact:website") or tags.get("website") or tags.get("url"),
    }
    fields["source"] = f"OpenStreetMap contributors ({kind_name} {number})"
    fields["evidence"] = [
        {
            "url": url,
            "quote": quote_of("; ".join(shown)),
            "read_on": today,
            "claim": "type, point and address from OpenStreetMap tags",
        }
    ]
    return Candidate(ref, fields, _left_out(fields, raw))


def read_osm(path: Path, country: str, gazetteer: Gazetteer, today: date) -> Iterator[Candidate | Skip]:
    import osmium  # imported here: only the import command needs it

    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for obj in processor:
            tags = {tag.k: tag.v for tag in obj.tags}
            if not tags or not _interesting(tags):
                continue  # untagged nodes of ways, roads, buildings...
            if isinstance(obj, osmium.osm.Node):
                if not obj.location.valid():
                    yield Skip(f"osm:node/{obj.id}", "node without a location")
                    continue
                yield osm_candidate(
                    f"node/{obj.id}", tags, obj.location.lat, obj.location.lon, country, gazetteer, today
                )
            elif isinstance(obj, osmium.osm.Way):
                points = {(n.ref, n.location.lat, n.location.lon) for n in obj.nodes if n.location.valid()}
                if not points:
                    yield Skip(f"osm:way/{obj.id}", "way whose nodes are not in the extract (no point)")
                    continue
                lat = sum(p[1] for p in points) / len(points)
                lon = sum(p[2] for p in points) / len(points)
                yield osm_candidate(f"way/{obj.id}", tags, lat, lon, country, gazetteer, today)
    except RuntimeError as error:  # osmium reports unreadable files as RuntimeError
        raise PlaceImportError(f"{path} is not a readable OpenStreetMap file ({error})") from error


def _interesting(tags: dict[str, str]) -> bool:
    return bool(tags.get("amenity") or tags.get("office") or tags.get("healthcare") or tags.get("social_facility"))


# -- writing the places file as text ---------------------------------------------------------------
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if re.fullmatch(r"[a-z][a-z0-9_-]*", text) and text not in {"yes", "no", "on", "off", "null", "true", "false"}:
        return text
    return json.dumps(text, ensure_ascii=False)


def render_item(item: dict[str, Any]) -> str:
    """One place in the style of the hand-written files (two spaces, then ``- id:``)."""
    lines: list[str] = []
    ordered = [k for k in FIELD_ORDER if k in item] + [k for k in item if k not in FIELD_ORDER]
    for key in ordered:
        value = item[key]
        if value is None or value == [] or value == {}:
            continue
        prefix = "  - " if not lines else "    "
        if key == "evidence":
            lines.append(f"{prefix}evidence:")
            for entry in value:
                first = True
                for sub in ("url", "quote", "read_on", "claim"):
                    if sub in entry:
                        lines.append(f"      {'- ' if first else '  '}{sub}: {_scalar(entry[sub])}")
                        first = False
        elif isinstance(value, dict):
            inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
            lines.append(f"{prefix}{key}: {{{inner}}}")
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{prefix}{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def fields_hash(item: dict[str, Any]) -> str:
    """Hash of an item's fields except its provenance, as YAML loads them (so formatting does not count)."""
    body = {k: v for k, v in item.items() if k != PROVENANCE_KEY and v not in (None, [], {})}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class ItemSpan:
    start: int  # first line of the item (the "  - " line), 0-based
    end: int  # one past its last line
    data: dict[str, Any]


def item_spans(text: str) -> list[ItemSpan]:
    """Where each item of ``places:`` starts and ends, as lines; comments before an item stay outside it."""
    lines = text.splitlines(keepends=True)
    root = yaml.compose(text)
    data = yaml.safe_load(text) or {}
    if root is None or not isinstance(root, yaml.MappingNode):
        return []
    sequence = next((v for k, v in root.value if k.value == "places"), None)
    if not isinstance(sequence, yaml.SequenceNode):
        return []
    starts = [node.start_mark.line for node in sequence.value]
    spans = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(lines)
        end = stop
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # blank lines and comments at the end belong to what follows
        spans.append(ItemSpan(start, end, data["places"][index]))
    return spans


HEADER = """# Places in {code}: where people can go. One item per place; see CONTENT.md for every field.
# Items with `provenance:` were written by `python -m bot.content import-places`; edit them freely (the
# import then leaves them alone), or re-run the import to refresh the ones nobody edited.
places:
"""


def merge(
    text: str,
    candidates: list[Candidate],
    *,
    country: str,
    file_name: str,
    today: date,
    force: bool,
    taken_ids: set[str],
) -> tuple[str, list[Outcome]]:
    """The new text of the places file, and what happened to each candidate."""
    outcomes: list[Outcome] = []
    spans = item_spans(text) if text.strip() else []
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    by_ref: dict[str, int] = {}
    by_id: dict[str, int] = {}
    by_name: dict[tuple[str, str], int] = {}
    for index, span in enumerate(spans):
        provenance = span.data.get(PROVENANCE_KEY) or {}
        if isinstance(provenance, dict) and provenance.get("ref"):
            ref = str(provenance["ref"])
            # Rows are only stable within one sheet; OSM ids are stable across extracts.
            key = ref if ref.startswith("osm:") else f"{provenance.get('file')}#{ref}"
            by_ref[key] = index
        by_id[str(span.data.get("id"))] = index
        by_name[(str(span.data.get("type")), fold(str(span.data.get("name", ""))))] = index
    replacements: dict[int, str] = {}
    appended: list[str] = []
    seen_refs: set[str] = set()
    for candidate in candidates:
        key = candidate.ref if candidate.ref.startswith("osm:") else f"{file_name}#{candidate.ref}"
        if key in seen_refs:
            outcomes.append(Outcome("skipped", candidate.ref, None, "the same object twice in the file"))
            continue
        seen_refs.add(key)
        fields = candidate.fields
        found = by_ref.get(key)
        same_name = by_name.get((fields["type"], fold(fields["name"])))
        if found is None and same_name is not None and not (spans[same_name].data.get(PROVENANCE_KEY)):
            found = same_name  # a hand-written item for the same place
        if found is not None:
            span = spans[found]
            place_id = str(span.data.get("id"))
            provenance = span.data.get(PROVENANCE_KEY)
            if not provenance and not force:
                outcomes.append(
                    Outcome(
                        "skipped",
                        candidate.ref,
                        place_id,
                        "a hand-written place has the same name and type: merge by hand, or --force",
                    )
                )
                continue
            if provenance and fields_hash(span.data) != str(provenance.get("fields_hash")) and not force:
                outcomes.append(
                    Outcome(
                        "skipped", candidate.ref, place_id, "edited by hand since the last import: --force to overwrite"
                    )
                )
                continue
            item = _with_not_sourced({"id": place_id, **fields})
            old_body = {k: v for k, v in span.data.items() if k != PROVENANCE_KEY}
            new_body = yaml.safe_load("places:\n" + render_item(item))["places"][0]
            if provenance and _same_except_read_on(old_body, new_body):
                outcomes.append(Outcome("unchanged", candidate.ref, place_id))
                continue
            replacements[found] = render_item(_with_provenance(item, file_name, candidate.ref, today))
            reason = "; ".join(
                n for n in ("replaced a hand-written place (--force)" if not provenance else "", *candidate.notes) if n
            )
            outcomes.append(Outcome("updated", candidate.ref, place_id, reason))
            continue
        place_id = _new_id(country, fields, taken_ids)
        taken_ids.add(place_id)
        item = _with_not_sourced({"id": place_id, **fields})
        appended.append(render_item(_with_provenance(item, file_name, candidate.ref, today)))
        note = f"no point: placed at the centre of {fields['city']}" if fields["location_precision"] == "city" else ""
        if fields["location_precision"] == "street":
            note = f"address without a point: placed at the centre of {fields['city']}"
        note = "; ".join(n for n in (note, *candidate.notes) if n)
        outcomes.append(Outcome("added", candidate.ref, place_id, note))
    if not replacements and not appended:
        return text, outcomes
    out: list[str] = []
    cursor = 0
    for index, span in enumerate(spans):
        if index in replacements:
            out.extend(lines[cursor : span.start])
            out.append(replacements[index])
            cursor = span.end
    out.extend(lines[cursor:])
    if not out:
        out.append(HEADER.format(code=country))
    out.extend(appended)
    return "".join(out), outcomes


def _same_except_read_on(old: dict[str, Any], new: dict[str, Any]) -> bool:
    def strip(item: dict[str, Any]) -> str:
        body = {k: v for k, v in item.items() if v not in (None, [], {})}
        body["evidence"] = [{k: v for k, v in e.items() if k != "read_on"} for e in body.get("evidence") or []]
        return json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)

    return strip(old) == strip(new)


def _with_not_sourced(item: dict[str, Any]) -> dict[str, Any]:
    """List what the data set did not give (address, phone, hours), as hand-written items do."""
    missing = [f for f in ("address", "phone", "hours") if not item.get(f)]
    return {**item, "not_sourced": missing} if missing else item


def _with_provenance(item: dict[str, Any], file_name: str, ref: str, today: date) -> dict[str, Any]:
    loaded = yaml.safe_load("places:\n" + render_item(item))["places"][0]
    return {
        **item,
        PROVENANCE_KEY: {"file": file_name, "ref": ref, "imported_on": today, "fields_hash": fields_hash(loaded)},
    }


def _new_id(country: str, fields: dict[str, Any], taken: set[str]) -> str:
    city = slug(fields["city"]) if fields.get("city") else ""
    base = "-".join(p for p in (country.lower(), city, slug(fields["name"])) if p)
    base = re.sub(r"-+", "-", base)[:72].strip("-")
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def all_place_ids(content_dir: Path) -> set[str]:
    ids: set[str] = set()
    for path in sorted((content_dir / "places").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ids.update(str(p.get("id")) for p in data.get("places") or [] if isinstance(p, dict))
    return ids


def import_places(
    source: Path,
    country: str,
    content_dir: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
    source_url: str | None = None,
    today: date | None = None,
) -> ImportReport:
    """Read ``source`` and merge its places into ``content_dir/places/<country>.yml``."""
    today = today or date.today()
    country = country.upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise PlaceImportError(f"--country must be a two-letter ISO code such as MX, got {country!r}")
    if source_url and check_url(source_url):
        raise PlaceImportError(f"--source-url {check_url(source_url)}")
    if not source.exists():
        raise PlaceImportError(f"{source} does not exist")
    gazetteer = Gazetteer.load(content_dir)
    name = source.name.lower()
    if name.endswith(OSM_SUFFIXES):
        read: Iterable[Candidate | Skip] = read_osm(source, country, gazetteer, today)
    elif name.endswith(HXL_SUFFIXES):
        read = read_hxl(source, country, gazetteer, source_url, today)
    else:
        raise PlaceImportError(
            f"{source.name}: unknown kind of file (HXL sheets: {', '.join(HXL_SUFFIXES)}; "
            f"OpenStreetMap: {', '.join(OSM_SUFFIXES)})"
        )
    candidates: list[Candidate] = []
    report = ImportReport()
    for found in read:
        if isinstance(found, Skip):
            report.outcomes.append(Outcome("skipped", found.ref, None, found.reason))
        else:
            candidates.append(found)
    target = content_dir / "places" / f"{country.lower()}.yml"
    text = target.read_text(encoding="utf-8") if target.exists() else ""
    new_text, outcomes = merge(
        text,
        candidates,
        country=country,
        file_name=source.name,
        today=today,
        force=force,
        taken_ids=all_place_ids(content_dir),
    )
    report.outcomes.extend(outcomes)
    report.outcomes.sort(key=lambda o: ("added", "updated", "unchanged", "skipped").index(o.action))
    report.path = target
    if new_text != text and not dry_run:
        yaml.safe_load(new_text)  # never write a file that does not parse
        target.write_text(new_text, encoding="utf-8")
        report.written = True
    return report
