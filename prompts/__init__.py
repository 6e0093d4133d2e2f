"""The prompt texts of the LLM answer modes, as files (``*.txt``) shipped as package data.

``assistant.prompts`` reads them with ``importlib.resources``, so a checkout and an installed wheel find
them the same way. This package holds no code.
"""
