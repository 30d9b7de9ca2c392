"""The LLM path against a local chat-completions server (tests/fakes/llm_server.py): a text
request and an image request give the same rule form (and so the same code) as the grammar
reading the same rules; a malformed reply gets exactly one repair request; 429/5xx are retried;
a timeout, an absent endpoint and a missing configuration are clear errors."""

from __future__ import annotations

import base64
import io
import json
import socket

import pytest
from PIL import Image, ImageDraw

from ava_backtest.builder.compile import compile_rule
from ava_backtest.builder.grammar import read_rules
from ava_backtest.builder.llm import (
    NEEDS_ENDPOINT,
    OPENROUTER_URL,
    LlmConfig,
    LlmError,
    config_from_settings,
    finish_rule,
    rules_from_image,
    rules_from_text,
)
from ava_backtest.builder.rules import Rule, explain
from ava_backtest.domain.errors import ConfigError
from tests.fakes.llm_server import FakeLlm, Reply, recorded

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"
CHART_RULES = "Buy when RSI(14) falls below 30, sell when RSI rises above 70, stop loss at 5%"
ENV = (
    "AVA_LLM_BASE_URL",
    "OPENROUTER_BASE_URL",
    "AVA_LLM_MODEL",
    "OPENROUTER_MODEL",
    "AVA_LLM_API_KEY",
    "OPENROUTER_API_KEY",
    "AVA_LLM_TIMEOUT",
)


@pytest.fixture
def fake():
    with FakeLlm() as server:
        yield server


def _config(fake: FakeLlm, **kw) -> LlmConfig:
    return LlmConfig(
        base_url=fake.base_url, model="test-model", api_key="k-123", backoff=0.01, **kw
    )


def _chart_png() -> bytes:
    img = Image.new("RGB", (320, 160), "white")
    d = ImageDraw.Draw(img)
    d.line([(0, 120), (80, 60), (160, 130), (240, 40), (319, 90)], fill="black", width=3)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_text_request_gives_the_grammars_rule_form_and_code(fake):
    fake.add(Reply(recorded("readme_rule.json")))
    result = rules_from_text(README, _config(fake))
    grammar = read_rules(README)
    assert explain(result.rule) == explain(grammar)
    assert result.rule.parameters == grammar.parameters
    assert compile_rule(result.rule, "my_strategy", "trend") == compile_rule(
        grammar, "my_strategy", "trend"
    )
    assert result.attempts == 1
    sent = fake.requests[0]
    assert sent["model"] == "test-model"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"] == Rule.model_json_schema()
    assert sent["messages"][-1] == {"role": "user", "content": README}
    assert fake.headers[0]["Authorization"] == "Bearer k-123"


def test_image_request_sends_a_data_uri_and_reads_a_fenced_reply(fake):
    png = _chart_png()
    fake.add(Reply(recorded("chart_rule.md")))
    result = rules_from_image(png, config=_config(fake))
    grammar = read_rules(CHART_RULES)
    assert explain(result.rule) == explain(grammar)
    assert result.rule.parameters == grammar.parameters
    parts = fake.requests[0]["messages"][-1]["content"]
    image = next(p for p in parts if p["type"] == "image_url")["image_url"]["url"]
    prefix = "data:image/png;base64,"
    assert image.startswith(prefix)
    assert base64.b64decode(image[len(prefix) :]) == png


def test_a_malformed_reply_gets_one_repair_request(fake):
    fake.add(Reply(recorded("malformed.txt")), Reply(recorded("readme_rule.json")))
    result = rules_from_text(README, _config(fake))
    assert result.attempts == 2
    assert explain(result.rule) == explain(read_rules(README))
    repair = fake.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": recorded("malformed.txt")}
    assert "not valid JSON" in repair[-1]["content"]


@pytest.mark.parametrize(
    ("first", "second", "says"),
    [
        ("malformed.txt", "malformed.txt", "not valid JSON"),
        ("invalid_rule.json", "invalid_rule.json", "direction"),
    ],
)
def test_two_bad_replies_are_an_error_and_no_third_request(fake, first, second, says):
    fake.add(Reply(recorded(first)), Reply(recorded(second)), Reply(recorded("readme_rule.json")))
    with pytest.raises(LlmError, match="after one repair request") as e:
        rules_from_text(README, _config(fake))
    assert says in e.value.message
    assert len(fake.requests) == 2


def test_a_timeout_is_a_clear_error(fake):
    fake.add(Reply(recorded("readme_rule.json"), delay=2.0))
    with pytest.raises(LlmError, match=r"did not answer within 0\.3 s"):
        rules_from_text(README, _config(fake, timeout=0.3))


