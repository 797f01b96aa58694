"""@mentions in a comment: the usernames it names. Pure text handling, no database."""

from __future__ import annotations

import re

# Django usernames: letters, digits and @ . + - _. A mention starts after a space or at the
# start (so an e-mail address is not one) and does not take a sentence's final full stop.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-]|[\w])")
MAX_MENTIONS = 20


def mentioned(text: str) -> list[str]:
    """The usernames mentioned, first mention first, each once, at most MAX_MENTIONS."""
    found: list[str] = []
    for match in MENTION.finditer(text):
        name = match.group(1)
        if name not in found:
            found.append(name)
        if len(found) == MAX_MENTIONS:
            break
    return found
