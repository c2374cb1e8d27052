"""Sentences the conversation needs that ``content/ui.yml`` may not have yet, in the five languages.

``content/ui.yml`` wins: an NGO that adds one of these keys there changes the wording without touching
code. The defaults here keep the bot speaking while the content catches up.
"""

from __future__ import annotations

from typing import Any

from bot.content import Content
from bot.language import translated

DEFAULTS: dict[str, dict[str, str]] = {
    "place_other_country": {
        "es": "🌐 Está en {country}, al otro lado de la frontera.",
        "en": "🌐 This is in {country}, across the border.",
        "pt": "🌐 Fica em {country}, do outro lado da fronteira.",
        "fr": "🌐 C'est en {country}, de l'autre côté de la frontière.",
        "ht": "🌐 Li nan {country}, lòt bò fwontyè a.",
    },
    "place_map_street": {
        "es": "Mapa (búsqueda de la dirección): {url}",
        "en": "Map (search for the address): {url}",
        "pt": "Mapa (busca do endereço): {url}",
        "fr": "Carte (recherche de l'adresse) : {url}",
        "ht": "Kat (chèche adrès la): {url}",
    },
    "place_map_city": {
        "es": "Mapa: {url} (solo la ciudad, no el lugar exacto)",
        "en": "Map: {url} (only the city, not the exact place)",
        "pt": "Mapa: {url} (só a cidade, não o local exato)",
        "fr": "Carte : {url} (seulement la ville, pas le lieu exact)",
        "ht": "Kat: {url} (se vil la sèlman, pa kote egzak la)",
    },
    "place_fact_confirmed": {
        "es": "(confirmado: {source}, {date})",
        "en": "(confirmed: {source}, {date})",
        "pt": "(confirmado: {source}, {date})",
        "fr": "(confirmé : {source}, {date})",
        "ht": "(konfime: {source}, {date})",
    },
    "place_fact_unconfirmed": {
        "es": "(sin confirmar: pregunta antes de ir)",
        "en": "(not confirmed: ask before you go)",
        "pt": "(não confirmado: pergunte antes de ir)",
        "fr": "(non confirmé : renseignez-vous avant d'y aller)",
        "ht": "(poko konfime: mande anvan ou ale)",
    },
    "place_official_page": {
        "es": "Página oficial: {url}",
        "en": "Official page: {url}",
        "pt": "Página oficial: {url}",
        "fr": "Page officielle : {url}",
        "ht": "Paj ofisyèl: {url}",
    },
    "consular_open": {
        "es": "✅ Servicios consulares abiertos.",
        "en": "✅ Consular services open.",
        "pt": "✅ Serviços consulares abertos.",
        "fr": "✅ Services consulaires ouverts.",
        "ht": "✅ Sèvis konsilè yo louvri.",
    },
    "consular_suspended": {
        "es": "⛔ Servicios consulares SUSPENDIDOS.",
        "en": "⛔ Consular services SUSPENDED.",
        "pt": "⛔ Serviços consulares SUSPENSOS.",
        "fr": "⛔ Services consulaires SUSPENDUS.",
        "ht": "⛔ Sèvis konsilè yo SISPANN.",
    },
    "consular_closed": {
        "es": "⛔ CERRADO.",
        "en": "⛔ CLOSED.",
        "pt": "⛔ FECHADO.",
        "fr": "⛔ FERMÉ.",
        "ht": "⛔ FÈMEN.",
    },
    "consular_since": {
        "es": "Desde el {date}.",
        "en": "Since {date}.",
        "pt": "Desde {date}.",
        "fr": "Depuis le {date}.",
        "ht": "Depi {date}.",
    },
    "places_closest": {
        "es": "Lo más cercano que conozco: {name} ({where}), a {km} km.",
        "en": "The closest I know of: {name} ({where}), {km} km away.",
        "pt": "O mais perto que conheço: {name} ({where}), a {km} km.",
        "fr": "Le plus proche que je connaisse : {name} ({where}), à {km} km.",
        "ht": "Pi pre m konnen an: {name} ({where}), a {km} km.",
    },
    "noted_place": {
        "es": "Anotado: estás en {place}.",
        "en": "Noted: you are in {place}.",
        "pt": "Anotado: você está em {place}.",
        "fr": "C'est noté, vous êtes ici : {place}.",
        "ht": "Mwen note sa: ou nan {place}.",
    },
    "noted_nationality": {
        "es": "Anotado: eres de {country}.",
        "en": "Noted: you are from {country}.",
        "pt": "Anotado: você é de {country}.",
        "fr": "C'est noté, votre pays d'origine : {country}.",
        "ht": "Mwen note sa: ou soti {country}.",
    },
    "clarify_topic": {
        "es": "¿Quieres decir…?",
        "en": "Do you mean…?",
        "pt": "Você quer dizer…?",
        "fr": "Voulez-vous dire… ?",
        "ht": "Èske ou vle di…?",
    },
}


def text(content: Content, key: str, language: str, **values: Any) -> str:
    """``content/ui.yml``'s message when it has ``key``, else the default above, formatted with ``values``."""
    if content.ui.get(key):
        return content.text(key, language, **values)
    template = translated(DEFAULTS[key], language)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
