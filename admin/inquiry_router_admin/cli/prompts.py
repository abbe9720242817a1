"""Questions the CLI asks before it changes something, and only where a person can answer them.

Without a terminal (scripts, CI) a question is never guessed: the command refuses with a message
naming the flag that answers it, so an unattended run cannot apply or hand over anything by accident.
"""

from __future__ import annotations

import sys

from inquiry_router_admin.cli.target import TargetError


class AnswerNeeded(TargetError):
    """A question needs a person, but stdin is not a terminal; main prints the message, exit 2."""


def confirm(question: str, *, without_terminal: str) -> bool:
    """`question [y/N]`: only y or yes is yes."""
    return _ask(f"{question} [y/N]", without_terminal).lower() in ("y", "yes")


def ask(question: str, *, without_terminal: str) -> str:
    return _ask(question, without_terminal)


def _ask(question: str, without_terminal: str) -> str:
    if not sys.stdin.isatty():
        raise AnswerNeeded(without_terminal)
    try:
        return input(f"{question} ").strip()
    except EOFError:
        return ""
