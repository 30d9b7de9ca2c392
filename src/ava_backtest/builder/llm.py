"""The builder's LLM path: free text or an image (a chart, a screenshot) -> the rule form, through
any OpenAI-compatible chat-completions endpoint (OpenRouter, llama.cpp, Ollama, vLLM...).

The model is asked for the rule form itself (``response_format`` = a JSON schema generated from
``rules.Rule``); its reply is validated with pydantic and then *finished* here exactly as the
grammar finishes what it read (``finish_rule``): every number's role, parameter-name hint and
description come from where it stands (an indicator's argument, a level next to an indicator, a
stop distance...), never from the model, and the parameters are named by the grammar's own
function. The model never writes code: the compiler does, and the code is verified before it is
registered. A reply that is not valid JSON or not a valid rule gets one repair request (the
error is sent back); 429 and 5xx answers are retried with a backoff; a timeout or an absent
endpoint is a clear error.

Configuration: ``AVA_LLM_BASE_URL`` (…/v1), ``AVA_LLM_MODEL``, ``AVA_LLM_API_KEY`` or the
original's ``OPENROUTER_*`` names; with only ``OPENROUTER_API_KEY`` set the endpoint is
OpenRouter's. ``AVA_LLM_TIMEOUT`` (seconds per request, default 60).
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from ava_backtest.builder.rules import (
    INDICATORS,
    AllOf,
    AnyOf,
    Compare,
    Cross,
    Held,
    Indicator,
    Num,
    Price,
    Rule,
    Within,
)
from ava_backtest.domain.errors import AvaError, ConfigError

OPENROUTER_URL = "https://openrouter.ai/api/v1"
OPENROUTER_DEFAULT_MODEL = "openai/gpt-4o-mini"
NEEDS_ENDPOINT = "needs an LLM endpoint (set AVA_LLM_BASE_URL or OPENROUTER_API_KEY)"
MAX_IMAGE_BYTES = 8 * 1024 * 1024


class LlmError(AvaError):
    """The endpoint could not be reached, did not answer in time, or answered no valid rule."""

    code = "llm_error"


@dataclass(frozen=True, slots=True)
class LlmConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    retries: int = 2
    backoff: float = 1.0


def config_from_settings() -> LlmConfig:
    """The endpoint from the settings; a ConfigError naming the variable when there is none."""
    from ava_backtest.settings import get_settings

    s = get_settings()
    base = (s.llm_base_url or "").strip()
    key = (s.llm_api_key or "").strip() or None
    openrouter_key = (os.environ.get("OPENROUTER_API_KEY") or "").strip()
    if not base:
        if not openrouter_key:
            raise ConfigError(NEEDS_ENDPOINT, field="AVA_LLM_BASE_URL")
        base = OPENROUTER_URL
    model = (s.llm_model or "").strip()
    if not model:
        if base.rstrip("/") != OPENROUTER_URL:
            raise ConfigError(
                f"the LLM endpoint {base} needs a model name (set AVA_LLM_MODEL)",
                field="AVA_LLM_MODEL",
            )
        model = OPENROUTER_DEFAULT_MODEL
    raw = os.environ.get("AVA_LLM_TIMEOUT", "").strip()
    timeout = 60.0
    if raw:
        try:
            timeout = float(raw)
        except ValueError:
            raise ConfigError(
                f"AVA_LLM_TIMEOUT={raw!r} is not a number", field="AVA_LLM_TIMEOUT"
            ) from None
        if timeout <= 0:
            raise ConfigError("AVA_LLM_TIMEOUT must be positive", field="AVA_LLM_TIMEOUT")
    return LlmConfig(base_url=base.rstrip("/"), model=model, api_key=key, timeout=timeout)


def configured() -> bool:
    try:
        config_from_settings()
    except ConfigError:
        return False
    return True


# ------------------------------------------------------------------ finishing a rule form


def _label(name: str) -> str:
    from ava_backtest.builder.grammar import _LABEL

    return _LABEL.get(name, name.upper())


def _bad(field: str, msg: str) -> ConfigError:
    return ConfigError(msg, field=field)


def _whole_bars(num: Num, what: str, field: str) -> None:
    if num.value != int(num.value) or num.value < 1:
        raise _bad(field, f"{what} must be a whole number of bars from 1, not {num.value:g}")


def _finish_indicator(ind: Indicator, field: str) -> None:
    if ind.name not in INDICATORS:
        raise _bad(field, f"unknown indicator {ind.name!r}; known: {', '.join(sorted(INDICATORS))}")
    spec = INDICATORS[ind.name]
    roles: tuple[tuple[str, float], ...] = spec["args"]  # type: ignore[assignment]
    if len(ind.args) > len(roles):
        raise _bad(
            field,
            f"{_label(ind.name)} takes {len(roles)} number(s) "
            f"({', '.join(r for r, _ in roles)}), the rule gives {len(ind.args)}",
        )
    args = []
    for i, (role, default) in enumerate(roles):
        value = ind.args[i].value if i < len(ind.args) else float(default)
        is_mult = role == "mult"
        num = Num(
            value=value,
            role="multiple" if is_mult else "period",
            hint=f"{ind.name}_period" if role == "period" else f"{ind.name}_{role}",
            text=f"{_label(ind.name)} {'length' if role == 'period' else role.replace('_', ' ')}",
            integer=not is_mult,
        )
        if not is_mult:
            _whole_bars(num, f"{_label(ind.name)} {role}", field)
        args.append(num)
    ind.args = args
    allowed: tuple[str, ...] = spec["outputs"]  # type: ignore[assignment]
    if ind.output in ("value", allowed[0]):
        ind.output = ""
    if ind.output and ind.output not in allowed:
        raise _bad(
            field,
            f"{ind.output!r} is not a line of {_label(ind.name)}; it has {', '.join(allowed)}",
        )
    if ind.name in ("atr", "adx", "cci", "williams_r", "mfi", "stochastic", "donchian") and (
        ind.source != "close"
    ):
        raise _bad(
            field, f"{_label(ind.name)} is computed from high, low and close, not {ind.source}"
        )


def _finish_operands(left: Any, right: Any, side: str, field: str) -> None:
    for e in (left, right):
        if isinstance(e, Indicator):
            _finish_indicator(e, field)
    if isinstance(left, Num) and isinstance(right, Num):
        raise _bad(field, "a condition compares two numbers")
    prefix = {"long_entry": "entry", "long_exit": "exit", "short_entry": "short"}.get(side, "cover")
    kind = side.replace("_", " ").capitalize()
    for a, b in ((left, right), (right, left)):
        if isinstance(a, Num):
            a.role = "level"
            a.integer = False
            if isinstance(b, Indicator):
                out = b.output + "_" if b.output else ""
                a.hint = f"{prefix}_{b.name}_{out}level"
                a.text = f"{kind}: {_label(b.name)} {b.output + ' ' if b.output else ''}level"
                a.param = b.name  # the indicator whose range bounds the level (as the grammar)
            else:
                assert isinstance(b, Price)
                a.hint = f"{prefix}_{b.field}_level"
                a.text = f"{kind}: {b.field} level"
                a.param = ""


def _finish_condition(c: Any, side: str, field: str) -> None:
    if isinstance(c, Compare):
        _finish_operands(c.left, c.right, side, field)
    elif isinstance(c, Cross):
        _finish_operands(c.left, c.right, side, field)
        from ava_backtest.builder.grammar import name_fast_slow

        name_fast_slow(c.left, c.right)
    elif isinstance(c, Held | Within):
        what = "holds" if isinstance(c, Held) else "within"
        c.bars = Num(
            value=c.bars.value,
            role="bars",
            hint=f"{what}_bars",
            text=f"Bars the condition {what}",
            integer=True,
        )
        _whole_bars(c.bars, "a 'for/within N bars' count", field)
        _finish_condition(c.condition, side, field)
    elif isinstance(c, AllOf | AnyOf):
        if not c.conditions:
            raise _bad(field, f"an empty '{c.type}' condition in the {side.replace('_', ' ')}")
        for x in c.conditions:
            _finish_condition(x, side, field)


_EXIT_LABEL = {"stop_loss": "Stop loss", "take_profit": "Take profit", "trail": "Trailing stop"}


def finish_rule(rule: Rule | dict[str, Any], field: str = "rule") -> Rule:
    """Validate a rule form from outside the grammar (an LLM reply, JSON from the API) and give
    its numbers the roles, names and bounds the grammar would give the same rule."""
    from ava_backtest.builder.grammar import _name_parameters

    try:
        r = Rule.model_validate(rule.model_dump() if isinstance(rule, Rule) else rule)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _bad(field, f"not a rule form: {where}: {first['msg']}") from None
    for side in ("long_entry", "long_exit", "short_entry", "short_exit"):
        cond = getattr(r, side)
        if cond is not None:
            _finish_condition(cond, side, field)
    if r.long_entry is None and r.short_entry is None:
        raise _bad(field, "the rule has no entry (long_entry or short_entry)")
    for kind in ("stop_loss", "take_profit", "trail"):
        d = getattr(r.exits, kind)
        if d is None:
            continue
        if d.value.value <= 0:
            raise _bad(field, f"the {kind.replace('_', ' ')} distance must be positive")
        if d.unit == "fraction":
            d.value = Num(
                value=d.value.value,
                role="fraction",
                hint=kind,
                text=f"{_EXIT_LABEL[kind]}, a fraction of the fill price",
            )
        else:
            d.value = Num(
                value=d.value.value,
                role="multiple",
                hint=f"{kind}_atr_multiple",
                text=f"{_EXIT_LABEL[kind]}, in ATRs",
            )
            period = d.atr_period.value if d.atr_period is not None else 14.0
            d.atr_period = Num(
                value=period,
                role="period",
                hint=f"{kind}_atr_period",
                text=f"{_EXIT_LABEL[kind]} ATR length",
                integer=True,
            )
            _whole_bars(d.atr_period, "the ATR length", field)
    if r.exits.max_hold is not None:
        r.exits.max_hold = Num(
            value=r.exits.max_hold.value,
            role="bars",
            hint="max_hold_bars",
            text="Close the position after this many bars",
            integer=True,
        )
        _whole_bars(r.exits.max_hold, "max hold", field)
    if r.size is not None:
        risk = r.size.mode == "risk"
        if risk and r.exits.stop_loss is None:
            raise _bad(field, "risk sizing needs a stop loss (the risk is measured to the stop)")
        if not 0 < r.size.value.value <= 1:
            raise _bad(
                field, f"the size is a fraction of equity in (0, 1], not {r.size.value.value:g}"
            )
        r.size.value = Num(
            value=r.size.value.value,
            role="fraction",
            hint="risk_per_trade" if risk else "equity_fraction",
            text="Equity risked per trade (over the stop distance)"
            if risk
            else "Fraction of equity per entry",
        )
    r.parameters = _name_parameters(r)
    return r


# ------------------------------------------------------------------ the endpoint


def _schema() -> dict[str, Any]:
    return Rule.model_json_schema()


SYSTEM_PROMPT = """You turn trading-strategy rules into JSON of the given schema (the rule form of a \
backtesting platform). Use only these indicators: {indicators}. Indicator args are numbers \
(e.g. EMA(20): {{"type":"indicator","name":"ema","source":"close","args":[{{"type":"num",\
"value":20,"role":"period","hint":"ema_period"}}],"output":""}}). Conditions: "compare" (>, <, \
>=, <=), "cross" (direction above/below: at or below on the previous bar, above now), "held" \
(true on each of the last N bars), "within" (true on one of the last N bars), "all", "any". \
Stops/targets/trails: unit "fraction" (0.05 = 5%) or "atr" (value = multiple, atr_period). \
"Sell on cross-under" means long_exit = the entry's cross with the direction reversed. Leave \
"param" empty and "parameters" []; roles and hints are recomputed. Write no code. If the input \
contains no trading rules, answer {{"text": "no rules"}} with no entry."""


