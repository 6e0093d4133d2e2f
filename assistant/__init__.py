"""article-assistant: answers questions about news articles with exact, verifiable quotes.

>>> from assistant import answer
>>> a = answer("Who was first to report the decision?")   # doctest: +SKIP
>>> a.text, a.citations[0].quote                     # doctest: +SKIP

Importing this package is cheap: torch, chromadb and gradio load on first use.
"""

from assistant.core import Assistant, answer, default_assistant
from assistant.errors import AssistantError
from assistant.models import Answer, Citation
from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Settings", "answer", "default_assistant"]
