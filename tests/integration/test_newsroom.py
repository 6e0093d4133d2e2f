"""A newsroom archive: many articles, duplicates and updates, dates anchored to the article, who said what."""

import random
import shutil
from pathlib import Path

import pytest

from assistant import Assistant
from index.build import build_index
from index.store import open_index
from tests.conftest import ROOT, SEED, assert_exact, load_dev, project_settings

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "newsroom"


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory, embedder):
    """The fixture corpus plus the seed article, indexed once for the module."""
    root = tmp_path_factory.mktemp("newsroom")
    shutil.copytree(FIXTURES, root / "seeds")
    shutil.copy(SEED, root / "seeds" / SEED.name)
    settings = project_settings(root)
    report = build_index(settings, embedder, progress=False)
    return Assistant(settings, embedder=embedder).warm(), report


def test_duplicates_and_updates_are_indexed_once_and_reported(newsroom):
    assistant, report = newsroom
    decisions = {(Path(d).name, Path(k).name, why) for d, k, why in report.duplicates}
    assert decisions == {
        ("ferries_wire_copy.md", "ferries.md", "identical copy"),
        ("ferries_republished.txt", "ferries.md", "near-identical copy"),
        ("budget_v1.md", "budget_v2.md", "an updated version replaces it"),
    }
    docs = assistant.store.docs.get(include=["metadatas"])["metadatas"]
    assert sorted(Path(m["source"]).name for m in docs) == sorted(
        ["bridge.txt", "budget_v2.md", "ferries.md", "ferries_other_outlet.md", "harbour.html.txt", SEED.name]
    )


def test_html_main_text_is_extracted_and_cited_exactly(newsroom):
    assistant, _ = newsroom
    answer = assistant.answer("How long did the repairs to the Eastport sea wall take?")
    c = answer.citations[0]
    assert "eleven weeks" in c.quote
    assert c.source.endswith("extracted/seeds/harbour.html.txt") and c.source.startswith(".index/")
    assert (c.title, c.date, c.outlet) == ("Eastport harbour reopens", "2024-06-02", "Coastal Times")
    assert c.url == "https://coastal-times.example/harbour-reopens"
    assert_exact(answer, assistant.settings.root)
    texts = " ".join(assistant.store.sentences.get(where={"source": c.source})["documents"])
    assert "Subscribe" not in texts and "Cookie" not in texts and "Copyright" not in texts
    assert assistant.answer("Who said ships can dock again?").text.startswith("It was Jonas Berg")


def test_an_update_replaces_the_old_figure(newsroom):
    assistant, _ = newsroom
    answer = assistant.answer("How big is the Riverton budget?")
    assert not answer.refused and "14 million" in answer.citations[0].quote
    assert not any("12 million" in c.quote for c in answer.citations)


def test_sources_carry_outlet_title_date_and_paragraph(newsroom):
    assistant, _ = newsroom
    answer = assistant.answer("Who will pay for hotel rooms for stranded travellers?")
    c = answer.citations[0]
    assert (c.title, c.date, c.paragraph) == ("Norland islands cut off as ferries halt", "2024-03-15", 3)
    assert c.outlet == "Island Post" and c.url == "https://island-post.example/cut-off"
    assert_exact(answer, assistant.settings.root)


