"""Words that signal danger, in the five languages: a safety net under the statistical classifier.

When the classifier cannot place a message (fallback) but it names kidnapping, trafficking, sexual
violence, threats or forced labour, the bot treats it as an emergency rather than asking to rephrase.
Matching is on accent-free lower-case text; keep entries specific (no single common words).
"""

from __future__ import annotations

import re

from bot.text import fold, words

DANGER_PATTERNS = [
    # es
    r"secuestr",
    r"me (quieren|van a) matar",
    r"me violaron",
    r"violacion",
    r"abuso sexual",
    r"trata de personas",
    r"me obligan a trabajar",
    r"(me|nos) tienen encerrad",
    r"me (estan|vienen) persiguiendo",
    r"amenaza de muerte",
    r"me estan amenazando",
    r"auxilio",
    r"socorro",
    r"estoy en peligro",
    r"me pegan",
    r"me golpe",
    # en
    r"kidnap",
    r"traffick",
    r"\braped?\b",
    r"forced? (me )?to work",
    r"took my passport",
    r"threaten",
    r"held captive",
    r"in danger",
    r"beating me",
    r"want to kill me",
    r"\bsos\b",
    # pt
    r"sequestr",
    r"estupr",
    r"trafico de pessoas",
    r"me ameac",
    r"corro perigo",
    r"estou em perigo",
    r"me obrigam",
    r"querem me matar",
    r"me bateu",
    r"me batendo",
    # fr
    r"enlev[ea]",
    r"kidnapp",
    r"\bviol(e|ee|ees)?\b",
    r"traite (des|de) (personnes|etres)",
    r"on me menace",
    r"au secours",
    r"je suis en danger",
    r"on me force",
    r"veulent me tuer",
    # ht
    r"kidnape",
    r"sekestre",
    r"vyole",
    r"menase",
    r"an danje",
    r"anmwe",
    r"fose m travay",
    r"trafik moun",
    r"vle touye m",
    r"bat mwen",
]
_DANGER = re.compile("|".join(DANGER_PATTERNS))