def test_429_and_5xx_are_retried_then_given_up(fake):
    fake.add(Reply(status=429), Reply(status=503), Reply(recorded("readme_rule.json")))
    assert rules_from_text(README, _config(fake)).attempts == 1
    assert len(fake.requests) == 3
    fake.add(Reply(status=500), Reply(status=502), Reply(status=503))
    with pytest.raises(LlmError, match="failed 3 times; last: HTTP 503"):
        rules_from_text(README, _config(fake))
    fake.add(Reply(status=401, content="bad key"))
    with pytest.raises(LlmError, match="refused the request: HTTP 401"):
        rules_from_text(README, _config(fake))


def test_an_absent_endpoint_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = LlmConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout=5)
    with pytest.raises(LlmError, match="cannot reach the LLM endpoint"):
        rules_from_text(README, config)


def test_configuration_from_the_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="needs an LLM endpoint") as e:
        config_from_settings()
    assert e.value.message == NEEDS_ENDPOINT and e.value.field == "AVA_LLM_BASE_URL"
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-1")
    c = config_from_settings()
    assert (c.base_url, c.api_key) == (OPENROUTER_URL, "sk-or-1") and c.model
    monkeypatch.delenv("OPENROUTER_API_KEY")
    monkeypatch.setenv("AVA_LLM_BASE_URL", "http://127.0.0.1:9/v1/")
    with pytest.raises(ConfigError, match="AVA_LLM_MODEL"):
        config_from_settings()
    monkeypatch.setenv("AVA_LLM_MODEL", "llama3")
    monkeypatch.setenv("AVA_LLM_TIMEOUT", "12.5")
    c = config_from_settings()
    assert (c.base_url, c.model, c.api_key, c.timeout) == (
        "http://127.0.0.1:9/v1",
        "llama3",
        None,
        12.5,
    )


def test_finish_rule_refuses_what_the_grammar_would_refuse():
    doc = json.loads(recorded("readme_rule.json"))
    doc["long_entry"]["left"]["name"] = "vwap_magic"
    with pytest.raises(ConfigError, match="unknown indicator 'vwap_magic'"):
        finish_rule(doc)
    doc = json.loads(recorded("readme_rule.json"))
    doc["long_entry"]["left"]["args"][0]["value"] = 20.5
    with pytest.raises(ConfigError, match="whole number"):
        finish_rule(doc)
    doc = json.loads(recorded("readme_rule.json"))
    doc["size"] = {
        "mode": "risk",
        "value": {"type": "num", "value": 0.01, "role": "fraction", "hint": ""},
    }
    with pytest.raises(ConfigError, match="needs a stop loss"):
        finish_rule(doc)
    with pytest.raises(ConfigError, match="no entry"):
        finish_rule({"text": "no rules"})
    # hints chosen by the model never become parameter names: they are recomputed
    doc = json.loads(recorded("readme_rule.json"))
    doc["long_entry"]["left"]["args"][0]["hint"] = "x; import os"
    assert [p.name for p in finish_rule(doc).parameters] == ["ema_fast_period", "ema_slow_period"]


@pytest.fixture
def sqlite_client(sqlite_url):
    from tests.api.conftest import make_client

    with make_client(sqlite_url, workers=1) as client:
        yield client


def test_api_parse_with_the_llm_then_save_the_rule_form(fake, sqlite_client, monkeypatch, tmp_path):
    monkeypatch.setenv("AVA_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("AVA_LLM_MODEL", "test-model")
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(tmp_path / "strategies"))
    fake.add(Reply(recorded("readme_rule.json")))
    r = sqlite_client.post(
        "/api/v2/builder/parse", json={"input": README, "name": "llm_cross", "llm": True}
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    grammar = sqlite_client.post(
        "/api/v2/builder/parse", json={"input": README, "name": "llm_cross"}
    ).json()
    assert doc["code"] == grammar["code"] and doc["rule"] == grammar["rule"]
    # the UI saves what the LLM read as a rule form: compiled, verified, registered
    saved = sqlite_client.post(
        "/api/v2/builder/strategies", json={"rule": doc["rule"], "name": "llm_cross"}
    )
    assert saved.status_code == 201, saved.text
    assert all(c["ok"] for c in saved.json()["verification"])
    assert sqlite_client.get("/api/v2/strategies/llm_cross").status_code == 200
    fake.add(Reply(recorded("malformed.txt")), Reply(recorded("malformed.txt")))
    bad = sqlite_client.post(
        "/api/v2/builder/parse", json={"input": README, "name": "llm_cross", "llm": True}
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "llm_error"
    from ava_backtest.strategies.registry import reload_plugins

    monkeypatch.undo()
    reload_plugins()
