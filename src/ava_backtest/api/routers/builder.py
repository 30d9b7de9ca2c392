"""/api/v2/builder: plain-English rules -> the rule form and a kit strategy's code (``parse``, a
preview that writes and runs nothing; ``llm`` reads the text with the LLM endpoint), screenshots
-> the recognised text (``ocr``) or a preview (``image``), and -> a verified, saved, registered
strategy (``strategies``: from ``input``, edited ``code`` or a ``rule`` form). Unreadable text is
a 422 whose details name the phrase, its column and what the grammar expected there; refused
code is a 422 ``verification_failed`` listing each check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/builder", tags=["builder"])

StrategyName = Annotated[
    str,
    Field(
        min_length=2,
        max_length=63,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="strategy name: lower-case letters, digits and '_'",
    ),
]
Category = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$", description="category")
]


class BuildIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(
        min_length=1,
        max_length=1000,
        description="the rules in plain English, e.g. 'Buy when 20 EMA crosses above 50 EMA, "
        "sell on cross-under'",
    )
    name: StrategyName = "my_strategy"
    category: Category = "custom"
    llm: bool = Field(
        False,
        description="read the text with the configured LLM endpoint (AVA_LLM_BASE_URL or "
        "OPENROUTER_API_KEY) instead of the grammar",
    )


class SaveIn(BaseModel):
    """Exactly one of ``input`` (English rules), ``code`` (a strategy file, e.g. the generated code
    as edited in the UI) or ``rule`` (a rule form, e.g. what an LLM preview returned)."""

    model_config = ConfigDict(extra="forbid")

    input: str | None = Field(
        None, min_length=1, max_length=1000, description="the rules in plain English"
    )
    code: str | None = Field(
        None,
        min_length=1,
        max_length=200_000,
        description="a kit strategy file (verified before it is registered)",
    )
    rule: dict[str, Any] | None = Field(
        None, description="a rule form (ava_backtest.builder.rules.Rule) to compile and save"
    )
    name: StrategyName = "my_strategy"
    category: Category = "custom"
    overwrite: bool = Field(False, description="replace an existing file of that name")


class ParameterOut(BaseModel):
    name: str
    kind: str
    default: float
    minimum: float
    maximum: float
    description: str
    below: str | None = None
    window: bool = False


class BuildOut(BaseModel):
    name: str
    category: str
    direction: str = Field(description="long_only, long_short or short_only")
    rule: dict[str, Any] | None = Field(
        description="the rule form (ava_backtest.builder.rules.Rule)"
    )
    explained: list[str] = Field(description="the rules as read, one line each")
    parameters: list[ParameterOut]
    code: str = Field(description="the generated strategy file")
    path: str | None = Field(None, description="where it was saved (save only)")
    checks: list[str] = Field(default=[], description="what was checked before registering")
    verification: list[dict[str, Any]] = Field(
        default=[], description="each check before registering: {name, ok, detail}"
    )


@router.post("/parse", response_model=BuildOut, summary="Read rules; preview the strategy code")
def parse(body: BuildIn) -> BuildOut:
    from ava_backtest.builder.service import preview, preview_llm

    read = preview_llm if body.llm else preview
    return BuildOut(**read(body.input, body.name, body.category).to_dict())


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=200_000, description="a kit strategy file")
    name: str = Field(
        "my_strategy",
        min_length=2,
        max_length=63,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="the strategy name the file declares",
    )


class CheckItem(BaseModel):
    name: str
    ok: bool
    detail: str


class CheckOut(BaseModel):
    ok: bool
    checks: list[CheckItem]
    line: int | None = Field(None, description="the line at fault, when a check names one")


@router.post(
    "/check",
    response_model=CheckOut,
    summary="Verify a strategy file (allow-list, worker run) without saving it",
)
async def check(body: CheckIn) -> CheckOut:
    from ava_backtest.builder.service import check_code

    report, line = await run_in_threadpool(check_code, body.code, body.name)
    return CheckOut(ok=report.ok, checks=report.to_list(), line=line)


class OcrLineOut(BaseModel):
    text: str
    confidence: float


class OcrOut(BaseModel):
    text: str = Field(description="the recognised text, to be shown for correction")
    confidence: float = Field(description="mean word confidence, 0-100")
    lines: list[OcrLineOut]
    kind: str = Field(description="pine, english or none (no readable rules: a chart)")
    llm_available: bool = Field(description="whether an LLM endpoint is configured")


class ImageOut(BuildOut):
    source: str = Field(description="which reader made the strategy: english, pine or llm")
    ocr: OcrOut | None = Field(None, description="the recognised text (None: the LLM read it)")


async def _image_bytes(image: UploadFile) -> bytes:
    from ava_backtest.builder.ocr import MAX_IMAGE_BYTES
    from ava_backtest.domain.errors import ConfigError

    data = await image.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ConfigError(f"the image is larger than {MAX_IMAGE_BYTES} bytes", field="image")
    return data


@router.post("/ocr", response_model=OcrOut, summary="Read the text of a screenshot (OCR)")
async def ocr(
    image: UploadFile = File(description="a PNG/JPEG screenshot of rules or Pine code"),
) -> OcrOut:
    from ava_backtest.builder.llm import configured
    from ava_backtest.builder.ocr import read_image

    result = await run_in_threadpool(read_image, await _image_bytes(image))
    return OcrOut(**result.to_dict(), llm_available=configured())


@router.post(
    "/image",
    response_model=ImageOut,
    summary="Screenshot -> OCR -> Pine or English reader (a chart: the LLM); preview",
)
async def image_preview(
    image: UploadFile = File(description="a PNG/JPEG screenshot of rules, Pine code or a chart"),
    name: str = Form("my_strategy", description="strategy name"),
    category: str = Form("custom", description="category"),
    llm: bool = Form(False, description="send the image to the LLM (vision) directly"),
) -> ImageOut:
    from ava_backtest.builder.service import preview_image

    data = await _image_bytes(image)
    shown = await run_in_threadpool(preview_image, data, name, category, llm=llm)
    doc = shown.to_dict()
    if doc["ocr"] is not None:
        from ava_backtest.builder.llm import configured

        doc["ocr"]["llm_available"] = configured()
    return ImageOut(**doc)


@router.post(
    "/strategies",
    response_model=BuildOut,
    status_code=201,
    summary="Build, save, register and check a strategy",
)
async def create(body: SaveIn) -> BuildOut:
    from ava_backtest.builder.service import save, save_code, save_rule
    from ava_backtest.domain.errors import ConfigError

    given = [k for k in ("input", "code", "rule") if getattr(body, k) is not None]
    if len(given) != 1:
        raise ConfigError(
            "give exactly one of input (English rules), code (a strategy file) or rule (a rule "
            f"form); got {', '.join(given) or 'none'}",
            field=given[1] if len(given) > 1 else "input",
        )
    if body.input is not None:
        built = await run_in_threadpool(
            save, body.input, body.name, body.category, overwrite=body.overwrite
        )
    elif body.code is not None:
        built = await run_in_threadpool(
            save_code, body.code, body.name, body.category, overwrite=body.overwrite
        )
    else:
        built = await run_in_threadpool(
            save_rule, body.rule, body.name, body.category, overwrite=body.overwrite
        )
    return BuildOut(**built.to_dict())


class PineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pine: str = Field(
        min_length=1,
        max_length=50_000,
        description="a Pine Script v4/v5 strategy (//@version=4 or 5, strategy(...))",
    )
    name: StrategyName = "my_strategy"
    category: Category = "custom"
    overwrite: bool = Field(False, description="replace an existing file of that name (save)")


class PineParameterOut(BaseModel):
    name: str
    kind: str = Field(description="int, float, bool or choice")
    default: float | bool | str
    minimum: float | None
    maximum: float | None
    description: str
    choices: list[str | float | bool]
    pine_name: str = Field(description="the Pine variable the input was assigned to")


class PineOut(BaseModel):
    name: str
    category: str
    source: str = Field("pine", description="always pine")
    title: str = Field(description="the strategy(...) title")
    pine_version: int
    direction: str = Field(description="long_only, long_short or short_only")
    explained: list[str]
    parameters: list[PineParameterOut]
    notes: list[str] = Field(description="what the file leaves to the run or to the chart")
    code: str = Field(description="the generated strategy file")
    path: str | None = Field(None, description="where it was saved (save only)")
    checks: list[str] = Field(default=[], description="what was checked before registering")
    verification: list[dict[str, Any]] = Field(default=[], description="{name, ok, detail}")


def _pine_out(doc: dict[str, Any]) -> PineOut:
    return PineOut(**{k: v for k, v in doc.items() if k in PineOut.model_fields})


@router.post("/pine", response_model=PineOut, summary="Transpile a Pine Script strategy (preview)")
def pine_preview(body: PineIn) -> PineOut:
    """Nothing is written or run. An unsupported construct is a 422 whose
    ``details.problems`` list each one's line, column, construct and reason."""
    from ava_backtest.builder.pine.service import preview

    return _pine_out(preview(body.pine, body.name, body.category).to_dict())


@router.post(
    "/pine/strategies",
    response_model=PineOut,
    status_code=201,
    summary="Transpile a Pine Script strategy, verify, save and register it",
)
async def pine_save(body: PineIn) -> PineOut:
    from ava_backtest.builder.pine.service import save

    shown = await run_in_threadpool(
        save, body.pine, body.name, body.category, overwrite=body.overwrite
    )
    return _pine_out(shown.to_dict())
