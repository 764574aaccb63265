"""Text from data (labels, folder names, values from a link) on its way into Markdown."""

from __future__ import annotations

import re

# Explicit bidirectional embeddings, overrides and isolates: they can make text read in an order
# other than it is stored. Right-to-left letters themselves are kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# Markdown turns bare addresses into links after escapes are resolved, so an escape cannot stop
# it: an invisible zero-width space inside the address can.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")


def escape(text: str) -> str:
    """Labels come from data: never let them act as Markdown or HTML, start a new line or
    reorder the text around them."""
    text = _BIDI_CONTROLS.sub("", str(text))
    text = " ".join(text.split())
    text = _AUTOLINK.sub(lambda m: m[1][0] + "\u200b" + m[1][1:], text)
    return _MARKDOWN.sub(r"\\\1", text)


def code(text: object, limit: int = 300) -> str:
    """A command or path from data as inline code: Markdown shows a code span as written (no
    markup or link acts in it), so only what could end the span or reorder it goes: backticks,
    line breaks and bidirectional controls."""
    text = " ".join(_BIDI_CONTROLS.sub("", str(text)).replace("`", "").split())
    return f"`{text[:limit]}`" if text else ""