def _messages(content: Any) -> list[dict[str, Any]]:
    return [
        {
            "role": "system",
            "content": SYSTEM_PROMPT.format(indicators=", ".join(sorted(INDICATORS))),
        },
        {"role": "user", "content": content},
    ]


def _post(client: httpx.Client, config: LlmConfig, payload: dict[str, Any]) -> dict[str, Any]:
    url = f"{config.base_url}/chat/completions"
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    last = ""
    for attempt in range(config.retries + 1):
        try:
            resp = client.post(url, json=payload, headers=headers, timeout=config.timeout)
        except httpx.TimeoutException:
            raise LlmError(
                f"the LLM endpoint {url} did not answer within {config.timeout:g} s",
                field="llm",
            ) from None
        except httpx.TransportError as e:
            raise LlmError(f"cannot reach the LLM endpoint {url}: {e}", field="llm") from None
        if resp.status_code == 429 or resp.status_code >= 500:
            last = f"HTTP {resp.status_code}: {resp.text[:200]}"
            if attempt < config.retries:
                wait = config.backoff * 2**attempt
                retry_after = resp.headers.get("retry-after", "")
                if retry_after.replace(".", "", 1).isdigit():
                    wait = min(float(retry_after), 30.0)
                time.sleep(wait)
                continue
            raise LlmError(
                f"the LLM endpoint {url} failed {config.retries + 1} times; last: {last}",
                field="llm",
            )
        if resp.status_code >= 400:
            raise LlmError(
                f"the LLM endpoint {url} refused the request: HTTP {resp.status_code}: "
                f"{resp.text[:300]}",
                field="llm",
            )
        try:
            doc = resp.json()
        except ValueError:
            raise LlmError(f"the LLM endpoint {url} answered no JSON", field="llm") from None
        return doc  # type: ignore[no-any-return]
    raise LlmError(f"the LLM endpoint {url} failed: {last}", field="llm")  # pragma: no cover


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _content(doc: dict[str, Any]) -> str:
    try:
        content = doc["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmError(
            f"the LLM reply has no choices[0].message.content: {json.dumps(doc)[:300]}",
            field="llm",
        ) from None
    if not isinstance(content, str):
        raise LlmError("the LLM reply's content is not text", field="llm")
    m = _FENCE.match(content)
    return m.group(1) if m else content


