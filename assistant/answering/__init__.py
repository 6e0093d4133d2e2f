"""Answering a routed question: the route, short-answer spans, article-level answers, summaries, lists."""