# Someone describing harm being done to them now: held, forced to work, their papers kept, kidnapped
# for ransom, threatened with death. These are the ILO's indicators of trafficking and forced labour,
# written in the first person, so they make the message an emergency whatever topic its other words
# name ("he keeps our papers and makes us work without pay" is not a question about wages).
HARM_NOW_PATTERNS = [
    # es
    r"\b(me|nos|te) (obliga|obligan|obligaron|obligo|fuerza|fuerzan|forzaron|forzo) a (trabajar|prostitu|vender)",
    r"\bobligad[oa]s? a (trabajar|prostitu)",
    r"\b(me|nos) (quitaron|quito|quitan|retienen|retiene|retuvieron|retuvo|guardan|guardaron|guardo)"
    r" (los|mis|nuestros|el|mi|nuestro) (papeles|documentos|pasaportes?|cedulas?|dni)",
    r"\bse (quedo|quedaron|queda|quedan) con (mis|nuestros|el|mi|los) (papeles|documentos|pasaportes?)",
    # a threat to take the papers is already the warning sign of trafficking and forced work
    r"\b(me|nos) (quiere|quieren|quiso|quisieron|va a|van a|intenta|intentan) (quitar|retener|guardar|agarrar)"
    r" (los|mis|nuestros|el|mi|nuestro) (papeles|documentos|pasaportes?|cedulas?|dni)",
    r"\b(quiere|quieren|va a|van a) (quitar|retener|guardar)(me|nos) (los|el|mis|mi|nuestros) (papeles|documentos"
    r"|pasaportes?|cedulas?|dni)",
    r"\bno (me|nos) (deja|dejan|dejaron|quiere[n]? dejar) (salir|ir|irme|irnos)\b",
    r"\b(me|nos) tiene[n]? (encerrad|secuestrad|amenazad)",
    r"\bpid\w* (un )?rescate",
    r"\bpiden dinero a (mi|nuestra) familia",
    r"\b(me|nos) (quiere[n]?|van a|va a) (matar|vender)",
    # sex demanded in exchange for a bed, passage, papers or work (sexual exploitation), or sexual harassment
    r"\bfavores sexuales",
    r"\b(me|nos) (pide|piden|pidio|pidieron|exige|exigen|quiere|quieren|obliga|obligan) (tener )?(sexo|relaciones)",
    r"\bacoso sexual",
    r"\b(me|nos) (acosa|acosan|acoso|manosea|manosean|manoseo)\b",
    r"\babus\w* (sexualmente )?de (mi|nosotras|nosotros)\b",
    r"\b(quiere|quieren|exige|exigen|obliga|obligan|pide|piden) que (me acueste|tenga relaciones|tenga sexo|duerma)"
    r" con",
    r"\b(me|nos) (obliga|obligan|obligo|obligaron|fuerza|fuerzan) a (tener relaciones|tener sexo|acostarme|dormir con)",
    # extortion by gangs ("la vacuna", "el cobro de piso") and death threats, being followed
    r"\b(nos|me|te|lo|la|los) (matan|mataran|van a matar)\b",
    r"\bsi no (pag\w*|damos|doy|da)\b.{0,60}\b(mat\w*|queman|quemar|desaparec\w*)",
    r"\b(cobran|cobra|cobraron|piden|pide|exigen|exige) (la )?vacuna\b",
    r"\b(pandilla|mara|mareros|marero|banda)\b.{0,60}\b(vacuna|renta|cuota|cobr\w*|matan|matar)\b",
    r"\b(cobro|derecho) de piso\b",
    r"\b(me|nos|lo|la) (esta |estan )?extorsion(a|an|aron|o|ando)\b",
    r"\b(me|nos) (esta|estan) (siguiendo|persiguiendo)\b",
    r"\b(alguien|un hombre|un senor|un tipo|unos hombres|unos tipos|un carro|una moto) (me|nos) (sigue|siguen)\b",
    r"\b(alguien|un hombre|un tipo|unos hombres|hombres armados) (me|nos) (persigue|persiguen)\b",
    # en
    r"\bforc\w* (me|us)\b",
    r"\b(keeps|kept|took|takes|taken|holds|holding|confiscated|stole|keeping|withholding|withheld) (my|our)"
    r" (passports?|papers|documents|id)\b",
    r"\b(won'?t|will not|doesn'?t|does not|don'?t|do not) let (me|us) (leave|go)\b",
    r"\b(he|she|they|boss|employer|lady|man|woman|owner|someone|somebody|smuggler|coyote|guy)"
    r" (\w+ )?(wants?|wanted|tries|tried|trying|going|gonna) (to )?(take|keep|hold|confiscate) (my|our)"
    r" (passports?|papers|documents|id)\b",
    r"\b(says?|said|tells?|told) (me |us )?(that )?(i|we) (can'?t|cannot|can not) (leave|go)\b",
    r"\b(can'?t|cannot|can not) leave until",
    r"\bransom\b",
    r"\b(asking|asked|demanding|demand|want) (my|our) family (for )?money",
    r"\blocked (me|us) (up|in)\b",
    r"\b(want|wants|going|gonna) to kill (me|us)\b",
    r"\b(asking|asked|asks|ask|wants|want|wanted|demanding|demands|demanded|pressuring|pressures) (me |us )?(for )?"
    r"(sex|sexual favou?rs)\b",
    r"\bsexual favou?rs\b",
    r"\bsexually (harass|abus|assault)\w*",
    r"\b(touching|touched|groping|groped|harassing|abusing|abused) (me|us)\b",
    r"\b(wants|want|expects|forcing|forces|forced|makes|made|pressuring) me (to )?(sleep|have sex) with\b",
    r"\b(following|followed|follows|stalking|stalked|stalks) me\b",
    r"\b(extort\w* (me|us)|extorting|protection money)\b",
    r"\bif (we|i) (don'?t|do not) pay\b.{0,60}\b(kill|burn|hurt)",
    # pt
    r"\b(me|nos) (obriga|obrigam|obrigaram|obrigou|forca|forcam|forcaram) a (trabalhar|prostitu|vender)",
    r"\bobrigad[oa]s? a (trabalhar|prostitu)",
    r"\b(pegaram|tomaram|tomou|pegou|retem|retiveram|reteve|confiscaram|confiscou|guardou|guardaram)"
    r" (o meu|meu|os meus|meus|o nosso|nosso|os nossos|nossos|a minha|minha) (passaporte|documento|pape)",
    r"\b(fica|ficou|ficaram) com (o meu|meu|os meus|meus|o nosso|nosso|os nossos|nossos|a minha|minha|nossa)"
    r" (passaporte|documento|pape|carteira)",
    r"\bnao (me|nos) deix\w* (sair|ir embora)",
    r"\b(quer|querem|queria|queriam|vai|vao|tentou|tentaram) (pegar|tirar|ficar com|reter|guardar|tomar)"
    r" (o |os )?(meu|meus|nosso|nossos) (passaportes?|documentos)",
    r"\bped\w* (um )?resgate",
    r"\bpedem dinheiro (a|para) (minha|nossa) familia",
    r"\b(quer|querem|queria|pede|pedem|pediu|pediram|exige|exigem) (fazer )?(sexo|favores sexuais|transar)",
    r"\bfavores sexuais",
    r"\bassedio sexual",
    r"\b(me|nos) (assedia|assediam|assediou|apalpa|apalpou|apalpam)\b",  # not "toca": "me toca" is "my turn" in es
    r"\babus\w* (sexualmente )?de (mim|nos)\b",
    r"\bobrigad[oa]s? a (fazer programa|transar|ter relacoes|dormir com)",
    r"\b(quer|querem|exige|exigem|obriga|obrigam) que eu (durma|transe|faca sexo|faca programa|fique) com",
    r"\bnao deix\w* a gente (sair|ir embora)",
    r"\b(esta|estao|ta|tao) (me|nos) (seguindo|perseguindo)\b",
    r"\b(alguem|um homem|um cara|uns homens|um carro|uma moto) (me|nos) (segue|seguem|seguiu)\b",
    r"\b(me|nos) (estao |esta )?extorqu\w*",
    r"\bse (nao|a gente nao) pag\w*\b.{0,60}\b(mat\w*|queim\w*)",
    # fr
    r"\b(m'|nous |me )(a |ont )?(oblig|forc)\w* a (travailler|me prostituer|nous prostituer|vendre)",
    r"\b(patron|employeur|passeur|il|elle|ils|elles|on) (a |ont )?(pris|garde|gardent|confisque|confisquent)"
    r" (mon|mes|nos|notre) (passeports?|papiers|documents)",
    r"\bne (me|nous) laiss\w* pas (partir|sortir)",
    r"\b(veut|veulent|va|vont|voulait|voulaient) (prendre|garder|confisquer) (mon|mes|nos|notre)"
    r" (passeports?|papiers|documents)",
    r"\brancon\b",
    r"\bdemand\w* de l'argent a (ma|notre) famille",
    r"\b(veut|veulent|va|vont) (me|nous) tuer",
    r"\bfaveurs sexuelles",
    r"\b(me |nous )?(demande|demandent|exige|exigent|veut|veulent) (du sexe|des relations|de coucher|coucher)",
    r"\bharcelement sexuel",
    r"\b(me|nous) (harcele|harcelent|touche|touchent|tripote|tripotent)\b",
    r"\babus\w* de (moi|nous)\b",
    r"\b(veut|veulent|exige|exigent|oblige|obligent) que je (couche|dorme) avec",
    r"\boblig\w* a coucher avec",
    r"\b(un homme|quelqu.un|des hommes|un type|une voiture) (me|nous) (suit|suivent)\b",
    r"\b(me|nous) (poursuit|poursuivent)\b",
    r"\b(me|nous) (rackette\w*|extorque\w*)",
    r"\bsi (on|je|nous) ne pa(ie|ye|yons)\w* pas\b.{0,60}\b(tue\w*|bruler|brule\w*)",
    # ht
    r"\b(kenbe|konfiske|sere) (dokiman|papye|paspo|kat) (m|mwen|nou)\b",
    r"\b(li|yo|patwon an) pran (dokiman|papye|paspo) (m|mwen|nou)\b",
    r"\b(li|yo|patwon an|patwon|met la|madanm nan|nonm nan) (vle|pral|ap) (pran|kenbe|konfiske) (dokiman|papye|paspo"
    r"|kat) (m|mwen|nou)\b",
    r"\bpa (vle )?kite (m|mwen|nou) (ale|soti|pati)\b",
    r"\b(fose|oblije) (m|mwen|nou) (travay|fe travay)\b",
    r"\branson\b",
    r"\bmande fanmi (m|mwen|nou) lajan",
    r"\b(ap|pral|va|vle) touye (m|mwen|nou)\b",
    r"\b(mande|vle|fose|oblije) (m|mwen|nou) (pou (m|mwen|nou) )?(fe|kouche) (seks|avel|ave l)",
    r"\bfe seks\b",
    r"\b(vle|fose|oblije) (m|mwen) (domi|kouche) ave",
    r"\b(abize|manyen) (m|mwen|nou)\b",  # not "touche": it is also "to be paid" in Kreyòl
    r"\b(ap|pral|va) boule kay\b",
    r"\b(gang|gang yo|bandi|bandi yo)\b.{0,40}\b(mande|egzije)\b.{0,40}\b(lajan|taks|kob)",
    r"\bap swiv (m|mwen|nou)\b",
    # extortion told as a story ("si no le pago 500 dólares le hace daño a mi familia") and the threat of being
    # handed to migration or the police (an ILO indicator: "he'll call migration if I leave")
    r"\bsi no (le |les |te )?(pag\w*|doy|damos|da|das)\b.{0,80}\b(dan\w*|lastim\w*|secuestr\w*|hacer algo)",
    r"\bpara no (entregar|denunciar|reportar|deportar)(me|nos)\b",
    r"\b(me|nos) (va|van|quiere|quieren) (a )?(entregar|denunciar|reportar) (a|con)"
    r" (migracion|la migra|inm|la policia)",
    r"\b(threaten\w*|going|gonna|will) to (report|turn) (me|us) (in )?to (immigration|ice|migration|the police)",
    r"\bif (we|i) (don'?t|do not) pay\b.{0,60}\b(hurt|harm|report)",
    r"\b(hurt|harm|kill|burn)\w* (me|my|us|our)\b.{0,60}\bif (i|we) (don'?t|do not) pay",
    r"\b(charges?|charging|makes? (me|us) pay)\b.{0,40}\bfor .?protection",
    r"\b(call|report\w*|tell) (immigration|ice|migration)\b.{0,20}\bif (i|we) (leave|quit|go|complain|report)",
    r"\bif (i|we) (leave|quit|go|complain)\b.{0,30}\b(call|report)\w* (me |us )?(to )?(immigration|ice|migration)",
    r"\bamenaz\w* con (hacer\w* dano|danar|matar|lastimar|quemar|secuestrar)",
    r"\b(llamar|avisar|denunciar\w*) a (migracion|la migra|inm|la policia)\b.{0,30}"
    r"\bsi (me voy|lo dejo|la dejo|renuncio|me salgo)",
    r"\bse (eu |a gente )?(nao|nao) pag\w*\b.{0,60}\b(machuc\w*|fazer mal|mat\w*)",
    r"\bameac\w* (de )?(machucar|matar|fazer mal)",
    r"\b(chamar|denunciar\w*|avisar) (a )?(imigracao|migracao|policia federal|pf|policia)\b.{0,30}"
    r"\bse (eu|a gente) (sair|for embora|largar)",
    r"\bmenac\w* de (faire du mal|tuer|bruler|frapper)",
    r"\b(vai|vao|ameac\w*) (me |nos )?(entregar|denunciar) (a gente |nos |me )?(para|pra|a|na) (policia|pf|migracao)",
    r"\b(appeler|prevenir|denoncer) (la migration|l.?immigration|la police)\b.{0,30}"
    r"\bsi (je|on|nous) (le |la |les )?(pars|part|partons|quitte)",
    r"\b(va|vont) (me|nous) denoncer",
    r"\b(rele|denonse) (imigrasyon|migrasyon|lapolis)\b.{0,30}\bsi (m|mwen|nou)\b",
    # sexual violence told as something that happened (care and evidence are urgent)
    r"\b(me|la|lo|nos|las|los) violaron\b",
    r"\bfue violad[ao]",
    r"\b(was|were|got|been|has been|have been) (raped|sexually assaulted)",
    r"\braped (me|her|him|us|my)\b",
    r"\bfoi estuprad[ao]|\b(me|a|nos) estupr\w*",
    r"\b(a|ont|avons) ete violee?s?\b|\bm'a violee?\b|\b(l'|les )ont violee?s?\b",
    r"\b(yo|li|nonm nan) (te )?vyole (m|mwen|li|pitit)",
    r"\bvyole (m|mwen)\b",
]
_HARM_NOW = re.compile("|".join(HARM_NOW_PATTERNS))

