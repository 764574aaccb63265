"""Every example link in the README opens its page on the committed sample with people to show:
a link that opens on nobody tells a new user the product is broken."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.app.helpers import PAGES, PRESENT, ROOT, assert_page_ok, base_line, open_app

LINK = re.compile(r"`(/[a-z]*\?[^`\s]+)`")
LINKS = [link for link in LINK.findall((ROOT / "README.md").read_text()) if "…" not in link and "<" not in link]


def test_the_readme_has_example_links():
    assert len(LINKS) >= 2, LINKS


@pytest.mark.parametrize("link", LINKS)
def test_an_example_link_opens_on_people(link):
    parts = urlsplit(link)
    page = parts.path.strip("/") or PAGES[0]
    assert page in [*PAGES, PRESENT], f"{link} names no page"
    at = open_app(page, **dict(parse_qsl(parts.query)))
    assert_page_ok(at, page)
    assert not at.toast, [t.value for t in at.toast]  # nothing in the link was ignored
    if page != PRESENT:
        people = int(re.match(r"^\*\*([\d,]+)\*\*", base_line(at)).group(1).replace(",", ""))
        assert people >= 20, f"{link} opens on {people} people"
