"""Brújula's NLU components on Rasa Message objects, as the pipeline runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.input_check import MAX_MESSAGE_CHARS
from bot.nlu.components import GazetteerEntityExtractor, InputGuard, IntentRules, LanguageAnnotator


def run(text: str, intent: str = "greet", confidence: float = 0.9) -> Message:
    message = Message.build(text=text)
    InputGuard({}).process([message])
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    GazetteerEntityExtractor({}).process([message])
    LanguageAnnotator({}).process([message])
    IntentRules({}).process([message])
    return message


def entities(message: Message) -> dict:
    return {e["entity"]: e["value"] for e in message.get("entities")}


def test_parse_result_carries_the_language() -> None:
    message = run("kijan pou m regilarize sitiyasyon m")
    output = message.as_dict(only_output_properties=True)
    assert output["language"]["code"] == "ht"
    assert 0.5 < output["language"]["confidence"] <= 1.0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("estou em Santo Domingo, República Dominicana", "pt"),
        ("tô no Brasil", "pt"),
        ("mwen nan Repiblik Dominikèn", "ht"),
        ("je suis à Cuiabá, Mato Grosso", "fr"),  # a probe: answered in Portuguese
        ("estoy en Belo Horizonte", "es"),
        ("I live in São Paulo", "en"),
    ],
)
def test_place_names_written_in_another_language_do_not_decide_the_language(text: str, code: str) -> None:
    # the first was answered in Spanish: "Santo Domingo, República Dominicana" outweighed "estou em"
    assert run(text).get("language")["code"] == code


def test_countries_and_nationalities_become_iso_codes_and_cities_are_found() -> None:
    assert entities(run("donde esta el consulado de colombia en quito")) == {"country": "CO", "city": "Quito"}
    assert entities(run("soy venezolana y vivo en medellin")) == {"nationality": "VE", "city": "Medellín"}
    assert entities(run("konsila ayisyen nan santo domingo")) == {"nationality": "HT", "city": "Santo Domingo"}
    assert entities(run("tem consulado da colômbia em manaus")) == {"country": "CO", "city": "Manaus"}


@pytest.mark.parametrize(
    ("text", "here"),
    [
        ("estoy en Tijuana y quiero pedir asilo en Estados Unidos", "Tijuana"),
        ("I was in Ecuador, now I'm in Peru", "PE"),
        ("estou em Boa Vista e quero ir para Manaus", "Boa Vista"),
        ("je suis au Mexique et je veux aller au Canada", "MX"),
        ("mwen nan Brezil, m vle ale Chili", "BR"),
    ],
)
def test_the_place_the_person_says_they_are_in_is_marked(text: str, here: str) -> None:
    places = [e for e in run(text).get("entities") if e["entity"] in ("country", "city")]
    assert [e["value"] for e in places if e.get("here")] == [here]
    assert len(places) == 2  # the other place is still found: the person asks about it


def test_a_city_name_that_is_also_a_verb_is_the_city_only_where_it_names_a_place() -> None:
    # "nos quitó los papeles" (quitar, to take away) once moved a person in Mexico to Ecuador
    assert entities(run("el hombre que nos trajo nos quitó los papeles")) == {}
    assert entities(run("nos quito los papeles el coyote")) == {}
    assert entities(run("me quito la chaqueta")) == {}
    assert entities(run("estoy en quito")) == {"city": "Quito"}
    assert entities(run("vivo en Quito hace un año")) == {"city": "Quito"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am Honduran and I am in Guatemala", {"nationality": "HN", "country": "GT"}),
        ("soy hondureño y estoy en Guatemala", {"nationality": "HN", "country": "GT"}),
        ("sou venezuelana e estou no Peru", {"nationality": "VE", "country": "PE"}),
        ("je suis haïtienne et je vis au Chili", {"nationality": "HT", "country": "CL"}),
        ("mwen se ayisyen, mwen nan Brezil", {"nationality": "HT", "country": "BR"}),
        ("I'm from Venezuela, now in Colombia", {"nationality": "VE", "country": "CO"}),
        ("soy de Nicaragua y vivo en Costa Rica", {"nationality": "NI", "country": "CR"}),
        ("sou da Venezuela", {"nationality": "VE"}),
        ("je viens d'Haïti", {"nationality": "HT"}),
        ("mwen soti Kiba", {"nationality": "CU"}),
    ],
)
def test_a_demonym_or_from_x_is_the_nationality_and_in_x_is_the_country(text: str, expected: dict[str, str]) -> None:
    assert entities(run(text)) == expected


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("I'm in Colombia", "CO"),
        ("estoy en Perú", "PE"),
        ("estou no Brasil", "BR"),
        ("et au Mexique ?", "MX"),
        ("e an Ayiti?", "HT"),
        ("what about in Panama", "PA"),
        ("estoy en república dominicana", "DO"),
    ],
)
def test_a_place_after_in_en_no_nan_au_stays_the_country(text: str, country: str) -> None:
    assert entities(run(text)) == {"country": country}


def test_demonyms_are_read_from_content_so_an_ngo_can_add_a_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from bot import paths

    root = tmp_path / "content"
    shutil.copytree(paths.content_dir(), root)
    assert entities(run("soy venequita")) == {}
    demonyms = root / "gazetteer" / "demonyms.yml"
    demonyms.write_text(demonyms.read_text(encoding="utf-8").replace("VE: [", "VE: [venequita, "), encoding="utf-8")
    monkeypatch.setenv("BRUJULA_CONTENT_DIR", str(root))
    assert entities(run("soy venequita")) == {"nationality": "VE"}


@pytest.mark.parametrize("text", ["2", " 3. ", "opcion 2", "opción 4", "option 1", "opsyon 5", "#2"])
def test_a_bare_number_is_a_menu_choice(text: str) -> None:
    message = run(text, intent="ask_work")
    assert message.get("intent")["name"] == "choose_option"
    assert "option" in entities(message)


def test_out_of_scope_is_reported_as_nlu_fallback() -> None:
    assert run("cuentame un chiste", intent="out_of_scope").get("intent")["name"] == "nlu_fallback"


def test_danger_words_turn_an_unplaced_message_into_an_emergency() -> None:
    message = run("nos tienen encerrados en una casa y no nos dejan salir", intent="nlu_fallback", confidence=0.3)
    assert message.get("intent")["name"] == "report_emergency"
    calm = run("cuentame un chiste", intent="nlu_fallback", confidence=0.3)
    assert calm.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("el patrón nos quitó los papeles y nos obliga a trabajar sin pago", "ask_work"),
        ("my boss keeps my passport and says I can't leave until I pay him back", "ask_work"),
        ("o patrão ficou com meu passaporte e não me deixa sair da fazenda", "ask_documents"),
        ("mon employeur a confisqué mon passeport et on m'oblige à travailler la nuit", "ask_work"),
        ("patwon an kenbe paspò m, li di si m ale l ap touye m", "ask_documents"),
        # a threat to take the passport is already the warning sign
        ("trabajo en una casa y la señora me quiere quitar el pasaporte", "ask_work"),
        ("querem pegar meu passaporte no abrigo", "ask_documents"),
        ("yo vle pran paspò mwen", "ask_documents"),
        ("my boss wants to keep my passport", "ask_work"),
        ("il veut garder mon passeport", "ask_documents"),
        ("he says i cant leave", "check_offer"),
        ("they took me in a car and are asking my family for money", "ask_remittances"),
    ],
)
def test_harm_being_done_now_is_flagged_and_keeps_its_topic(text: str, topic: str) -> None:
    message = run(text, intent=topic, confidence=0.9)
    assert message.get("intent")["name"] == topic  # the question is still answered, after the numbers
    assert message.as_dict(only_output_properties=True)["harm_now"] is True
    # not placed by the classifier: an emergency
    assert run(text, intent="nlu_fallback", confidence=0.3).get("intent")["name"] == "report_emergency"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("¿dónde saco mi pasaporte?", "ask_documents"),
        ("kote pou m pran paspò m?", "ask_documents"),
        ("I want to take my passport to the consulate", "ask_documents"),
        ("mwen vle pran paspò mwen nan konsila a", "ask_documents"),
        ("quiero renovar mi pasaporte", "ask_documents"),
        ("me quitaron el trabajo, ¿qué puedo reclamar?", "ask_work"),
        ("what is human trafficking?", "ask_rights"),
        ("I have to work on Sundays, is that legal?", "ask_work"),
        ("m oblije travay dimanch, èske se legal?", "ask_work"),
    ],
)
def test_questions_about_papers_work_or_trafficking_are_not_flagged_as_harm(text: str, topic: str) -> None:
    message = run(text, intent=topic, confidence=0.9)
    assert message.get("intent")["name"] == topic
    assert message.get("harm_now") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("😀🙏", "emoji_only"),
        ("\x00\x01\x02\x03garbage\x04", "unreadable"),
        ("أين أجد مأوى", "unsupported_language"),
        ("我需要帮助", "unsupported_language"),
    ],
)
def test_unusable_input_is_flagged_and_becomes_a_fallback(text: str, problem: object) -> None:
    message = run(text, intent="ask_work")
    assert message.get("input_problem") == problem
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_huge_message_is_cut_but_still_understood() -> None:
    message = run("necesito un medico " + "x" * 10_000, intent="ask_health")
    assert message.get("input_problem") == "too_long"
    assert len(message.get("text")) == MAX_MESSAGE_CHARS
    assert message.get("intent")["name"] == "ask_health"


def _with_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, topic: str, lines: str) -> Path:
    import shutil

    from bot import paths

    root = tmp_path / "content"
    shutil.copytree(paths.content_dir(), root)
    path = root / "topics" / f"{topic}.yml"
    path.write_text(path.read_text(encoding="utf-8") + lines, encoding="utf-8")
    monkeypatch.setenv("BRUJULA_CONTENT_DIR", str(root))
    return path


def _classified(text: str, intent: str, confidence: float) -> Message:
    from bot.nlu.components import ContentExampleMatcher

    message = Message.build(text=text)
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    ContentExampleMatcher({"threshold": 0.75}).process([message])
    return message


def _top(text: str, intent: str, confidence: float) -> str:
    return _classified(text, intent, confidence).get("intent")["name"]


def test_an_ngo_example_question_in_content_answers_its_topic_without_retraining(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "donde saco la tarjeta roja de la municipalidad"
    before = _classified(text, "nlu_fallback", 0.3)
    assert before.get("intent")["name"] == "nlu_fallback"
    example = '\nexamples:\n  es: ["¿Dónde saco la tarjeta roja de la municipalidad?"]\n'
    _with_examples(tmp_path, monkeypatch, "ask_health", example)
    after = _classified(text, "nlu_fallback", 0.3)
    assert after.get("intent")["name"] == "ask_health"
    assert after.get("intent_ranking")[0]["name"] == "ask_health"
    # a message unlike every example keeps the classifier's answer
    assert _top("quiero mandar plata a mi mama", "ask_remittances", 0.8) == "ask_remittances"


def test_an_edited_example_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    example = '\nexamples:\n  ht: ["ki kote m ka jwenn yon djòb kòm machann"]\n'
    path = _with_examples(tmp_path, monkeypatch, "ask_work", example)
    assert _top("ki kote m ka jwenn yon djob kom machann", "nlu_fallback", 0.2) == "ask_work"
    text = path.read_text(encoding="utf-8").replace("ki kote m ka jwenn yon djòb kòm machann", "kote biwo travay la ye")
    path.write_text(text, encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    assert _top("ki kote m ka jwenn yon djob kom machann", "nlu_fallback", 0.2) == "nlu_fallback"


def _ranked(text: str, ranking: list[tuple[str, float]]) -> str:
    message = Message.build(text=text)
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]}, add_to_output=True)
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking], add_to_output=True)
    IntentRules({}).process([message])
    return message.get("intent")["name"]


def test_a_long_question_that_names_a_topic_is_not_a_bare_follow_up() -> None:
    long_question = "how much does it cost to renew the residence permit for my two children here"
    assert _ranked(long_question, [("ask_followup", 0.4), ("ask_regularization", 0.3), ("ask_documents", 0.1)]) == (
        "ask_regularization"
    )
    # short follow-ups and pure information keep their intent
    assert _ranked("how much does it cost?", [("ask_followup", 0.4), ("ask_regularization", 0.3)]) == "ask_followup"
    pure_inform = "I am Honduran and I am in Guatemala"
    assert _ranked(pure_inform, [("inform", 0.7), ("ask_asylum", 0.1)]) == "inform"
    # a far-behind topic does not take over
    assert _ranked(long_question, [("ask_followup", 0.6), ("ask_nearby", 0.2), ("ask_work", 0.1)]) == "ask_followup"


@pytest.mark.parametrize(
    ("text", "pulled_towards"),
    [
        # the classifier put these on a topic because of the place's name (seen in a probe of the running bot)
        ("estoy en republica dominicana", "ask_regularization"),
        ("estoy en santo domingo", "ask_health"),
        ("vivo en santo domingo", "ask_shelter"),
        ("estoy en san pedro sula", "ask_health"),
        ("je suis en republique dominicaine", "ask_regularization"),
        ("je suis haitien et je suis en republique dominicaine", "ask_regularization"),
        ("tô no brasil", "deny"),
        ("m nan sen domeng", "deny"),
        ("mwen santo domingo", "ask_health"),
        ("mwen se ayisyen mwen nan repiblik dominikèn", "ask_regularization"),
        ("I'm Honduran and I'm in Guatemala", "ask_asylum"),
        ("sou venezuelana", "ask_return"),
        # a change of place only: the conversation answers the same topic there
        ("e em manaus?", "nlu_fallback"),
        ("e no rio de janeiro?", "deny"),
        ("what about Panama", "ask_route"),
        ("et à Quito ?", "ask_asylum"),
    ],
)
def test_a_message_that_only_says_where_or_who_the_person_is_is_information(text: str, pulled_towards: str) -> None:
    message = run(text, intent=pulled_towards, confidence=0.3)
    assert message.get("intent")["name"] == "inform"
    assert {"country", "city", "nationality"} & set(entities(message))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("y en peru, cuanto cuesta?", "ask_followup"),
        ("estoy en santo domingo y necesito un hospital", "ask_health"),
        ("I'm in Tapachula, where can I sleep tonight?", "ask_shelter"),
        ("estoy en peligro en mexico", "report_emergency"),
        ("mwen nan Brezil, m vle ale Chili", "ask_route"),
        ("sou venezuelana e preciso de trabalho", "ask_work"),
    ],
)
def test_a_place_with_a_question_or_a_danger_keeps_its_intent(text: str, intent: str) -> None:
    assert run(text, intent=intent, confidence=0.6).get("intent")["name"] == intent


@pytest.mark.parametrize("intent", ["greet", "inform"])
def test_a_greeting_with_a_place_keeps_the_classifiers_greet_or_inform(intent: str) -> None:
    # both answer with the introduction and the place noted (actions greet and inform)
    assert run("hola, estoy en Colombia", intent=intent, confidence=0.4).get("intent")["name"] == intent


def test_im_a_honduran_in_guatemala_city_is_a_nationality_and_a_city() -> None:
    # "a" is an English article here, not the Spanish or French "to": the person was answered for Honduras
    assert entities(run("I'm a Honduran in Guatemala City, where can I stay for free?")) == {
        "nationality": "HN",
        "city": "Ciudad de Guatemala",
    }
    assert entities(run("voy a Honduras")) == {"country": "HN"}


def test_a_venezuelan_family_in_curitiba_is_a_nationality_and_the_city() -> None:
    # a probe: a social worker in Curitiba asking for "a Venezuelan family" was answered for Venezuela
    text = "I'm a social worker in Curitiba. A Venezuelan family of four arrived today, they need shelter"
    assert entities(run(text)) == {"city": "Curitiba", "nationality": "VE"}
    assert entities(run("vou a Venezuela com a família")) == {"country": "VE"}


def test_repiblik_dominiken_is_the_dominican_republic_not_a_nationality() -> None:
    assert entities(run("mwen se ayisyen mwen nan repiblik dominikèn")) == {"nationality": "HT", "country": "DO"}


@pytest.mark.parametrize(
    "text",
    [
        "me robaron el pasaporte en chile",
        "my passport got stolen in chile what do i do",
        "perdi meu passaporte no chile",
        "yo vòlè paspò m nan chili",
    ],
)
def test_a_country_after_in_is_marked_as_a_place_where_something_happened(text: str) -> None:
    (country,) = [e for e in run(text, intent="ask_documents").get("entities") if e["entity"] == "country"]
    # "... m nan Chili" also reads as "I am in Chile": where the person is
    assert country["value"] == "CL" and (country.get("inside") or country.get("here"))


@pytest.mark.parametrize(
    "text",
    [
        "el encargado del albergue me pide favores sexuales para dejarme quedar",
        "mi jefe me pide tener relaciones para pagarme",
        "a man at the shelter is asking me for sex to let me stay",
        "my boss keeps touching me at work",
        "o cara do abrigo quer sexo pra me deixar ficar",
        "le responsable me demande des faveurs sexuelles pour rester",
        "nèg ki la a mande m fè sèks avè l pou m ka rete",
        # a second probe: sex demanded for the rent or a debt, written without the word "sex"
        "el dueño del cuarto quiere que me acueste con el pa pagar el arriendo",
        "un señor me obliga a tener relaciones con el para dejarme vivir en su cuarto",
        "the landlord wants me to sleep with him to pay the rent",
        "to sendo obrigada a fazer programa pra pagar a dívida da viagem",
        "o dono do quarto quer que eu durma com ele pra pagar o aluguel",
        "le propriétaire exige que je couche avec lui pour payer le loyer",
        "mèt kay la vle m dòmi avè l pou m peye lwaye a",
        # a third probe: gang extortion and being followed got vaccine, shelter or work answers
        "Los de la pandilla le dijeron a mi esposo que si no paga la vacuna el viernes nos matan",
        "me cobran vacuna en el negocio y me dijeron que si no pago me matan, estoy en Lima",
        "Gang yo mande m peye yon taks chak semèn oswa y ap boule kay la",
        "A man keeps following me home from work in Bogotá and he knows where I live",
        "um homem está me seguindo desde o ponto de ônibus",
        "un homme me suit depuis la gare",
        # a fourth probe: extortion told as a story, the threat of migration, sexual violence on the route
        "estoy en nuevo laredo y un señor me dijo que si no le pago 500 dolares le hace daño a mi familia",
        "un señor me esta cobrando 300 dolares para no entregarme a migracion, que hago",
        "mon patron dit qu'il va appeler la migration si je pars",
        "he is threatening to report me to immigration if I complain",
        "Je viens de traverser le Darién. Ma fille a été violée pendant le trajet",
        "my sister was raped on the way to the border",
        "minha filha foi estuprada no abrigo",
        # a fifth probe
        "um cara disse que se eu nao pagar 300 reais ate sexta ele vai machucar minha familia",
        "A gang charges me 500 pesos every week for protection and they said they'll hurt my kids if I don't pay",
        "My husband says he will call immigration if I leave him. What do I do?",
        "Mon mari dit qu'il va appeler l'immigration si je le quitte",
        "mi jefe dijo que va a llamar a migracion si me voy",
        "sou wout la yon gwoup gason vyole m nan forè a",
    ],
)
def test_sex_demanded_threats_extortion_and_sexual_violence_told_now_are_harm_now(text: str) -> None:
    message = run(text, intent="ask_shelter", confidence=0.8)
    assert message.as_dict(only_output_properties=True)["harm_now"] is True


@pytest.mark.parametrize(
    "text",
    [
        "quiero tener relaciones laborales formales",
        "how do I report sexual harassment at work?",
        "quiero que mi hijo duerma con su abuela mientras trabajo",
        "nao deixam sair do abrigo depois das 22h?",
        "cuanto cobran por la vacuna de la fiebre amarilla",
        "¿cómo pago la renta del cuarto?",
        "I need to follow up on my asylum case",
        "me sigue doliendo la muela, donde hay un medico?",
        "ele me segue no instagram",
        "me toca ir a migración mañana, qué llevo?",
        "kilè m ap touche m lajan travay la?",
        "me persiguen en nicaragua por politica, puedo ser refugiado aqui?",  # asylum: persecution at home
        "¿cómo me protejo de los extorsionadores en la ruta?",
    ],
)
def test_questions_about_relations_or_harassment_are_not_harm_now(text: str) -> None:
    assert run(text, intent="ask_work", confidence=0.8).get("harm_now") is None


@pytest.mark.parametrize(
    "text",
    [
        "meu marido ta passando muito mal com dor no peito",
        "I'm in Santiago, I'm 7 months pregnant and bleeding a lot",
        "mi bebé está con convulsiones y fiebre",
        "ma femme ne peut plus respirer",
        "pitit mwen an pa ka respire byen",
        "to com sangramento forte to gravida de 5 meses",
        "to com uma dor forte no peito e falta de ar",
        "my friend was stabbed and is bleeding heavily",
    ],
)
def test_a_medical_emergency_told_now_is_flagged_for_urgent_care_and_keeps_its_topic(text: str) -> None:
    message = run(text, intent="ask_health", confidence=0.8)
    assert message.get("intent")["name"] == "ask_health"
    assert message.as_dict(only_output_properties=True)["urgent_care"] is True
    assert message.get("harm_now") is None  # not exploitation: its own first line
    # not placed by the classifier: health care, after the numbers (not the police advice)
    assert run(text, intent="nlu_fallback", confidence=0.3).get("intent")["name"] == "ask_health"


@pytest.mark.parametrize(
    "text",
    [
        "si no pago el arriendo me sacan del cuarto?",
        "can I get a vaccine for free?",
        "donde hay un hospital para mi embarazo?",
        "how do I report a violation of my labour rights?",
        "what is the fee for the visa processing?",
    ],
)
def test_everyday_questions_are_neither_harm_nor_urgent_care(text: str) -> None:
    message = run(text, intent="ask_health", confidence=0.8)
    assert message.get("harm_now") is None and message.get("urgent_care") is None


@pytest.mark.parametrize(
    "text",
    ["quels papiers il faut pour ça ?", "que documentos preciso pra isso?", "what documents do I need for that one?"],
)
def test_a_long_follow_up_that_points_back_stays_a_follow_up(text: str) -> None:
    # the French one was answered with Mexico's regularization after a question about school
    assert _ranked(text, [("ask_followup", 0.48), ("ask_regularization", 0.3), ("ask_documents", 0.07)]) == (
        "ask_followup"
    )


def test_a_topic_question_that_points_back_is_a_follow_up_when_the_classifier_hesitates() -> None:
    # after "meu filho precisa de escola", "documentos" pulled this one to the documents topic
    ranking = [("ask_documents", 0.46), ("ask_followup", 0.38), ("ask_regularization", 0.03)]
    assert _ranked("que documentos preciso pra isso?", ranking) == "ask_followup"
    # no pointing back, or a follow-up far behind: the topic stays
    assert _ranked("que documentos preciso pro CPF?", ranking) == "ask_documents"
    far_behind = [("ask_documents", 0.8), ("ask_followup", 0.1)]
    assert _ranked("que documentos preciso pra isso?", far_behind) == "ask_documents"


def test_a_long_greeting_that_asks_for_something_is_that_topic() -> None:
    text = "Bonjour hola necesito ayuda pour mon fils il est malade en Panama"
    assert _ranked(text, [("greet", 0.4), ("ask_health", 0.3), ("inform", 0.1)]) == "ask_health"
    assert _ranked("hola buenas tardes como estan todos ustedes", [("greet", 0.9), ("ask_health", 0.05)]) == "greet"


@pytest.mark.parametrize("text", ["que hago primero", "y ahora que", "what next"])
def test_erasing_is_never_guessed_from_an_unsure_classification(text: str) -> None:
    assert run(text, intent="delete_my_data", confidence=0.2).get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["borra todo", "delete my data", "efase done m yo", "apague meus dados"])
def test_an_unsure_request_that_says_erase_is_still_erasure(text: str) -> None:
    assert run(text, intent="delete_my_data", confidence=0.3).get("intent")["name"] == "delete_my_data"


@pytest.mark.parametrize("text", ["estoy en reynosa", "mwen nan Reynosa", "we are in Matamoros"])
def test_a_dangerous_city_on_its_own_is_where_the_person_is_not_an_emergency(text: str) -> None:
    assert run(text, intent="report_emergency", confidence=0.74).get("intent")["name"] == "inform"


def test_a_dangerous_city_with_danger_words_stays_an_emergency() -> None:
    message = run("estoy en reynosa y me secuestraron", intent="report_emergency", confidence=0.9)
    assert message.get("intent")["name"] == "report_emergency"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je suis en france", {"country": "FR"}),
        ("sou angolano estou em portugal", {"nationality": "AO", "country": "PT"}),
        ("mwen nan Lafrans", {"country": "FR"}),
        ("soy senegalés", {"nationality": "SN"}),
    ],
)
def test_countries_outside_the_corridor_are_recognised_so_the_bot_can_say_it_does_not_cover_them(
    text: str, expected: dict[str, str]
) -> None:
    assert entities(run(text)) == expected


@pytest.mark.parametrize("text", ["trabajo en la zona franca", "soy de Guinea Ecuatorial", "lingua franca"])
def test_a_country_name_inside_a_phrase_that_means_something_else_is_not_the_country(text: str) -> None:
    assert "country" not in entities(run(text)) and "nationality" not in entities(run(text))


@pytest.mark.parametrize("text", ["on est afghans", "nous sommes cubains"])
def test_stating_ones_nationality_in_french_is_information_not_an_emergency(text: str) -> None:
    assert run(text, intent="report_emergency", confidence=0.44).get("intent")["name"] == "inform"


@pytest.mark.parametrize("text", ["somos 4 con 2 niños", "we are a cuban family with a baby", "ak 2 timoun"])
def test_who_travels_with_the_person_is_not_an_emergency_when_the_classifier_barely_thinks_so(text: str) -> None:
    assert run(text, intent="report_emergency", confidence=0.16).get("intent")["name"] != "report_emergency"


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [("alguien ha visto a mi hijo", "ask_missing_person", 0.46), ("come quick please", "report_emergency", 0.28)],
)
def test_an_unsure_emergency_without_danger_words_is_still_an_emergency(
    text: str, intent: str, confidence: float
) -> None:
    assert run(text, intent=intent, confidence=confidence).get("intent")["name"] == intent