# A medical emergency told now (chest pain, heavy bleeding, a seizure, not breathing, thoughts of suicide): the
# emergency and ambulance numbers come before the health answer.
URGENT_CARE_PATTERNS = [
    # es
    r"\bdolor (fuerte )?(en el|de|del) pecho|\bfalta de aire\b",
    r"\b(hemorragia|sangrado (fuerte|abundante))",
    r"\b(apunalad\w*|acuchillad\w*|baleado|(me|le|nos) dispararon)",
    r"\b(no|casi no) (puede |puedo |podia )?respira",
    r"\bsangr\w* (mucho|bastante|sin parar)",
    r"\bconvulsi\w*",
    r"\b(se desmayo|me desmaye|esta inconsciente|no reacciona|no despierta)\b",
    r"\bembarazada\b.{0,60}\b(sangr\w*|dolor fuerte|contracciones)",
    r"\b(se le )?rompio (la )?fuente",
    r"\b(me quiero|me voy a|quiero) (matar|suicidar)(me)?\b|\bsuicid\w*",
    # pt
    r"\bdor (forte |muito forte )?no peito|\bfalta de ar\b",
    r"\bsangramento (forte|intenso|muito)|\bhemorragia",
    r"\b(esfaquead\w*|baleado|levou (um )?tiro)",
    r"\bnao (consegue|consigo) respirar",
    r"\bsangr\w* muito",
    r"\bconvuls\w*",
    r"\b(desmaiou|desmaiei|esta desmaiad[ao]|inconsciente)\b",
    r"\b(passando|passou|passa) muito mal",
    r"\bgravida\b.{0,60}\b(sangr\w*|dor forte|contracoes)",
    r"\bbolsa (estourou|rompeu)",
    r"\b(quero|vou) me matar",
    # en
    r"\bchest pains?\b|\bshort(ness)? of breath",
    r"\b(stabbed|(was|been|got) shot|gunshot)",
    r"\b(can'?t|cannot|not|isn'?t|is not|struggling to) breath",
    r"\b(bleeding (a lot|heavily|badly|so much)|heavy bleeding)",
    r"\b(seizures?|convulsing)\b",
    r"\b(fainted|passed out|unconscious|won'?t wake up)\b",
    r"\bwater (broke|has broken)",
    r"\b(kill myself|end my life|suicidal)\b",
    # fr
    r"\bdouleur (a la |dans la )?poitrine|\bdouleur thoracique|\bessouffle",
    r"\b(poignarde\w*|blesse\w* par balle|hemorragie)",
    r"\b(n'arrive pas a|ne peut pas|ne peux pas|ne peut plus|du mal a) respirer",
    r"\bsaign\w* (beaucoup|abondamment|fort|sans arret)",
    r"\b(s'est evanoui\w*|inconscient\w*|ne respire plus)\b",
    r"\bperdu les eaux",
    r"\b(me suicider|me tuer moi)\b",
    # ht
    r"\bdoule nan pwatrin",
    r"\b(kout kouto|kout bal)\b",
    r"\bpa (ka|kapab) respire",
    r"\b(ap senyen|senyen) (anpil|twop)",
    r"\bkonvilsyon",
    r"\b(pedi konesans|endispoze)\b",
    r"\btouye tet (m|mwen)\b",
]
_URGENT_CARE = re.compile("|".join(URGENT_CARE_PATTERNS))
# The parse-result key the NLU sets on such a message; the actions read it (bot.conversation.safety.harm_first
# gives the emergency numbers and a person before the answer).
# "with my 2 children", "tenho 3 filhos", "ak 2 timoun": who is with the person (folded words)
FAMILY_WORDS = frozenset(
    {
        "hijos",
        "hijo",
        "hija",
        "hijas",
        "ninos",
        "nino",
        "nina",
        "ninas",
        "bebe",
        "bebes",
        "familia",
        "esposa",
        "esposo",
        "embarazada",
        "filhos",
        "filho",
        "filha",
        "filhas",
        "criancas",
        "crianca",
        "gravida",
        "children",
        "child",
        "kids",
        "kid",
        "baby",
        "family",
        "wife",
        "husband",
        "pregnant",
        "enfants",
        "enfant",
        "famille",
        "femme",
        "mari",
        "enceinte",
        "timoun",
        "pitit",
        "fanmi",
        "madanm",
        "ansent",
    }
)  # not a danger by themselves


HARM_NOW_KEY = "harm_now"
URGENT_CARE_KEY = "urgent_care"


def mentions_family(text: str) -> bool:
    """True when ``text`` names who travels with the person (children, family, a pregnancy)."""
    return bool(FAMILY_WORDS & set(words(text)))


def looks_like_emergency(text: str) -> bool:
    """True when ``text`` names a danger from :data:`DANGER_PATTERNS` (harm now: :func:`describes_harm_now`)."""
    return bool(_DANGER.search(fold(text)))


def describes_harm_now(text: str) -> bool:
    """True when ``text`` tells of harm being done to the writer now (:data:`HARM_NOW_PATTERNS`)."""
    return bool(_HARM_NOW.search(fold(text)))


def describes_urgent_care(text: str) -> bool:
    """True when ``text`` tells of a medical emergency now (:data:`URGENT_CARE_PATTERNS`)."""
    return bool(_URGENT_CARE.search(fold(text)))
