"""Every page in Kazakh and Russian, through AppTest: it renders, speaks the language, and shows
the same figures as in English (only their formatting differs)."""

from __future__ import annotations

import re

import pytest

import i18n
from tests.app.helpers import PRESENT, VIEWS, assert_page_ok, metrics, open_app, switch

LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", [*VIEWS, PRESENT])
def test_every_page_renders_in_the_language(page, language):
    at = open_app(page, lang=language)
    assert at.session_state["lang"] == language
    assert_page_ok(at, page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_figures_are_the_same_in_every_language(language):
    english, other = open_app(cohort="jusan-2"), open_app(cohort="jusan-2", lang=language)
    assert [digits(v) for v in metrics(english).values()] == [digits(v) for v in metrics(other).values()]
    with i18n.use(language):
        assert set(metrics(other)) == {i18n._(label) for label in metrics(english)}


def test_the_language_stays_in_the_link_and_switching_keeps_the_view():
    at = open_app("regions", cohort="rusafa", lang="kk")
    assert at.query_params["lang"] == ["kk"] or at.query_params["lang"] == "kk"
    at.selectbox(key="lang").set_value("ru").run()
    assert at.query_params["cohort"] in (["rusafa"], "rusafa")
    assert_page_ok(at, "regions")
    with i18n.use("ru"):
        assert at.title[0].value == i18n._("Regions")


def test_without_a_link_the_browser_language_decides(monkeypatch):
    at = open_app()
    assert at.session_state["lang"] == "en"  # AppTest's browser has no language: English


def test_a_language_change_keeps_the_page(monkeypatch):
    at = open_app("explorer", rows="region")
    at.selectbox(key="lang").set_value("kk").run()
    switch(at, "explorer").run()
    assert_page_ok(at, "explorer")
    assert at.session_state["rows"] == "region"
