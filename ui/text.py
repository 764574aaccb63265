"""The one way text from data (labels, ids, manifest fields, folder names, values from a link)
reaches the screen: every place it is drawn goes through one of these, by what will read it.

- `escape`: Markdown (titles, captions, alerts, toasts, tooltips, labels, `st.table` cells):
  shown as typed, never as emphasis, a link, an image, maths or a colour directive;
- `code`: a command or path as inline code;
- `html`: an HTML document or `st.html` (the briefing pack, slide captions, chart titles);
- `plain`: text drawn as text by its widget (alt text, a chart's words, `st.text`): no
  bidirectional overrides and no line breaks that reorder or split it.

Vega-Lite draws titles, labels and tooltips as text (its tooltip handler escapes HTML), and
`st.dataframe` cells and the options of a select box are text, so `plain` is enough there.
`tests/unit/test_text.py` fails if any other module escapes HTML or Markdown by itself.
"""

from __future__ import annotations

import html as _html
import re

# Explicit bidirectional embeddings, overrides and isolates: they can make text read in an order
# other than it is stored. Right-to-left letters themselves are kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# Markdown turns bare addresses into links after escapes are resolved, so an escape cannot stop
# it: an invisible zero-width space inside the address can.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")


def plain(text: object) -> str:
    """Text from data as one line of plain text: bidirectional controls removed, line breaks
    and runs of spaces made one space."""
    return " ".join(_BIDI_CONTROLS.sub("", str(text)).split())


def escape(text: object) -> str:
    """Labels come from data: never let them act as Markdown or HTML, start a new line or
    reorder the text around them."""
    text = _AUTOLINK.sub(lambda m: m[1][0] + "\u200b" + m[1][1:], plain(text))
    return _MARKDOWN.sub(r"\\\1", text)


def html(text: object, *, quote: bool = True) -> str:
    """Text for HTML (an element's content or an attribute's value): `<`, `>`, `&` and quotes as
    entities, bidirectional controls removed. Line breaks are kept (a note's lines)."""
    return _html.escape(_BIDI_CONTROLS.sub("", str(text)), quote=quote)


def code(text: object, limit: int = 300) -> str:
    """A command or path from data as inline code: Markdown shows a code span as written (no
    markup or link acts in it), so only what could end the span or reorder it goes: backticks,
    line breaks and bidirectional controls."""
    text = plain(text).replace("`", "")
    return f"`{text[:limit]}`" if text else ""
