"""Screenshots the tests render themselves (tests/fakes/screenshots.py, fonts in ./fonts):
English rules in three fonts and Pine code in two monospace fonts (one on a dark editor theme)
read by tesseract give the same strategy as the text; a chart without rules needs an LLM, and
with one (the local fake server) goes to it; the API and the CLI read images too."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ava_backtest.builder.grammar import read_rules
from ava_backtest.builder.llm import NEEDS_ENDPOINT
from ava_backtest.builder.ocr import classify, normalise, read_image
from ava_backtest.builder.service import preview_image, preview_pine, preview_text
from ava_backtest.domain.errors import ConfigError
from tests.fakes.llm_server import FakeLlm, Reply, recorded
from tests.fakes.screenshots import chart, render

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"
RSI_DIP = (
    "Buy when RSI(14) falls below 30 and the close is above the 200-day SMA;\n"
    "sell when RSI rises above 70; stop loss at 2 x ATR(10); exit after 10 bars"
)
PINE = """//@version=5
strategy("EMA cross", overlay=true)
fast = input.int(20, "Fast EMA", minval=2)
slow = input.int(50, "Slow EMA", minval=2)
f = ta.ema(close, fast)
s = ta.ema(close, slow)
if ta.crossover(f, s)
    strategy.entry("Long", strategy.long)
if ta.crossunder(f, s)
    strategy.close("Long")"""
LLM_ENV = (
    "AVA_LLM_BASE_URL",
    "OPENROUTER_BASE_URL",
    "AVA_LLM_MODEL",
    "OPENROUTER_MODEL",
    "AVA_LLM_API_KEY",
    "OPENROUTER_API_KEY",
)


@pytest.fixture
def sqlite_client(sqlite_url):
    from tests.api.conftest import make_client

    with make_client(sqlite_url, workers=1) as client:
        yield client


@pytest.fixture
def no_llm(monkeypatch):
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


def _same_rule(a, b) -> None:
    assert a.model_dump(exclude={"text"}) == b.model_dump(exclude={"text"})


@pytest.mark.parametrize(
    ("text", "font"),
    [
        (README, "DejaVuSansMono.ttf"),
        (README, "LiberationSerif-Regular.ttf"),
        (README, "LiberationSans-Regular.ttf"),
        (RSI_DIP, "DejaVuSansMono.ttf"),
        (RSI_DIP, "LiberationSerif-Regular.ttf"),
    ],
)
def test_english_screenshots_give_the_same_rule_form_as_the_text(text, font):
    result = read_image(render(text, font))
    assert result.kind == "english"
    assert result.confidence > 80
    assert [line.text for line in result.lines] == text.splitlines()
    source, built = preview_text(result.text, "shot", "trend")
    assert source == "english"
    _same_rule(built.rule, read_rules(text))


@pytest.mark.parametrize(
    ("font", "dark"), [("DejaVuSansMono.ttf", True), ("LiberationMono-Regular.ttf", False)]
)
def test_pine_screenshots_give_the_same_code_as_the_script(font, dark):
    result = read_image(render(PINE, font, dark=dark))
    assert result.kind == "pine"
    assert result.text == PINE  # indentation of the if bodies kept
    source, built = preview_text(result.text, "pine_shot", "trend")
    assert source == "pine"
    assert built.code == preview_pine(PINE, "pine_shot", "trend").code


def test_normalisation_is_typography_and_number_shaped_words_only():
    assert (
        normalise("Buy when 2O EMA crosses above 5O EMA") == "Buy when 20 EMA crosses above 50 EMA"
    )
    assert normalise("RSI(l4) \u2013 sell on cross\u2013under \u201cx\u201d") == (
        'RSI(14) - sell on cross-under "x"'
    )
    assert normalise("Ol SOL close lO0 1.O5") == "Ol SOL close 100 1.05"
    assert classify(PINE) == "pine" and classify(README) == "english"
    assert classify("Q3 revenue 12 million") == "none"


def test_a_chart_without_rules_needs_an_llm(no_llm):
    with pytest.raises(ConfigError) as e:
        preview_image(chart(), "from_chart")
    assert NEEDS_ENDPOINT in e.value.message and e.value.field == "image"


def test_a_chart_goes_to_the_llm_when_one_is_configured(no_llm, monkeypatch):
    with FakeLlm() as fake:
        monkeypatch.setenv("AVA_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("AVA_LLM_MODEL", "vision-model")
        fake.add(Reply(recorded("chart_rule.md")))
        shown = preview_image(chart(), "from_chart")
    assert shown.source == "llm" and shown.ocr is not None and shown.ocr.kind == "none"
    _same_rule(
        shown.built.rule,
        read_rules(
            "Buy when RSI(14) falls below 30, sell when RSI rises above 70, stop loss at 5%"
        ),
    )
    parts = fake.requests[0]["messages"][-1]["content"]
    assert any(p["type"] == "image_url" for p in parts)


def test_unreadable_bytes_are_refused_by_field():
    with pytest.raises(ConfigError, match="not a readable image") as e:
        read_image(b"not an image at all")
    assert e.value.field == "image"


def test_an_unreadable_phrase_in_a_screenshot_carries_the_recognised_text():
    with pytest.raises(ConfigError) as e:
        preview_image(render("Buy when the moon is full above EMA", "DejaVuSansMono.ttf"), "moon")
    assert e.value.details["ocr_text"] == "Buy when the moon is full above EMA"


def test_api_ocr_and_image_preview(sqlite_client, no_llm):
    png = render(README, "LiberationSans-Regular.ttf")
    r = sqlite_client.post("/api/v2/builder/ocr", files={"image": ("shot.png", png, "image/png")})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["text"] == README and doc["kind"] == "english" and doc["llm_available"] is False
    r = sqlite_client.post(
        "/api/v2/builder/image",
        files={"image": ("shot.png", png, "image/png")},
        data={"name": "my_shot", "category": "trend"},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["source"] == "english" and doc["ocr"]["text"] == README
    assert doc["explained"][0] == (
        "long entry: ema(ema_fast_period=20) crosses above ema(ema_slow_period=50)"
    )
    r = sqlite_client.post(
        "/api/v2/builder/image", files={"image": ("chart.png", chart(), "image/png")}
    )
    assert r.status_code == 422
    assert NEEDS_ENDPOINT in r.json()["error"]["message"]


def test_cli_image_dry_run_shows_the_recognised_text(tmp_path, no_llm):
    from ava_backtest.cli.app import app

    shot = tmp_path / "rules.png"
    shot.write_bytes(render(README, "LiberationSerif-Regular.ttf"))
    out = CliRunner().invoke(
        app, ["build-strategy", "--name", "shot", "--image", str(shot), "--dry-run"]
    )
    assert out.exit_code == 0, out.output
    assert "Recognised text (english" in out.output and README in out.output
    assert "class Shot(Strategy):" in out.output
    out = CliRunner().invoke(
        app, ["build-strategy", "--name", "shot", "--input", README, "--image", str(shot)]
    )
    assert out.exit_code == 2 and "give one of --input TEXT" in out.output
    assert "--image FILE" in out.output
