"""Summary scoring on worked examples: reference sentences found in the article, coverage and recall, ROUGE
(rouge-score against hand-counted n-grams), TextRank's PageRank and ranking, Lead-k, the story sample."""

from pathlib import Path

import pytest

from evaluation.summaries import TOPICS, body_spans, sample, summary_settings
from evaluation.summary_metrics import Rouge, covers, joined, reference_spans, sentence_recall
from evaluation.textrank import lead, overlap_similarity, pagerank, textrank

ARTICLE = (
    "Ferry halted\n\n"
    "The ferry to Skerry stopped on Tuesday. A storm damaged the pier.\n\n"
    "Repairs will take three weeks. A fishing boat will carry islanders. The school stays open.\n"
)


def at(sub: str) -> tuple[int, int]:
    start = ARTICLE.index(sub)
    return start, start + len(sub)


def test_reference_sentences_are_found_in_the_article_in_the_references_order():
    summary = "Repairs will take three weeks.The ferry to Skerry stopped on Tuesday."
    assert reference_spans(summary, ARTICLE) == [
        at("Repairs will take three weeks."),
        at("The ferry to Skerry stopped on Tuesday."),
    ]
    # a stray character the article lacks is passed over, and a too-short scrap is not a sentence
    assert reference_spans("§A storm damaged the pier.", ARTICLE) == [at("A storm damaged the pier.")]
    assert reference_spans("xyz", ARTICLE) == []


def test_a_citation_covers_a_sentence_it_holds_or_mostly_overlaps():
    sentence = at("A storm damaged the pier.")  # 25 characters
    assert covers(at("Tuesday. A storm damaged the pier."), sentence)
    assert covers((sentence[0], sentence[0] + 13), sentence)  # 13 of 25: more than half
    assert not covers((sentence[0], sentence[0] + 12), sentence)  # 12 of 25: not
    assert not covers(at("Repairs will take"), sentence)


def test_sentence_recall_counts_reference_sentences_covered():
    reference = [at("Repairs will take three weeks."), at("A storm damaged the pier.")]
    assert sentence_recall([at("A storm damaged the pier.")], reference) == 0.5
    assert sentence_recall([], reference) == 0.0
    assert sentence_recall([at("A storm")], []) is None


def test_rouge_f1_matches_hand_counted_ngrams():
    rouge = Rouge()
    # reference "the cat sat on the mat" vs "the cat lay on the mat": unigrams 5/6 shared;
    # bigrams (the cat, cat sat, sat on, on the, the mat) vs (the cat, cat lay, lay on, on the, the mat): 3/5;
    # LCS "the cat on the mat" = 5 of 6.
    got = rouge.f1("the cat lay on the mat", "the cat sat on the mat")
    assert got["rouge1"] == pytest.approx(5 / 6)
    assert got["rouge2"] == pytest.approx(3 / 5)
    assert got["rougeL"] == pytest.approx(5 / 6)
    # precision and recall differ: candidate "the cat" (2 tokens) vs the 6-token reference
    short = rouge.f1("the cat", "the cat sat on the mat")
    assert short["rouge1"] == pytest.approx(2 * 1.0 * (2 / 6) / (1.0 + 2 / 6))
    assert rouge.f1("", "the cat") == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    # the stemmer: "damaged" and "damage" are one token
    assert rouge.f1("storm damage", "storm damaged")["rouge1"] == 1.0


def test_body_spans_leave_the_headline_out_and_joined_keeps_order():
    spans = body_spans(ARTICLE)
    assert ARTICLE[slice(*spans[0])] == "The ferry to Skerry stopped on Tuesday."
    assert len(spans) == 5
    first_two = "A storm damaged the pier. The ferry to Skerry stopped on Tuesday."
    assert joined(ARTICLE, spans[:2][::-1]) == first_two
    assert body_spans("No headline here. Just text.") == [(0, 17), (18, 28)]


def test_overlap_similarity_is_mihalcea_and_taraus():
    import math

    assert overlap_similarity({"a", "b", "c"}, {"b", "c", "d", "e"}) == pytest.approx(
        2 / (math.log(3) + math.log(4))
    )
    assert overlap_similarity({"a"}, {"b"}) == 0.0
    assert overlap_similarity({"a"}, {"a"}) == 1.0  # log 1 + log 1 = 0: the shared count alone


def test_pagerank_by_power_iteration_matches_the_closed_form():
    import numpy as np

    # a star: node 0 linked to 1 and 2. Solve r = (1-d)/n + d M^T r exactly and compare.
    w = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float)
    d, n = 0.85, 3
    m = w / w.sum(axis=1, keepdims=True)
    exact = np.linalg.solve(np.eye(n) - d * m.T, np.full(n, (1 - d) / n))
    got = pagerank(w)
    assert got == pytest.approx(exact, abs=1e-6)
    assert got[0] > got[1] == pytest.approx(got[2])
    isolated = pagerank(np.zeros((2, 2)))
    assert isolated == pytest.approx([0.075, 0.075])  # only the teleport share


