"""Inputs for ``article-assistant bench``: warm-latency questions, synthetic news corpora, planted facts.

Questions: the dev set's own questions plus a hand-written list about the seed article, each asked in five
surface forms (as written, lower-cased without "?", "Can you tell me ...", "According to the article, ...",
"Quick question: ..."), so no two strings share a query-embedding cache entry.

Corpus: a seeded template grammar writes news-like English sentences (officials, companies, councils,
courts, weather, markets) from lists of invented people, organisations, places, numbers, weekdays and
months. Passages are one to three such sentences. Twenty hand-written, distinctive facts (``PLANTED``)
with a question each are mixed in at seeded random positions; their invented names appear nowhere else.
Nothing here is real news and nothing is downloaded.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

_ON_TOPIC = (
    "Why did Biden let Ukraine use American weapons?",
    "Which city is Ukraine allowed to defend with American weapons?",
    "How many U.S. officials confirmed the decision?",
    "Did the officials give their names?",
    "Why did the officials request anonymity?",
    "Can Ukraine use long-range missiles offensively inside Russia?",
    "What are Ukrainian officials calling for?",
    "Which outlet reported Biden's decision first?",
    "What have a growing number of nations been saying about Ukraine?",
    "What did Putin warn would happen if the West let Ukraine strike Russia?",
    "What kind of consequences did Putin mention?",
    "Which country was Putin visiting?",
    "What did Putin say about small European countries?",
    "What did Putin say about population density in Europe?",
    "What should European countries keep in mind according to Putin?",
    "Who would be responsible for Ukrainian strikes according to Putin?",
    "What did Putin believe about Western military instructors?",
    "What would happen if countries sent instructors officially?",
    "What did Putin say about a global conflict?",
    "Which news agency contributed to the report?",
    "When was the article published?",
    "Is the U.S. policy on long-range missiles unchanged?",
    "Where do the attacks on Kharkiv originate from?",
    "Who sought permission to strike targets in Russia?",
    "What is the limited purpose of the permission?",
    "What did Putin call a serious thing?",
    "What were Western countries warned about?",
    "Who said constant escalation can lead to serious consequences?",
    "What weapons are Ukrainian forces using?",
    "What did Biden give Ukraine the go-ahead for?",
)
# Not in the article: the assistant should refuse these, quickly.
OFF_TOPIC = (
    "What did the German chancellor say about the decision?",
    "How many tanks did Britain send to Ukraine?",
    "What is the population of Tashkent?",
    "Who won the football match last night?",
    "What did NATO's secretary general announce?",
    "How much did the weapons package cost?",
    "What is the weather in Kyiv today?",
    "When will the war end?",
)
ARTICLE_QUESTIONS = _ON_TOPIC + OFF_TOPIC

_FORMS = (
    lambda q: q,
    lambda q: q.rstrip("?").lower(),
    lambda q: "Can you tell me " + q[0].lower() + q[1:],
    lambda q: "According to the article, " + q[0].lower() + q[1:],
    lambda q: "Quick question: " + q,
)


def _standalone(dev_rows: Sequence[dict]) -> list[str]:
    return [r["question"] for r in dev_rows if not r.get("history_questions")]


def latency_questions(dev_rows: Sequence[dict]) -> list[str]:
    """Distinct questions for warm latency: dev set + ``ARTICLE_QUESTIONS``, each in several forms."""
    base = _standalone(dev_rows) + list(ARTICLE_QUESTIONS)
    seen: dict[str, None] = {}
    for form in _FORMS:
        for q in base:
            seen.setdefault(form(q), None)
    return list(seen)


def latency_question_counts(dev_rows: Sequence[dict]) -> dict[str, int]:
    """Where ``latency_questions`` come from, for the report: dev-set and hand-written ones, and the forms."""
    return {
        "dev": len(_standalone(dev_rows)),
        "article": len(ARTICLE_QUESTIONS),
        "off_topic": len(OFF_TOPIC),
        "forms": len(_FORMS),
    }


# (fact sentence, question) pairs planted in every synthetic corpus.
PLANTED = (
    (
        "The Marlowe Basin water authority said it would release 4,300 trout fingerlings into Lake Quenby "
        "to restore stocks depleted by last summer's drought.",
        "How many trout will be released into Lake Quenby?",
    ),
    (
        "Astronomer Tilda Okonkwo-Reyes of the Varnham Observatory named the newly catalogued comet after "
        "her late grandmother, Ebele.",
        "Who did Tilda Okonkwo-Reyes name the comet after?",
    ),
    (
        "The town council of Brisk Harbor voted 7 to 2 to ban leaf blowers on Sundays starting next April.",
        "What did the Brisk Harbor council ban on Sundays?",
    ),
    (
        "A violin made by the luthier Anselm Krauthaupt in 1821 sold at auction in Lucerne for 1.2 million "
        "Swiss francs.",
        "How much did the Anselm Krauthaupt violin sell for?",
    ),
    (
        "Engineers at Dovrefjell Rail said the new tunnel under the Skarvan ridge cut the journey between "
        "Orsund and Tenvik to 41 minutes.",
        "How long is the trip between Orsund and Tenvik through the new tunnel?",
    ),
    (
        "Chef Marisol Echeverri-Banks won the Golden Ladle prize for a soup of roasted chestnuts and "
        "smoked eel.",
        "Which soup won Marisol Echeverri-Banks the Golden Ladle?",
    ),
    (
        "Pellworth Zoo announced the birth of twin red pandas, the first born in captivity in the region "
        "in 30 years.",
        "What animals were born at Pellworth Zoo?",
    ),
    (
        "Customs officers at the port of Carravel seized 2,600 counterfeit watches hidden inside shipments "
        "of garden furniture.",
        "What was found hidden in garden furniture at Carravel?",
    ),
    (
        "The fisheries ministry in Port Aldane raised the minimum legal size for lobsters to 9 centimetres.",
        "What is the new minimum lobster size in Port Aldane?",
    ),
    (
        "Volunteers in Hessingford planted 12,000 oak saplings along the banks of the river Wendle over a "
        "single weekend.",
        "How many oak saplings were planted along the Wendle?",
    ),
    (
        "Gideon Thwaite, a retired postman, finished his 100th marathon in Kestermoor at the age of 81.",
        "How old was Gideon Thwaite at his 100th marathon?",
    ),
    (
        "The startup Lumora Grid said its sodium battery plant in Vellacourt would employ 850 people "
        "by 2027.",
        "How many jobs will the Lumora Grid battery plant create?",
    ),
    (
        "Archaeologists digging near Tarrow Fen uncovered a Bronze Age canoe carved from a single alder "
        "trunk.",
        "What did archaeologists discover near Tarrow Fen?",
    ),
    (
        "Danubia Rail said its Ostrava-Linz night train would resume service in March after a three-year "
        "suspension.",
        "When does the Ostrava-Linz night train come back?",
    ),
    (
        "Mayor Rosalind Achterberg of Quillon pledged free bus travel for all residents under 25.",
        "What did Mayor Rosalind Achterberg promise residents?",
    ),
    (
        "A heatwave in Sorrelbay pushed temperatures to a record 46.3 degrees Celsius on Thursday.",
        "What record temperature did Sorrelbay reach?",
    ),
    (
        "Ilyas Bekmuratov, a 12-year-old chess prodigy, defeated three grandmasters at the Brenmoor Open.",
        "How many grandmasters did Ilyas Bekmuratov beat?",
    ),
    (
        "The Caldera Bay ferry company replaced its diesel fleet with four hydrogen-powered vessels.",
        "What replaced the Caldera Bay ferry company's diesel fleet?",
    ),
    (
        "Beekeepers in the Vannoy Valley said a mite outbreak had killed nearly half of their hives this "
        "spring.",
        "What killed the hives in the Vannoy Valley?",
    ),
    (
        "The Selwick public library received a book that had been overdue for 73 years and waived the "
        "fine of 1,900 pounds.",
        "How long was the book returned to the Selwick library overdue?",
    ),
)

_FIRST = (
    "Amara Daniel Elena Farid Grace Hiro Ines Jonas Kamala "
    "Liam Maria Nikolai Olga Pedro Ravi Sofia Tomas Yara"
).split()
_LAST = (
    "Adeyemi Brandt Castillo Dubois Eriksen Fischer Gallo Haddad Ivanova "
    "Jensen Kowalski Lindqvist Moreau Novak Okafor Petrov Quinn Rossi"
).split()
_PLACES = (
    "Ashford Belmonte Corvin Dunmore Eastfield Farrow Glenholm Harlow Ironbridge "
    "Kelso Linwood Marston Northgate Oakridge Pembury Redcliff Stanmore Westbury"
).split()
_ORG_KIND = "council ministry authority union company bank hospital university court agency".split()
_ORG_TOPIC = "transport health energy housing water finance education trade labour environment".split()
_ROLES = "spokesperson chair director minister chief executive treasurer mayor prosecutor".split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTHS = "January February March April May June July August September October November December".split()
_ACTIONS = (
    "raise fees by {p} percent",
    "cut {n} jobs",
    "open {n} new offices",
    "invest {m} in new equipment",
    "delay the project until {month}",
    "review the contract",
    "hire {n} staff",
    "close {n} branches",
    "increase spending by {m}",
    "expand the programme to {place}",
)
_EVENTS = (
    "a fire at a warehouse",
    "flooding on the main road",
    "a strike by bus drivers",
    "a power cut",
    "a storm that brought down trees",
    "a water main burst",
    "a protest outside the town hall",
)
_TEMPLATES = (
    "{person}, the {role} of the {org}, said on {day} that it would {action}.",
    "The {org} announced plans to {action}, according to a statement released on {day}.",
    "Officials in {place} said {n} people were affected by {event} on {day}.",
    '"We are doing everything we can," {person} told reporters in {place}.',
    "Shares in the {org} fell {p} percent after it reported lower profits for {month}.",
    "The {org} in {place} said it had received {n} complaints since {month}.",
    "{person} was appointed {role} of the {org} in {month}, replacing a predecessor who served {y} years.",
    "Residents of {place} will vote in {month} on whether to {action2}.",
    "A court in {place} fined the {org} {m} for breaching safety rules.",
    "Police in {place} said {n} people were questioned after {event}.",
    "The forecast for {place} calls for {weather} through {day}.",
    "According to figures published on {day}, {n} households in {place} were waiting for repairs.",
    "{person} said the {org} had met {p} percent of its targets for the year.",
    "Talks between the {org} and unions in {place} ended without agreement on {day}.",
)
_ACTIONS2 = ("build a new bridge", "extend library hours", "sell the old hospital site", "raise local taxes")
_WEATHER = ("heavy rain", "strong winds", "clear skies", "light snow", "thunderstorms")
SENTENCES_PER_PASSAGE = (1, 3)
# How the synthetic corpus is made, recorded with each scale result so the report states it from the JSON.
CORPUS_SHAPE = {
    "templates": len(_TEMPLATES),
    "planted_facts": len(PLANTED),
    "sentences_per_passage": list(SENTENCES_PER_PASSAGE),
}


def _sentence(rng: random.Random) -> str:
    def org() -> str:
        return f"{rng.choice(_PLACES)} {rng.choice(_ORG_TOPIC)} {rng.choice(_ORG_KIND)}"

    fields = {
        "place": rng.choice(_PLACES),
        "n": f"{rng.randint(2, 9_000):,}",
        "p": rng.randint(2, 40),
        "m": f"{rng.randint(1, 900)} million {rng.choice(('dollars', 'euros', 'pounds'))}",
        "month": rng.choice(_MONTHS),
    }
    action = rng.choice(_ACTIONS).format(**fields)
    return rng.choice(_TEMPLATES).format(
        person=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        role=rng.choice(_ROLES),
        org=org(),
        day=rng.choice(_DAYS),
        action=action,
        action2=rng.choice(_ACTIONS2),
        event=rng.choice(_EVENTS),
        weather=rng.choice(_WEATHER),
        y=rng.randint(2, 20),
        **fields,
    )


def passage(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*SENTENCES_PER_PASSAGE)))


def corpus(size: int, seed: int = 13) -> tuple[list[str], dict[int, int]]:
    """``size`` passages and ``{planted fact index: passage index}``; the same seed gives the same corpus."""
    rng = random.Random(seed)
    texts = [passage(rng) for _ in range(size)]
    slots = rng.sample(range(size), min(len(PLANTED), size))
    where = {}
    for fact, slot in enumerate(slots):
        texts[slot] = PLANTED[fact][0] + " " + _sentence(rng)
        where[fact] = slot
    return texts, where


def articles(count: int, paragraphs: int = 8, seed: int = 7) -> Iterator[str]:
    """Article files for the ingest benchmark: a date header and ``paragraphs`` passages each."""
    rng = random.Random(seed)
    for _ in range(count):
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        body = "\n\n".join(passage(rng) for _ in range(paragraphs))
        yield f"date {day} {body}\n"
