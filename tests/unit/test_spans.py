"""Short-answer spans from stored entities: hand-written sentences and entity JSON, no spaCy, no model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.answering.spans import _side, answer_type, number_attached, short_answer, stored_spans
from assistant.answertype import asks_for_several, expected, wh_noun
from assistant.retrieval import Hit

PREFIX = "Headline line\n\nSome text before. "  # the sentences sit at an offset, as in a real file


def make_hit(sentence: str, marks: list[tuple[str, str]], title: str = "", occurrence: int = 0) -> Hit:
    """A hit for ``sentence`` placed after PREFIX, its entities given as (text, label): each text's first
    occurrence in the sentence (offsets into the whole "file", PREFIX + sentence)."""
    start = len(PREFIX)
    spans = []
    for text, label in marks:
        at = sentence.index(text)
        spans.append([start + at, start + at + len(text), label])
    return Hit(
        id="s:x",
        text=sentence,
        source="seeds/x.txt",
        start=start,
        end=start + len(sentence),
        paragraph=1,
        title=title,
        date="",
        passage_id="p:x",
        entities=json.dumps(spans),
    )


def picked(question: str, hit: Hit, quote: tuple[int, int] | None = None) -> str | None:
    start, end = quote or (hit.start, hit.end)
    found = short_answer(question, hit, start, end)
    if found is None:
        return None
    s, e, _ = found
    assert start <= s < e <= end
    return (PREFIX + hit.text)[s:e]


KHARKIV = make_hit(
    "Biden has given Ukraine the go-ahead to strike inside Russia for the limited purpose of defending "
    "Kharkiv, according to two U.S. officials.",
    [
        ("Biden", "PERSON"),
        ("Ukraine", "GPE"),
        ("Russia", "GPE"),
        ("Kharkiv", "ORG"),  # as the small model labels it in this sentence
        ("two", "CARDINAL"),
        ("U.S.", "GPE"),
    ],
)
POLITICO = make_hit(
    "Biden's decision was first reported by Politico.",
    [("Biden", "ORG"), ("first", "ORDINAL"), ("Politico", "ORG"), ("Biden's decision", "NP")],
)
UZBEKISTAN = make_hit(
    '"This constant escalation can lead to serious consequences," Putin said during a visit to Uzbekistan.',
    [("This constant escalation", "NP"), ("Putin", "PERSON"), ("Uzbekistan", "GPE"), ("a visit", "NP")],
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who first reported Biden's decision?", "person"),
        ("By whom was it reported?", "person"),
        ("Which newspaper reported it?", "org"),
        ("What agency contributed to the report?", "org"),
        ("Where was Putin?", "place"),
        ("What city can Ukraine defend?", "place"),
        ("In which country did Putin speak?", "place"),
        ("When did Putin warn?", "time"),
        ("What year was the bridge built?", "time"),
        ("How long ago did it happen?", "time"),
        ("How many officials spoke?", "number"),
        ("How long is the Vell?", "number"),
        ("What percentage of the flow is that?", "number"),
        ("What did Putin warn about?", None),
        ("What did the council decide?", None),  # an act or a statement
        ("What does the ferry line run parallel to?", "thing"),  # a preposition's object
        ("What does the Vell change its name to?", "thing"),
        ("What does Obervell mean?", "thing"),
        ("Which way does the Vell flow?", "direction"),
        ("After the weir, what direction does it run?", "direction"),
        ("Why did Biden decide?", None),
        ("How did the officials react?", None),
        ("Is Ukraine allowed to strike Russia?", None),
        ("Tell me about the article", None),
    ],
)
def test_answer_type_reads_the_question_words(question, kind):
    assert answer_type(question) == kind


def test_expected_keeps_its_four_kinds():
    assert expected("Which outlet reported it?") == "person"
    assert expected("What did Putin warn about?") is None
    assert expected("How many missiles were fired?") == "number"


def test_the_wh_noun_skips_vague_words():
    assert wh_noun("What is the name of the oldest ferry on the lake?") == "ferry"
    assert wh_noun("What is the narrow valley that the Vell runs down?") == "valley"
    assert wh_noun("Why did it happen?") == ""
    assert wh_noun("Which town must be defended?") == "town"  # a modal ends the noun, as a stop word does


def test_a_place_question_skips_the_place_it_names():
    # Ukraine is a GPE nearer the start, but the question already says it; Kharkiv follows "defending".
    assert picked("What city can Ukraine defend?", KHARKIV) == "Kharkiv"


def test_who_reported_gives_the_outlet_not_the_name_in_the_question():
    assert picked("Who first reported Biden's decision?", POLITICO) == "Politico"


def test_where_gives_the_place():
    assert picked("Where was Putin when he warned of escalation?", UZBEKISTAN) == "Uzbekistan"


def test_how_many_gives_the_count():
    assert picked("How many officials spoke?", KHARKIV) == "two"


def test_questions_without_a_short_answer_get_none():
    assert picked("Why did Biden give Ukraine the go-ahead?", KHARKIV) is None
    assert picked("How did the officials react?", KHARKIV) is None


def test_none_when_no_span_of_the_type_is_inside_the_quote():
    # The quote stops before "Kharkiv" and every place left is one the question names or is outside it.
    quote = (KHARKIV.start, KHARKIV.start + KHARKIV.text.index("inside"))
    assert picked("What city can Ukraine defend?", KHARKIV, quote) is None
    assert picked("When did Biden decide?", KHARKIV) is None  # no DATE at all


def test_a_question_naming_the_kind_of_place_takes_no_nationality():
    hit = make_hit(
        "Ukraine must be able to defend itself by attacking targets in Russian territory.",
        [("Ukraine", "GPE"), ("Russian", "NORP")],
    )
    assert picked("What city can Ukraine defend?", hit) is None  # "Russian" is no city


def test_a_city_question_takes_the_city_before_a_country():
    # "Russia" (GPE) lies nearer "defend" than "Kharkiv" does; the city span the index stores beside
    # spaCy's ORG label is what "what city" asks for.
    marks = [("Ukraine", "GPE"), ("Russia", "GPE"), ("Kharkiv", "ORG"), ("Kharkiv", "CITY")]
    hit = make_hit("Ukraine may defend Kharkiv from Russia, officials said.", marks)
    assert picked("What city can Ukraine defend?", hit) == "Kharkiv"
    assert picked("Which country does Ukraine face?", hit) == "Russia"  # and a country no city


def test_a_sentence_without_stored_spans_gives_none():
    bare = make_hit("Politico reported it first.", [])
    bare.entities = ""
    assert stored_spans(bare) == []
    assert picked("Who reported it first?", bare) is None


def test_a_number_is_widened_to_its_unit_and_trimmed_of_about():
    hit = make_hit(
        "The Tarn brings the flow up to about 240 m3/s below the weir.",
        [("The Tarn", "NP"), ("about 240", "CARDINAL"), ("the weir", "NP")],
    )
    assert picked("How much water does the Tarn bring?", hit) == "240 m3/s"


def test_a_date_keeps_its_number_and_era():
    era = make_hit(
        "Traders first wrote the town's name down (2nd century BC) as Vellum.",
        [("2nd century", "DATE"), ("the town's name", "NP")],
    )
    assert picked("What century was the name written down?", era) == "2nd century BC"
    ago = make_hit(
        "When the ice retreated (~9,500 years ago), the Vell cut its gorge.",
        [("the ice", "NP"), ("years ago", "DATE"), ("its gorge", "NP")],
    )
    assert picked("When did the ice retreat?", ago) == "9,500 years ago"  # "~" trimmed like "about"


@pytest.mark.parametrize(
    ("question", "side"),
    [
        ("What connects the lake to the sea?", -1),
        ("Which stream feeds the Vell?", -1),
        ("What city can Ukraine defend?", 1),
        ("What did the mill do to the Vell?", 1),
        ("What is the largest city?", 0),
        ("Who reported it?", 0),
    ],
)
def test_the_side_of_the_answer_follows_the_question_form(question, side):
    assert _side(question) == side


def test_an_object_question_prefers_the_span_after_its_verb():
    hit = make_hit("Ukraine may strike Russia to defend Kharkiv.", [("Russia", "GPE"), ("Kharkiv", "GPE")])
    # Both one word from "defend"; "can ... defend" asks for the object, so not Russia, the first.
    assert picked("What city can Ukraine defend?", hit) == "Kharkiv"


def test_the_title_words_locate_nothing():
    sentence = "Ostby on the Vell ships grain to Karrow, which has the busiest river quay."
    marks = [("Ostby", "GPE"), ("Karrow", "GPE")]
    question = "What town on the Vell has the busiest river quay?"
    assert picked(question, make_hit(sentence, marks, title="Vell")) == "Karrow"
    assert picked(question, make_hit(sentence, marks, title="Quays")) == "Ostby"  # next to "Vell"


def test_a_name_may_share_a_word_with_the_question_but_never_be_what_it_says():
    hit = make_hit(
        "It runs down a narrow wooded valley called the Vell Dale.",
        [("a narrow wooded valley", "NP"), ("the Vell Dale", "NP")],
        title="Vell",
    )
    assert picked("What is the narrow valley that the Vell runs down?", hit) == "the Vell Dale"


def test_edge_punctuation_is_trimmed():
    hit = make_hit(
        'Since 1952 the river is marked in "Vell-miles" from its source.',
        [("1952", "DATE"), ('"Vell-miles', "NP")],
    )
    assert picked("What unit is the river marked in?", hit) == "Vell-miles"


SENTENCE = "Alpha Corp hired Bea Lund in Oslo on 3 May 2024 for 1,200 euros, said the 12 staff of the agency."
LABELS = ["PERSON", "ORG", "GPE", "LOC", "DATE", "CARDINAL", "MONEY", "QUANTITY", "NP", "NORP"]
QUESTIONS = [
    "Who hired Bea Lund?",
    "Where did Alpha Corp hire her?",
    "When was she hired?",
    "How much was she paid?",
    "What did the staff say?",
    "Which agency said it?",
    "What city was it?",
]


@st.composite
def hits_and_quotes(draw):
    n = len(SENTENCE)
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        s = draw(st.integers(0, n - 1))
        e = draw(st.integers(s + 1, min(n, s + 25)))
        spans.append([len(PREFIX) + s, len(PREFIX) + e, draw(st.sampled_from(LABELS))])
    hit = make_hit(SENTENCE, [])
    hit.entities = json.dumps(spans)
    a = draw(st.integers(0, n - 1))
    b = draw(st.integers(a + 1, n))
    return hit, (len(PREFIX) + a, len(PREFIX) + b), draw(st.sampled_from(QUESTIONS))


@given(hits_and_quotes())
def test_every_span_lies_inside_the_quote_and_is_source_text(case):
    hit, (start, end), question = case
    source = PREFIX + hit.text
    found = short_answer(question, hit, start, end)
    if found is not None:
        s, e, label = found
        assert start <= s < e <= end
        text = source[s:e]
        assert text == text.strip() and text == hit.text[s - hit.start : e - hit.start]
        assert label in LABELS


FLEET = (
    "Six new Harlow catamarans, built at the Brennock yard over two long winters and painted in the "
    "company's colours, have arrived; sailings to Tarn resume next spring."
)


def test_a_count_of_something_else_is_not_the_count_asked_for():
    hit = make_hit(FLEET, [("Six", "CARDINAL"), ("next spring", "DATE")])
    assert number_attached("How many catamarans has the company bought?", hit) is True
    # the sentence's only count is of catamarans, more than eight content words from "sailings" and "tarn"
    assert number_attached("How many sailings to Tarn are there each week?", hit) is False


def test_a_sum_of_money_is_wanted_when_the_question_asks_what_something_cost():
    text = "The repair of the harbour wall cost £4.2m, and 300 workers were hired for it."
    hit = make_hit(text, [("£4.2m", "MONEY"), ("300", "CARDINAL")])
    assert number_attached("How much did the harbour wall cost?", hit) is True
    only_count = make_hit(text, [("300", "CARDINAL")])
    assert number_attached("How much did the harbour wall cost?", only_count) is False  # 300 is no sum
    assert number_attached("How many workers were hired?", only_count) is True


def test_a_number_the_question_already_says_answers_nothing():
    text = "Of the 300 workers hired in May, the council said, most came from Tarn."
    hit = make_hit(text, [("300", "CARDINAL"), ("May", "DATE")])
    assert number_attached("Where did the 300 workers come from?", hit) is None  # asks for no number
    assert number_attached("How many of the 300 workers came from Tarn?", hit) is False


def test_only_questions_that_ask_for_a_number_are_judged():
    hit = make_hit(FLEET, [("Six", "CARDINAL")])
    assert number_attached("Who runs the ferry company?", hit) is None
    assert number_attached("Why are sailings rising?", hit) is None


def test_an_age_is_a_measure_even_when_tagged_as_a_date():
    hit = make_hit("The 73-year-old former chairman sealed the deal on Friday.", [("73-year-old", "DATE")])
    assert number_attached("How old is the former chairman?", hit) is True
    assert number_attached("How many chairmen sealed the deal?", hit) is False  # a count, not an age


@pytest.mark.parametrize(
    "question",
    [
        "break down the costs by region",
        "who else was hurt in the crash?",
        "who's on the new committee",
        "which towns lost power?",
        "which two ministers resigned?",
        "what awards has the film won?",
        "what are the three reasons she gives",
        "what did the economists say about the deal",
        "what are people saying about the merger?",
        "list the ferry routes that closed",
    ],
)
def test_a_question_asking_for_several_things_is_a_list(question):
    assert asks_for_several(question)


@pytest.mark.parametrize(
    "question",
    [
        "What flows between the two lakes?",  # a verb in -s, not a plural
        "What forms the border?",
        "who is the harbour master?",
        "which town lost power?",
        "what did the mayor say about the bridge",
        "is the ferry on the list of closed routes?",  # "list" inside, not asked for
        "what's the business about?",
        "how many routes closed?",
    ],
)
def test_a_question_about_one_thing_is_not_a_list(question):
    assert not asks_for_several(question)


def test_a_direction_question_gives_the_compass_point_not_a_name_that_starts_with_one():
    hit = make_hit("Past the weir the Vell turns westward and runs to the North Sea.", [("North Sea", "LOC")])
    assert picked("Which way does the Vell turn past the weir?", hit) == "westward"
    assert picked("Which direction does it run to the North Sea?", hit) == "westward"
    assert picked("Which way does it turn?", make_hit("It turns at the North Sea.", [])) is None


# Sentences written for these tests (not from any article).
NAMED = make_hit(
    "Past the old mill the lane climbs to a wide meadow known as the Long Acre, where Tom Baker keeps sheep.",
    [
        ("the old mill", "NP"),
        ("a wide meadow", "NP"),
        ("the Long Acre", "NP"),
        ("Tom Baker", "PERSON"),
        ("sheep", "NP"),
    ],
)
GLOSSED = make_hit(
    'The harbour has two basins: the Vorhafen ("outer harbour") and the Binnenhafen ("inner harbour").',
    [("two basins", "NP"), ("the Vorhafen", "NP"), ("the Binnenhafen", "NP")],
)


def test_a_question_that_asks_what_a_thing_is_called_takes_the_name_a_naming_word_introduces():
    assert picked("What is the wide meadow known as?", NAMED) == "the Long Acre"
    # without the naming question the nearest span still wins
    assert picked("What does the lane climb to?", NAMED) == "a wide meadow"


def test_a_question_that_asks_what_a_word_means_takes_the_gloss_right_after_that_word():
    assert picked("What does Binnenhafen mean?", GLOSSED) == "inner harbour"
    assert picked("What is the English translation of Vorhafen?", GLOSSED) == "outer harbour"
    # a gloss of another word is not the answer: no gloss follows a word of this question
    assert picked("What does Hafen mean?", GLOSSED) != "outer harbour"


def test_a_question_that_names_the_kind_of_place_is_answered_by_a_name_or_not_at_all():
    hit = make_hit(
        "The council says the town must be able to defend itself by building walls along the river.",
        [("The council", "NP"), ("the town", "NP"), ("walls", "NP"), ("the river", "NP")],
    )
    assert picked("What city can the council defend?", hit) is None
    named = make_hit(
        "The council says Dunmore must be able to defend itself by building walls along the river.",
        [("The council", "NP"), ("Dunmore", "GPE"), ("walls", "NP"), ("the river", "NP")],
    )
    assert picked("What city can the council defend?", named) == "Dunmore"
