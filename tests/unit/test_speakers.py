"""Who said each sentence (``index.news.speakers``), on sentences written for these tests."""

from __future__ import annotations

from index.news import speakers


def test_the_forms_news_attributes_speech_by():
    got = speakers(
        [
            "Harbour master Ingrid Holm opened the new pier on Monday.",
            'The pier was described by Holm as "the town\'s front door".',
            "Mara Quist, head of the island's ferry union, said the fares were too high.",
            "The crossing takes about forty minutes, said Ms Quist.",
            "The sky over the harbour was grey.",
        ]
    )
    assert got == ["", "Ingrid Holm", "Mara Quist", "Mara Quist", ""]


def test_a_quotation_goes_on_with_its_speaker_and_stops_where_it_closes():
    got = speakers(
        [
            "Ms Holm said the pier had cost less than planned.",
            '"We finished a month early."',  # a quotation of its own, right after hers
            'Mara Quist added: "The union wanted this pier for ten years.',
            '"It should have come sooner.',  # the same quotation, re-opened as news does
            'Every ferry will stop here."',  # ... and closed here
            "The council meets on Friday.",
            '"Nobody asked us," a fisherman shouted.',  # no name: not given to the last speaker
        ]
    )
    assert got == ["Holm", "Holm", "Mara Quist", "Mara Quist", "Mara Quist", "", ""]


def test_narration_between_quotations_is_nobodys():
    got = speakers(['"It is late," Holm said.', "The pier opened at noon.", '"Welcome," read the sign.'])
    assert got == ["Holm", "", ""]


def test_what_a_speaker_said_about_a_topic_is_the_statements_that_name_it():
    from assistant.retrieval import Hit
    from assistant.speech import asked_topic, statements_about

    said = [
        "The ferries will run late in winter, Ms Quist said.",
        '"The harbour walls are older than the town," she said.',
        "She said winter fares on the island ferries would not rise.",
    ]
    hits = [Hit(f"s{i}", t, "a.txt", 100 * i, 100 * i + len(t), i, "t", "", "p") for i, t in enumerate(said)]
    topic = asked_topic("What did Quist say about winter ferries?")
    assert topic == "about winter ferries"
    assert [h.id for h in statements_about(topic, hits)] == ["s0", "s2"]
    assert statements_about("about", hits) == []  # no words of a topic: nothing is narrowed
