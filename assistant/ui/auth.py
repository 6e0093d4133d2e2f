"""Who may use the chat: ``auth_for(host, env)`` decides whether serving on ``host`` needs a password.

Loopback addresses (127.0.0.0/8, ::1, ``localhost``) may be served without one. Any other address
(``0.0.0.0``, a LAN address, a name) needs ``ASSISTANT_AUTH=user:password`` or ``ASSISTANT_AUTH_FILE=path``
(one ``user:password`` per line; blank lines and ``#`` comments skipped), else ``ConfigError``. The result
is what Gradio's ``launch(auth=...)`` takes. ``check_mcp`` refuses ``chat --mcp`` wherever a login is
wanted, because Gradio mounts its MCP server outside that login. Pure functions of their arguments: the
caller passes the environment. This module does not hash, rate-limit or otherwise harden Gradio's own login
(see SECURITY.md).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path

from assistant.errors import ConfigError

AUTH_VAR, AUTH_FILE_VAR = "ASSISTANT_AUTH", "ASSISTANT_AUTH_FILE"
FIX = f"set {AUTH_VAR}=user:password or {AUTH_FILE_VAR}=path, or serve on --host 127.0.0.1"


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name (or "" = every interface) may resolve to anything


def _pair(text: str, where: str) -> tuple[str, str]:
    user, sep, password = text.strip().partition(":")
    if not sep or not user.strip() or not password:
        raise ConfigError(f"{where} is not user:password — {FIX}")  # the value itself is never echoed
    return user.strip(), password


def read_auth_file(path: Path) -> list[tuple[str, str]]:
    """The ``user:password`` lines of ``path``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {AUTH_FILE_VAR} {path} ({e.__class__.__name__}) — {FIX}") from e
    pairs = [
        _pair(line, f"{path} line {i}")
        for i, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not pairs:
        raise ConfigError(f"{AUTH_FILE_VAR} {path} holds no user:password line — {FIX}")
    return pairs


def auth_for(host: str, env: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """The credentials to serve ``host`` with, or None for an open loopback chat; ConfigError if unsafe."""
    pairs: list[tuple[str, str]] = []
    if env.get(AUTH_VAR):
        pairs.append(_pair(env[AUTH_VAR], AUTH_VAR))
    if env.get(AUTH_FILE_VAR):
        pairs += read_auth_file(Path(env[AUTH_FILE_VAR]))
    if pairs:
        return pairs
    if is_loopback(host):
        return None
    raise ConfigError(f"refusing to serve on {host or 'every interface'} without a password — {FIX}")


def check_mcp(host: str, env: Mapping[str, str]) -> None:
    """Refuse MCP where the chat wants a login: Gradio mounts MCP outside it (anyone lists the tools)."""
    if not is_loopback(host) or env.get(AUTH_VAR) or env.get(AUTH_FILE_VAR):
        raise ConfigError(
            f"--mcp cannot be password-protected (Gradio's MCP routes skip the login) — serve it on "
            f"--host 127.0.0.1 with {AUTH_VAR} and {AUTH_FILE_VAR} unset"
        )
