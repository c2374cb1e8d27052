"""The offer check: warning signs quoted exactly as written, WhatsApp spelling, negation, NGO edits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import offers
from bot.offers import OfferChecker, OfferLevel
from scripts.evaluate_offers import labelled_set, score

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = ROOT / "content" / "offers" / "indicators.yml"


@pytest.fixture(scope="module")
def checker() -> OfferChecker:
    return OfferChecker.from_file(INDICATORS)


def test_the_example_of_the_issue_is_flagged_with_the_fee_quoted(checker: OfferChecker) -> None:
    text = "me ofrecieron trabajo en São Paulo pero tengo que pagar 500 reais antes, ¿es estafa?"
    result = checker.check(text)
    assert result.level is OfferLevel.high
    flag = next(f for f in result.flags if f.id in {"recruitment_fee", "payment_requested"})
    assert flag.quote in text  # quoted exactly as the person wrote it, accents and all
    assert "500 reais" in flag.quote


def test_whatsapp_spelling_without_accents_and_with_shortcuts_is_understood(checker: OfferChecker) -> None:
    result = checker.check("oi vc tem q pagar R$300 pra garantir sua vaga, so pelo zap")
    assert result.level is OfferLevel.high
    assert {"recruitment_fee", "chat_only_hiring"} <= {f.id for f in result.flags}


def test_a_negated_fee_is_not_a_warning_sign(checker: OfferChecker) -> None:
    assert checker.check("Hotel contrata recamaristas, contrato y prestaciones. No cobramos nada.").level is (
        OfferLevel.none_found
    )
    assert checker.check("Hotel contrata recamaristas. Cobramos 300 pesos de inscripcion.").level is OfferLevel.high


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("me ofrecieron trabajo en mexico pagan muy bien y me dan el pasaje, sera estafa?", "pagan muy bien"),
        ("a job in Canada that pays really well and they pay the ticket, is it legit?", "pays really well"),
        ("emprego no Chile, paga muito bem e a passagem é por conta deles", "paga muito bem"),
        ("un travail au Canada très bien payé, billet compris, c'est une arnaque ?", "très bien payé"),
        ("yon djob Chili ki peye trè byen, yo peye tikè a, se yon arnak?", "peye trè byen"),
    ],
)
def test_pay_praised_as_very_good_is_a_warning_sign(checker: OfferChecker, text: str, quote: str) -> None:
    # a probe of the running bot: "pagan muy bien y me dan el pasaje" found no warning sign at all
    flag = next(f for f in checker.check(text).flags if f.id == "unrealistic_pay")
    assert flag.quote == quote


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        # a second probe of the running bot found "no warning signs" in each of these
        (
            "my daughter is 16 and a man offered her a modeling job in Panama, he wants to take her alone",
            "child_recruited",
        ),
        (
            "mi hija de 15 años conoció a un señor que le ofrece trabajo de niñera en panama y la quiere llevar",
            "child_recruited",
        ),
        ("minha filha de 16 anos recebeu proposta de emprego de modelo em São Paulo", "child_recruited"),
        ("ma fille a 15 ans, un homme lui propose un travail de nounou au Chili", "child_recruited"),
        ("pitit fi m gen 14 an, yon nèg vle mennen l Brezil pou travay", "child_recruited"),
        (
            "um senhor ofereceu trabalho no Chile, pedem 500 dolares pro visto e o passaporte, é golpe?",
            "payment_requested",
        ),
        (
            "ils paient le billet mais je dois rembourser 2000 dollars en travaillant, c'est une arnaque ?",
            "debt_bondage",
        ),
    ],
)
def test_a_child_taken_for_work_a_price_asked_or_a_debt_worked_off_is_high(
    checker: OfferChecker, text: str, flag: str
) -> None:
    result = checker.check(text)
    assert result.level is OfferLevel.high
    assert flag in {f.id for f in result.flags}


@pytest.mark.parametrize(
    ("text", "flag", "level"),
    [
        # a fourth probe of the running bot: English fee, smugglers described by the person, women-only ads
        (
            "Job in Canada! Send your passport copy and $150 for visa processing to this WhatsApp",
            "recruitment_fee",
            OfferLevel.high,
        ),
        ("a man at the shelter says he can take us to the US border for $3000", "safe_crossing", OfferLevel.high),
        (
            "um cara me ofereceu levar a gente ate manaus de carro sem passar pela acolhida por 500 reais",
            "safe_crossing",
            OfferLevel.high,
        ),
        ("SE BUSCAN SEÑORITAS 2000 DOLARES AL MES PASAJE Y HOSPEDAJE GRATIS", "sexual_exploitation_risk", None),
        (
            "Hiring women 18-25 for hotel work in Cancun, we pay your bus ticket, send a full-body photo",
            "sexual_exploitation_risk",
            None,
        ),
    ],
)
def test_a_visa_fee_to_a_recruiter_a_smuggler_and_a_women_only_ad_are_flagged(
    checker: OfferChecker, text: str, flag: str, level: OfferLevel | None
) -> None:
    result = checker.check(text)
    assert flag in {f.id for f in result.flags}
    assert result.level is not OfferLevel.none_found
    if level is not None:
        assert result.level is level


def test_an_official_visa_fee_question_is_not_an_offer_warning(checker: OfferChecker) -> None:
    assert checker.check("how much is the official fee of the Brazilian humanitarian visa?").level is (
        OfferLevel.none_found
    )


def test_years_of_experience_are_not_a_childs_age(checker: OfferChecker) -> None:
    assert checker.check("Se busca cocinero con 5 años de experiencia para trabajo en Lima, contrato").level is (
        OfferLevel.none_found
    )


def test_one_lesser_sign_is_some_and_two_are_high(checker: OfferChecker) -> None:
    one = checker.check("Trabajo en restaurante, el nombre de la empresa te lo digo cuando llegues")
    two = checker.check("Trabajo en restaurante, el nombre de la empresa te lo digo cuando llegues. Todo por whatsapp")
    assert one.level is OfferLevel.some
    assert two.level is OfferLevel.high


def test_every_flag_has_an_explanation_in_the_five_languages(checker: OfferChecker) -> None:
    result = checker.check("Te sacamos los papeles garantizado, manda 200 dolares por western union a mi nombre")
    assert result.flags
    for language in offers.LANGUAGES:
        for quote, explanation in result.explanations(language):
            assert quote and explanation


def test_labelled_set_targets(checker: OfferChecker) -> None:
    """The issue's targets on the labelled set: scams flagged >= 0.95, legitimate offers flagged high <= 0.05."""
    messages = [m for language in labelled_set().values() for m in language]
    assert len(messages) >= 150
    tally = score(checker, messages)
    assert tally.scams_flagged / tally.scams >= 0.95, tally.misses
    assert tally.legit_high / tally.legit <= 0.05, tally.misses