@dataclass(slots=True)
class LlmResult:
    rule: Rule
    model: str
    attempts: int
    reply: str


def _ask(content: Any, config: LlmConfig | None, text: str) -> LlmResult:
    config = config or config_from_settings()
    messages = _messages(content)
    payload: dict[str, Any] = {
        "model": config.model,
        "messages": messages,
        "temperature": 0,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "strategy_rule", "schema": _schema(), "strict": False},
        },
    }
    with httpx.Client() as client:
        error = ""
        reply = ""
        for attempt in (1, 2):
            reply = _content(_post(client, config, payload))
            try:
                data = json.loads(reply)
                if isinstance(data, dict) and not data.get("text"):
                    data["text"] = text
                rule = finish_rule(data, field="llm")
                return LlmResult(rule=rule, model=config.model, attempts=attempt, reply=reply)
            except json.JSONDecodeError as e:
                error = f"not valid JSON: {e}"
            except ConfigError as e:
                error = e.message
            if attempt == 1:  # one repair request: send the error back
                payload["messages"] = [
                    *messages,
                    {"role": "assistant", "content": reply},
                    {
                        "role": "user",
                        "content": f"That reply is invalid ({error}). Answer again with only "
                        "the JSON object of the schema.",
                    },
                ]
    raise LlmError(
        f"the LLM's reply is not a usable rule form after one repair request: {error}",
        field="llm",
        details={"reply": reply[:2000]},
    )


def rules_from_text(text: str, config: LlmConfig | None = None) -> LlmResult:
    """Free text -> the rule form, through the endpoint."""
    if not text.strip():
        raise ConfigError("the text is empty", field="input")
    if len(text) > 20_000:
        raise ConfigError("the text is longer than 20,000 characters", field="input")
    return _ask(text, config, text)


def image_mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    raise ConfigError("the image is not PNG, JPEG, WebP or GIF", field="image")


def rules_from_image(image: bytes, note: str = "", config: LlmConfig | None = None) -> LlmResult:
    """An image (chart, screenshot) -> the rule form, through a vision model (a data URI)."""
    if len(image) > MAX_IMAGE_BYTES:
        raise ConfigError(f"the image is larger than {MAX_IMAGE_BYTES} bytes", field="image")
    uri = f"data:{image_mime(image)};base64,{base64.b64encode(image).decode()}"
    content = [
        {
            "type": "text",
            "text": "Read the trading rules shown in this image (code, text or an annotated "
            "chart) into the rule form." + (f" Notes: {note}" if note else ""),
        },
        {"type": "image_url", "image_url": {"url": uri}},
    ]
    return _ask(content, config, note or "(from an image)")