def test_disagreeing_articles_are_both_cited(newsroom):
    assistant, _ = newsroom
    answer = assistant.answer("How many days will the Norland ferries stay closed?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "two days" in quotes and "three days" in quotes
    assert len({c.source for c in answer.citations}) >= 2
    assert_exact(answer, assistant.settings.root)


def test_filters_by_outlet_and_date(newsroom):
    assistant, _ = newsroom
    only_post = assistant.answer("Why did the Norland ferries stop?", where={"outlet": "Island Post"})
    assert only_post.citations and {c.source for c in only_post.citations} == {
        "seeds/ferries_other_outlet.md"
    }
    before = assistant.answer("Why did the Norland ferries stop?", where={"date_to": "2024-03-14"})
    assert before.citations and all(c.date <= "2024-03-14" for c in before.citations)
    none = assistant.answer("Why did the Norland ferries stop?", where={"date_from": "2030-01-01"})
    assert none.refused


def test_relative_dates_resolve_against_the_article_date(newsroom):
    assistant, _ = newsroom
    putin = assistant.answer("When did Putin warn of serious consequences?")
    assert any("Earlier this week" in c.quote for c in putin.citations[:2])
    assert "the week of May 27, 2024" in putin.text and "May 30, 2024" in putin.text
    storm = assistant.answer("When did the storm close the Norland ferry routes?")
    assert "on Tuesday" in storm.citations[0].quote
    assert "Tuesday, March 12, 2024" in storm.text


def test_seed_speakers_are_attributed(newsroom):
    assistant, _ = newsroom
    got = assistant.store.sentences.get(
        where={"source": f"seeds/{SEED.name}"}, include=["metadatas", "documents"]
    )
    by_text = dict(zip(got["documents"], (m["speaker"] for m in got["metadatas"]), strict=True))
    putin = [t for t, s in by_text.items() if s == "Vladimir Putin"]
    assert len(putin) == 6
    assert all(("Putin" in t or t.startswith(('"', "He "))) for t in putin)
    policy = next(t for t in by_text if "has not changed" in t)
    assert by_text[policy] == "two U.S. officials"


def test_what_did_someone_say_lists_each_statement(newsroom):
    assistant, _ = newsroom
    answer = assistant.answer("What did Putin say?")
    assert len(answer.citations) == 6
    assert "Vladimir Putin" in answer.text
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    assert_exact(answer, assistant.settings.root)
    pronoun = assistant.answer("What did Ingrid Holm say?")
    assert any("two days" in c.quote for c in pronoun.citations), "'She added' belongs to Ingrid Holm"


def test_what_someone_said_about_the_storys_own_subject_is_all_they_said_there(newsroom):
    """Asked "about the ferries" of a story headlined on the ferries, it narrows nothing: both of Pavel
    Kask's statements, the second one only "He said ..." with no word of the question."""
    assistant, _ = newsroom
    answer = assistant.answer("What did Pavel Kask say about the ferries?")
    assert answer.text.startswith("The article attributes 2 statements to Pavel Kask")
    assert [c.quote.split()[:2] for c in answer.citations] == [["Transport", "minister"], ["He", "said"]]
    assert_exact(answer, assistant.settings.root)
    narrower = assistant.answer("What did Pavel Kask say about hotel rooms?")  # not in the headline
    assert narrower.text.startswith("The article attributes 1 statement about hotel rooms to Pavel Kask")
    assert len(narrower.citations) == 1 and "hotel rooms" in narrower.citations[0].quote
    assert_exact(narrower, assistant.settings.root)


def test_who_said_names_the_speaker(newsroom):
    assistant, _ = newsroom
    answer = assistant.answer("Who said the ferries would stay closed for three days?")
    assert answer.text.startswith("It was Pavel Kask") and "three days" in answer.citations[0].quote
    anonymous = assistant.answer("Who said the U.S. policy on offensive strikes has not changed?")
    assert "two U.S. officials" in anonymous.text


DECOYS = [
    "Russian President Vladimir Putin met the Chinese leader in Beijing on {day} to discuss trade.",
    "President Joe Biden spoke about the economy in {city} on {day}, officials said.",
    "Ukrainian farmers in {city} expect a record grain harvest this year, according to the ministry.",
    "The council of {city} approved a new {thing} on {day}, the mayor said.",
    "Storms closed schools in {city} for {n} days, the weather office said.",
]


def write_archive(seeds: Path, n: int) -> None:
    rng = random.Random(5)
    cities = ["Lyon", "Gdansk", "Porto", "Tartu", "Kaunas", "Graz", "Brno", "Ghent", "Turku", "Split"]
    things = ["bridge", "library", "school", "hospital", "museum", "park"]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    for i in range(n):
        lines = [
            rng.choice(DECOYS).format(
                city=rng.choice(cities), thing=rng.choice(things), day=rng.choice(days), n=rng.randint(2, 9)
            )
            for _ in range(4)
        ]
        body = "\n\n".join(dict.fromkeys(lines))
        (seeds / f"archive_{i:03d}.txt").write_text(
            f"date 2024-0{rng.randint(1, 9)}-1{i % 10} {body}\n", "utf-8"
        )


def test_dev_set_hit_at_3_holds_with_50_plus_other_articles(tmp_path, embedder, capsys):
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED, tmp_path / "seeds" / SEED.name)
    write_archive(tmp_path / "seeds", 90)
    settings = project_settings(tmp_path)
    report = build_index(settings, embedder, progress=False)
    assert len(report.added) + len(report.duplicates) == 91
    assert len(report.added) >= 51, "near-identical generated articles are indexed once; 50 must remain"
    assistant = Assistant(settings, embedder=embedder)
    rows = [r for r in load_dev() if r["answerable"]]
    hits = 0
    for row in rows:
        history = []
        for earlier in row["history_questions"]:
            history += [{"role": "user", "content": earlier}, {"role": "assistant", "content": ""}]
        answer = assistant.answer(row["question"], history)
        hits += any(g in c.quote for c in answer.citations[:3] for g in row["gold"])
    with capsys.disabled():
        print(f"\ndev-set hit@3 with {len(report.added)} articles indexed: {hits}/{len(rows)}")
    assert hits == len(rows)
    assert open_index(settings, embedder).count()["docs"] == len(report.added)


def test_fixture_corpus_is_what_the_tests_say():
    assert (FIXTURES / "ferries.md").read_text().split("---")[2] == (
        FIXTURES / "ferries_wire_copy.md"
    ).read_text().split("---")[2]
    assert ROOT.exists()


def test_questions_naming_a_period_use_the_article_dates(newsroom):
    assistant, _ = newsroom
    march = assistant.answer("What happened in March 2024?")
    assert not march.refused
    assert {Path(c.source).name for c in march.citations} == {"ferries.md", "ferries_other_outlet.md"}
    assert march.text.startswith("2 articles dated March 1, 2024 to March 31, 2024")
    assert_exact(march, assistant.settings.root)
    late_may = assistant.answer("What happened in late May 2024?")
    assert [Path(c.source).name for c in late_may.citations] == [SEED.name]
    topic = assistant.answer("What did the harbour master say in June 2024?")
    assert topic.citations and all(c.date.startswith("2024-06") for c in topic.citations)
    assert assistant.answer("What happened in 1999?").refused
