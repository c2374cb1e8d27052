"""The trained model, on questions that name a situation and ask about something else (issue 9).

The intent is what is asked, not who asks: "refugee" or "asylum seeker" in a question about work,
a bank or a school must not turn it into an asylum question. Needs ``models/brujula.tar.gz``
(``make test`` trains before running pytest).
"""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent

from bot.joined_requests import OTHER_REQUESTS_KEY
from bot.paths import ROOT

MODEL = ROOT / "models" / "brujula.tar.gz"


@pytest.fixture(scope="module")
def agent() -> Agent:
    assert MODEL.exists(), "models/brujula.tar.gz is missing: run `make train` (make test does it)"
    return Agent.load(str(MODEL))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("we are asylum seekers, are we allowed to open an account at a bank?", "ask_remittances"),
        ("Can people with refugee status get a job here?", "ask_work"),
        ("I'm undocumented, can my kids go to a public school?", "ask_education"),
        ("soy refugiada, ¿mis hijos pueden ir a la escuela pública?", "ask_education"),
        ("¿Qué derechos tengo como solicitante de refugio?", "ask_rights"),
        ("Sou solicitante de refúgio, posso ser atendida no posto de saúde?", "ask_health"),
        ("Je suis demandeur d'asile, est-ce que je peux travailler ?", "ask_work"),
        ("mwen se refijye, eske m ka louvri yon kont labank?", "ask_remittances"),
        ("Ki dwa moun ki pa gen papye yo genyen?", "ask_rights"),
        # a worker's rights are labour rights, a refugee's rights are rights
        ("Trabajo en una obra en Lima, ¿qué derechos tengo como trabajador extranjero?", "ask_work"),
        ("Quais são os direitos de uma empregada doméstica venezuelana?", "ask_work"),
        ("Ki devwa ak obligasyon yon refijye genyen?", "ask_rights"),
    ],
)
def test_the_question_decides_the_topic_not_the_situation(agent: Agent, text: str, intent: str) -> None:
    result = asyncio.run(agent.parse_message(text))
    assert result["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("What is the CRNM and how do I get it?", "ask_documents"),
        ("¿Para qué sirve el PPT?", "ask_regularization"),
        ("O que é o SUS?", "ask_health"),
        ("Qu'est-ce que la COMAR ?", "ask_asylum"),
        ("What is TPS and who can apply?", "ask_regularization"),
    ],
)
def test_a_procedure_named_by_its_acronym_is_understood(agent: Agent, text: str, intent: str) -> None:
    result = asyncio.run(agent.parse_message(text))
    assert result["intent"]["name"] == intent


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("je cherche un logement et un travail", {"ask_shelter", "ask_work"}),
        ("I need a job and a doctor", {"ask_work", "ask_health"}),
        ("m bezwen travay epi lekòl pou pitit mwen", {"ask_work", "ask_education"}),
        ("how do I send money home and where is the consulate", {"ask_remittances", "ask_consulate"}),
    ],
)
def test_a_message_asking_for_two_things_carries_both_topics(agent: Agent, text: str, topics: set[str]) -> None:
    result = asyncio.run(agent.parse_message(text))
    assert {result["intent"]["name"], *result[OTHER_REQUESTS_KEY]} >= topics


@pytest.mark.parametrize(
    "text",
    [
        "estoy en Chile y necesito trabajo",
        "I'm a refugee and I want to open a bank account",
        "y en Perú?",
    ],
)
def test_a_situation_joined_to_one_request_is_one_request(agent: Agent, text: str) -> None:
    result = asyncio.run(agent.parse_message(text))
    topics = {name for name in result.get(OTHER_REQUESTS_KEY, []) if name.startswith("ask_")}
    assert topics <= {result["intent"]["name"]}
