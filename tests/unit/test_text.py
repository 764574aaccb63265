"""Text from data on its way into Markdown: shown as typed, never acting as markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.text import escape, html, plain


@pytest.mark.parametrize(
    ("label", "markdown"),
    [
        ("Jusan-2", r"Jusan\-2"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
        ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
        ("[x](y) ![i](j)", r"\[x\]\(y\) \!\[i\]\(j\)"),
        (":red[red] :material/home: $x$", r"\:red\[red\] \:material/home\: \$x\$"),
        ("# Heading\n\n- item", r"\# Heading \- item"),
        ("&lt;b&gt;", r"\&lt;b\&gt;"),
        ("\u202eevil\u202c", "evil"),
        ("Қайту عودة", "Қайту عودة"),
        ("http://evil.example", "http\\:\u200b//evil\\.example"),
        ("www.evil.example", "w\u200bww\\.evil\\.example"),
        ("a@b.example", "a@\u200bb\\.example"),
    ],
)
def test_escape(label, markdown):
    assert escape(label) == markdown


def test_html_and_plain():
    assert html('<img src="x"> & \u202eevil') == "&lt;img src=&quot;x&quot;&gt; &amp; evil"
    assert plain("a\n\n b\u202e\tc") == "a b c"


def test_every_module_escapes_through_ui_text():
    """One escaping path: no other module escapes HTML or Markdown on its own (a page that did
    would be the one nobody checked)."""
    root = Path(__file__).resolve().parents[2]
    sources = [
        root / "app.py",
        *(p for d in ("app_pages", "ui", "charts", "briefing") for p in (root / d).rglob("*.py")),
    ]
    offenders = [
        str(path.relative_to(root))
        for path in sources
        if path.name != "text.py"
        and re.search(r"^import html$|html\.escape\(|from html import", path.read_text(), re.M)
    ]
    assert offenders == []
