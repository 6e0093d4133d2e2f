"""The web chat (Gradio): ``app`` builds and serves it, ``render`` makes its HTML, ``session`` keeps and
restores conversations, ``api`` is the ``/ask`` endpoint (and the MCP tool), ``upload_panel`` adds
articles, ``auth`` decides who may connect. gradio is imported only inside functions."""