def test_the_labelled_set_covers_five_languages_and_three_kinds() -> None:
    sets = labelled_set()
    assert set(sets) == set(offers.LANGUAGES)
    for messages in sets.values():
        assert {m["kind"] for m in messages} == {"scam", "legit", "question"}


def test_command_line_prints_json(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bot.offers", "check"],
        input="Vendo citas para migraciones, 80 soles la cita",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    result = json.loads(run.stdout)
    assert result["level"] == "high"
    assert {"id": "sold_appointments", "quote": "Vendo citas"} in result["flags"] or any(
        flag["id"] == "sold_appointments" for flag in result["flags"]
    )


def test_a_broken_pattern_names_the_indicator_and_the_last_good_list_keeps_serving(tmp_path: Path) -> None:
    root = tmp_path / "content"
    (root / "offers").mkdir(parents=True)
    target = root / "offers" / "indicators.yml"
    shutil.copy(INDICATORS, target)
    assert offers.check("Vendo citas para migraciones, 80 soles", root).level is OfferLevel.high

    broken = target.read_text(encoding="utf-8").replace("(vend\\w*|consig", "(vend\\w*|(consig", 1)
    target.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match="sold_appointments"):
        OfferChecker.from_file(target)
    # a fresh mtime so the cache notices the edit
    import os

    os.utime(target, (target.stat().st_atime, target.stat().st_mtime + 5))
    assert offers.check("Vendo citas para migraciones, 80 soles", root).level is OfferLevel.high


def test_a_quote_over_thirty_words_is_refused(tmp_path: Path) -> None:
    text = INDICATORS.read_text(encoding="utf-8")
    long_quote = " ".join(["word"] * 31)
    target = tmp_path / "indicators.yml"
    target.write_text(
        text.replace('quote: "Important notice:', f'quote: "{long_quote} Important notice:', 1), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="at most 30 words"):
        OfferChecker.from_file(target)


def test_a_pasted_offer_is_told_apart_from_a_question_about_one() -> None:
    pasted = (
        "Buenas, hay trabajo en una empacadora en Monterrey, pagan bien. Solo tienes que pagar 1500 pesos de "
        "inscripcion"
    )
    genuine = (
        "Hotel hiring housekeeping staff for the season. Registered temporary contract, overtime paid monthly, "
        "training provided. Interviews with human resources at the hotel."
    )
    assert offers.looks_like_a_pasted_offer(pasted, classifier_confidence=0.55)
    assert offers.looks_like_a_pasted_offer(genuine, classifier_confidence=0.3)
    question = "hay que pagar por el tramite de refugio?"
    assert not offers.looks_like_a_pasted_offer(question, classifier_confidence=0.8)
    assert not offers.looks_like_a_pasted_offer("donde saco el permiso de trabajo en colombia", 0.4)


@pytest.mark.parametrize(
    "question",
    [
        "I work in a construction site in Lima looking for better pay and my boss owes me 3 weeks, what can I do?",
        "je suis mécanicien et je cherche un travail stable à Guadalajara mais on demande des papiers, comment faire ?",
        "mwen ap travay nan Santiago e m vle voye yon ti kòb bay pitit mwen yo chak mwa, ki fason ki pi bon mache?",
    ],
)
def test_a_persons_own_long_question_with_an_offer_word_is_not_taken_for_an_offer(question: str) -> None:
    assert offers.checker().is_offer(question)  # it has an offer word ...
    assert not offers.looks_like_a_pasted_offer(question, classifier_confidence=0.9)  # ... but it is a question


def test_a_first_person_scam_promise_is_still_an_offer() -> None:
    promise = "Amigo tengo un contacto en migración, te saco la residencia en 15 días, solo pagas 300 dólares antes"
    assert offers.looks_like_a_pasted_offer(promise, classifier_confidence=0.8)


@pytest.mark.parametrize(
    "text",
    [
        "Travail en usine au Chili, 2500 dollars par mois, les patrons gardent les passeports pendant tout le séjour",
        "Travail au Brésil sur WhatsApp, salaire 3000 dollars, ils gardent le passeport pendant le voyage",
    ],
)
def test_an_employer_keeping_passports_is_flagged_in_french_whatever_the_verb_form(
    checker: OfferChecker, text: str
) -> None:
    assert "document_retention" in {flag.id for flag in checker.check(text).flags}


def test_keeping_ones_own_passport_is_not_a_warning_sign(checker: OfferChecker) -> None:
    assert "document_retention" not in {flag.id for flag in checker.check("je garde mon passeport avec moi").flags}
