"""Text from data on its way into Markdown: shown as typed, never acting as markup."""

from __future__ import annotations

import pytest

from ui.text import escape


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