def test_textrank_picks_the_central_sentences_in_article_order():
    text = "Storm hits pier. Pier repairs after storm. Ferry resumes after pier repairs. Cake sale on Friday."
    spans = [(0, 16), (17, 42), (43, 76), (77, 97)]
    assert [text[s:e] for s, e in spans][-1] == "Cake sale on Friday."
    # words (stemmed, stop words out): {storm, hit, pier}, {pier, repair, storm},
    # {ferri, resum, pier, repair}, {cake, sale, friday}. Edge weights: 0-1 = 2/(ln3+ln3) = 0.91,
    # 1-2 = 2/(ln3+ln4) = 0.80, 0-2 = 1/(ln3+ln4) = 0.40; the cake sale has none.
    # Weighted degree: 1 > 0 > 2 > 3.
    assert textrank(text, spans, 1) == [(17, 42)]
    assert textrank(text, spans, 2) == [(0, 16), (17, 42)]  # in article order, not rank order
    assert textrank(text, spans, 3) == spans[:3]
    assert textrank(text, spans, 0) == [] and lead(spans, 2) == spans[:2] and lead(spans, 9) == spans


def make_bbc(root: Path, per_topic: int) -> Path:
    for topic in TOPICS:
        for i in range(1, per_topic + 1):
            for kind in ("articles", "summaries"):
                path = root / kind / topic / f"{i:03d}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("x", encoding="utf-8")
    (root / "articles" / "tech" / "999.txt").write_text("no summary", encoding="utf-8")
    return root


def test_the_sample_is_spread_evenly_over_topics_and_the_same_every_time(tmp_path):
    bbc = make_bbc(tmp_path / "bbc", per_topic=10)
    got = sample(bbc, 12)
    assert got == sample(bbc, 12)
    per = {t: [s for s in got if s.startswith(t + "/")] for t in TOPICS}
    assert [len(v) for v in per.values()] == [3, 3, 2, 2, 2]
    assert per["business"] == ["business/002.txt", "business/006.txt", "business/009.txt"]
    assert "tech/999.txt" not in sample(bbc, 100)  # no reference summary: not a candidate
    assert len(sample(bbc, 100)) == 50  # a topic gives at most what it has


def test_the_summaries_index_lives_under_the_eval_index_dir(tmp_path):
    from assistant.settings import Settings

    base = Settings(root=tmp_path, seeds_dir=tmp_path / "seeds", index_dir=tmp_path / ".index")
    own = summary_settings(base)
    assert own.seeds_dir == tmp_path / ".index" / "eval" / "summaries" / "seeds"
    assert own.root == own.seeds_dir.parent and own.collection == "eval-summaries"


STORIES = {
    "business": "Ferry firm profits fall\n\n"
    "Profits at the Skerry ferry firm fell by a third in the year to March. "
    "The firm blamed the storm that shut the pier for three weeks. Ticket sales fell by a fifth.\n\n"
    "The chief executive, Ailsa Grant, said the firm would buy a second boat. Shares rose 2% on the news.\n",
    "entertainment": "Island film wins prize\n\n"
    "A film shot on Skerry has won the top prize at the Oban festival. "
    "Its director, Tom Reid, thanked the islanders. The film follows a lighthouse keeper.\n\n"
    "The jury called it patient and warm. It opens in cinemas in May.\n",
}


@pytest.mark.slow
def test_summaries_run_scores_ours_and_the_baselines_on_the_same_stories(tmp_path, embedder):
    from assistant.settings import Settings
    from evaluation.summaries import run

    bbc = tmp_path / "bbc"
    for topic in TOPICS:
        text = STORIES.get(topic, STORIES["business"].replace("Skerry", f"Skerry {topic}"))
        for kind in ("articles", "summaries"):
            (bbc / kind / topic).mkdir(parents=True)
        (bbc / "articles" / topic / "001.txt").write_text(text, encoding="utf-8")
        body = [text[s:e] for s, e in body_spans(text)]
        (bbc / "summaries" / topic / "001.txt").write_text(body[0] + body[2], encoding="utf-8")
    base = Settings(root=tmp_path, seeds_dir=tmp_path / "seeds", index_dir=tmp_path / ".index")
    report = run(base, limit=5, embedder=embedder, bbc=bbc)
    assert report["stories"] == 5 and len(report["rows"]) == 15
    assert set(report["overall"]) == {
        "ours",
        "lead-3",
        "textrank-3",
        "lead-k",
        "textrank-k",
        "textrank-minilm-k",
    }
    assert (tmp_path / ".index" / "eval" / "summaries" / "seeds" / "tech" / "001.txt").is_file()
    assert not (tmp_path / "seeds").exists()
    for row in report["rows"]:
        lead3 = row["systems"]["lead-3"]
        # the reference is body sentences 1 and 3: Lead-3 covers both
        assert lead3["ref_recall"] == 1.0 and lead3["sentences"] == 3 and 0 < lead3["rouge2"] < 1
        assert row["systems"]["lead-k"]["sentences"] == row["k"] == (row["systems"]["ours"]["sentences"] or 3)
        assert row["systems"]["ours"]["exactness"] in (None, 1.0)
    ours = report["overall"]["ours"]
    assert 0.0 <= ours["answered"] <= 1.0 and ours["rouge1"] is not None


def test_textrank_cosine_ranks_by_vector_similarity():
    from evaluation.textrank import textrank_cosine

    spans = [(0, 1), (2, 3), (4, 5), (6, 7)]
    # three vectors close together and one apart: the apart one is least central; negative cosines count 0
    vectors = [[1.0, 0.1], [1.0, 0.0], [0.9, 0.2], [-1.0, 0.0]]
    assert textrank_cosine(vectors, spans, 3) == spans[:3]
    assert textrank_cosine(vectors, spans, 1) == [(0, 1)]  # the middle of the three
    assert textrank_cosine(vectors, spans, 0) == []
