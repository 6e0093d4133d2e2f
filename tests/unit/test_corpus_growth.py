"""The corpus statistics grow with an added article at the cost of the article, not of the archive."""

from __future__ import annotations

from assistant.features import Corpus, SentenceInfo


def test_corpus_plus_keeps_the_text_and_knows_the_added_lines():
    """An added article's stems go beside the corpus's text, not into a copy of it: the text is the same
    object, multi-word names of either are known, and removing either block forgets its names."""
    base = Corpus.of(SentenceInfo.of(t) for t in ["Ukraine may strike Russia.", "Putin warned the West."])
    grown = base.plus([SentenceInfo.of("The harbour master Ruth Forbes said work will start.")])
    assert grown.text is base.text and grown.size == 3
    forbes = " ".join(SentenceInfo.of("Ruth Forbes").tokens)
    putin_warned = " ".join(SentenceInfo.of("Putin warned").tokens)
    assert grown.knows(forbes) and grown.knows(putin_warned) and not base.knows(forbes)
    back = grown.minus([SentenceInfo.of("The harbour master Ruth Forbes said work will start.")])
    assert not back.knows(forbes) and back.knows(putin_warned) and back.size == 2
    assert back.df == base.df
    first = back.minus([SentenceInfo.of(t) for t in ["Ukraine may strike Russia.", "Putin warned the West."]])
    assert not first.knows(putin_warned) and first.size == 0
