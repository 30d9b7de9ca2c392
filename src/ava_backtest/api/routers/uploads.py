"""/api/v2/data/upload: a user's own daily bars (CSV, CSV.gz or Parquet), validated, then stored;
/data/upload-intraday the same for one symbol's intraday bars, /data/earnings earnings dates,
/data/options-chain and /data/implied-volatility the options data (data.options),
/data/put-call-ratio and /data/open-interest options positioning (data.positioning).

An uploaded symbol is listed by /data/symbols after the shipped ones and can be backtested like
them. A file is only ever parsed as data: a cell that is not a date or a number is refused (422),
never evaluated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ava_backtest.api.errors import ApiError, ErrorResponse
from ava_backtest.data.earnings import delete_earnings, ingest_earnings, read_earnings
from ava_backtest.data.intraday import ingest_intraday_upload
from ava_backtest.data.options import CHAIN, IV, delete_table, ingest_table, read_table
from ava_backtest.data.positioning import OI, PCR
from ava_backtest.data.upload import MAX_BYTES, ingest_upload
from ava_backtest.data.user_store import (
    ShippedSymbolError,
    delete_user_bars,
    refuse_shipped,
)

router = APIRouter(prefix="/data", tags=["data"])

MAX_ISSUES_SHOWN = 200


class IssueGroupOut(BaseModel):
    """Findings of one kind with one detail, e.g. 14 rows "not a US session; dropped"."""

    kind: str
    detail: str
    severity: str
    action: str
    count: int
    first: str | None = None
    """The earliest date it was found on (None for findings about the whole file)."""
    last: str | None = None


class ValidationOut(BaseModel):
    issues: list[dict[str, Any]]
    """The validator's findings (the first 200): symbol, date, kind, detail, severity, action."""
    issues_total: int
    repaired: int
    """How many findings were repaired (rows dropped or prices clipped) before storing."""
    summary: list[IssueGroupOut]
    """Every finding, grouped by kind and detail (most frequent first): what the page shows."""


class UploadOut(BaseModel):
    symbol: str
    market: str
    rows: int
    """Bars stored."""
    rows_in_file: int
    """Data rows read from the file; ``rows_dropped`` of them were not stored."""
    rows_dropped: int
    first: dt.date
    last: dt.date
    source: str
    validation: ValidationOut


def _summary(issues: list[dict[str, Any]]) -> list[IssueGroupOut]:
    groups: dict[tuple[str, str, str, str], list[str | None]] = {}
    for i in issues:
        key = (i["kind"], i["detail"], i["severity"], i["action"])
        groups.setdefault(key, []).append(i["date"])
    out = []
    for (kind, detail, severity, action), dates in groups.items():
        known = sorted(d for d in dates if d is not None)
        out.append(
            IssueGroupOut(
                kind=kind,
                detail=detail,
                severity=severity,
                action=action,
                count=len(dates),
                first=known[0] if known else None,
                last=known[-1] if known else None,
            )
        )
    return sorted(out, key=lambda g: (-g.count, g.kind, g.detail))


class DeletedOut(BaseModel):
    deleted: bool


def _conflict(exc: ShippedSymbolError) -> ApiError:
    details = {"field": exc.field, **(exc.details if isinstance(exc.details, dict) else {})}
    return ApiError(409, exc.code, str(exc), details)


@router.post(
    "/upload",
    response_model=UploadOut,
    status_code=201,
    summary="Upload daily bars for a new symbol (CSV, CSV.gz or Parquet, at most 20 MB)",
    responses={409: {"model": ErrorResponse}, 413: {"model": ErrorResponse}},
)
async def upload(
    market: Literal["US", "IN", "24x7"] = Form(...),
    symbol: str = Form(
        ..., min_length=1, max_length=20, description="1-20 characters of A-Z 0-9 . _ -"
    ),
    file: UploadFile = File(
        ..., description="columns Date, Open, High, Low, Close, Volume; Adj Close optional"
    ),
) -> UploadOut:
    """Parses the file (never executes it), runs the validator (repairs what is safe, refuses
    unusable data with 422 and its findings in ``details``), then stores the bars, replacing an
    earlier upload of the same symbol. A shipped symbol's name is refused with 409."""
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ApiError(
            413, "payload_too_large", f"the file is over {MAX_BYTES:,} bytes (20 MB)", None
        )
    try:
        result = await run_in_threadpool(
            ingest_upload, market, symbol, file.filename or "", content
        )
    except ShippedSymbolError as exc:
        raise _conflict(exc) from None
    issues = result.report.to_frame().to_dicts()
    return UploadOut(
        symbol=result.info.symbol,
        market=market,
        rows=result.rows,
        rows_in_file=result.rows_in_file,
        rows_dropped=result.rows_in_file - result.rows,
        first=result.info.first,
        last=result.info.last,
        source=result.info.source,
        validation=ValidationOut(
            issues=issues[:MAX_ISSUES_SHOWN],
            issues_total=len(issues),
            repaired=result.repaired,
            summary=_summary(issues),
        ),
    )


@router.delete(
    "/upload/{market}/{symbol}",
    response_model=DeletedOut,
    summary="Delete an uploaded symbol",
    responses={409: {"model": ErrorResponse}},
)
async def delete_upload(market: Literal["US", "IN", "24x7"], symbol: str) -> DeletedOut:
    """404 when there is no such upload; 409 for a shipped symbol (shipped data is not deleted)."""
    try:
        refuse_shipped(market, symbol)
    except ShippedSymbolError as exc:
        raise _conflict(exc) from None
    name = symbol.strip().upper()
    if not await run_in_threadpool(delete_user_bars, market, name):
        raise ApiError(
            404,
            "not_found",
            f"no uploaded symbol {name!r} on market {market}",
            {"field": "path"},
        )
    return DeletedOut(deleted=True)


class IntradayUploadOut(UploadOut):
    timeframe: str
    rows_outside_sessions: int
    """Rows outside the exchange's regular sessions (pre/post-market): dropped."""


@router.post(
    "/upload-intraday",
    response_model=IntradayUploadOut,
    status_code=201,
    summary="Upload one symbol's intraday bars (1m, 5m, 15m or 30m; CSV, CSV.gz or Parquet)",
    responses={409: {"model": ErrorResponse}, 413: {"model": ErrorResponse}},
)
async def upload_intraday(
    market: Literal["US", "IN"] = Form(...),
    symbol: str = Form(
        ..., min_length=1, max_length=20, description="1-20 characters of A-Z 0-9 . _ -"
    ),
    timeframe: Literal["1m", "5m", "15m", "30m"] = Form(...),
    file: UploadFile = File(
        ...,
        description="columns Timestamp (bar start, ISO 8601; exchange time unless it has an "
        "offset), Open, High, Low, Close, Volume",
    ),
) -> IntradayUploadOut:
    """Stores the bars as an uploaded symbol of that timeframe on the exchange's session grid
    (docs/data.md, 'Intraday bars'): rows outside the regular sessions are dropped and counted, a
    bar that does not start a ``timeframe`` bar of a session is refused (422) naming its row."""
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ApiError(
            413, "payload_too_large", f"the file is over {MAX_BYTES:,} bytes (20 MB)", None
        )
    try:
        result = await run_in_threadpool(
            ingest_intraday_upload, market, symbol, timeframe, file.filename or "", content
        )
    except ShippedSymbolError as exc:
        raise _conflict(exc) from None
    issues = result.report.to_frame().to_dicts()
    return IntradayUploadOut(
        symbol=result.info.symbol,
        market=market,
        rows=result.rows,
        rows_in_file=result.rows_in_file,
        rows_dropped=result.rows_in_file - result.rows,
        first=result.info.first,
        last=result.info.last,
        source=result.info.source,
        timeframe=timeframe,
        rows_outside_sessions=result.outside_sessions,
        validation=ValidationOut(
            issues=issues[:MAX_ISSUES_SHOWN],
            issues_total=len(issues),
            repaired=result.repaired,
            summary=_summary(issues),
        ),
    )


class EarningsOut(BaseModel):
    market: str
    rows: int
    """Rows read from the file (each replaces its symbol's earlier rows)."""
    symbols: list[str]
    first: dt.date
    last: dt.date
    stored_rows: int
    """Rows stored for the market after this upload, all symbols."""


@router.post(
    "/earnings",
    response_model=EarningsOut,
    status_code=201,
    summary="Upload earnings dates (CSV or Parquet: symbol, date, time = bmo|amc|dmh, eps)",
)
async def upload_earnings(
    market: Literal["US", "IN"] = Form(...),
    file: UploadFile = File(
        ...,
        description="columns symbol, date, time (bmo, amc or dmh); eps_estimate and eps_actual "
        "optional",
    ),
) -> EarningsOut:
    """Earnings dates for strategies that need them (docs/data.md, 'Earnings dates'): the symbols
    in the file replace their earlier rows; other symbols' rows are kept."""
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ApiError(
            413, "payload_too_large", f"the file is over {MAX_BYTES:,} bytes (20 MB)", None
        )
    frame = await run_in_threadpool(ingest_earnings, market, file.filename or "", content)
    stored = await run_in_threadpool(read_earnings, market)
    return EarningsOut(
        market=market,
        rows=frame.height,
        symbols=sorted(set(frame["symbol"].to_list())),
        first=frame["date"].min(),
        last=frame["date"].max(),
        stored_rows=stored.height,
    )


@router.delete("/earnings/{market}", response_model=DeletedOut, summary="Delete earnings dates")
async def delete_earnings_dates(market: Literal["US", "IN"]) -> DeletedOut:
    """404 when no earnings dates are stored for the market."""
    if not await run_in_threadpool(delete_earnings, market):
        raise ApiError(
            404, "not_found", f"no earnings dates stored for market {market}", {"field": "path"}
        )
    return DeletedOut(deleted=True)


class OptionsDataOut(BaseModel):
    market: str
    rows: int
    """Rows read from the file (its symbols' earlier rows are replaced)."""
    symbols: list[str]
    first: dt.date
    last: dt.date
    stored_rows: int
    """Rows stored for the market after this upload, all symbols."""


async def _options_upload(kind: Any, market: str, file: UploadFile) -> OptionsDataOut:
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ApiError(
            413, "payload_too_large", f"the file is over {MAX_BYTES:,} bytes (20 MB)", None
        )
    frame = await run_in_threadpool(ingest_table, kind, market, file.filename or "", content)
    stored = await run_in_threadpool(read_table, kind, market)
    return OptionsDataOut(
        market=market,
        rows=frame.height,
        symbols=sorted(set(frame["symbol"].to_list())),
        first=frame["date"].min(),
        last=frame["date"].max(),
        stored_rows=stored.height,
    )


async def _options_delete(kind: Any, market: str) -> DeletedOut:
    if not await run_in_threadpool(delete_table, kind, market):
        raise ApiError(
            404, "not_found", f"no {kind.what} stored for market {market}", {"field": "path"}
        )
    return DeletedOut(deleted=True)


@router.post(
    "/options-chain",
    response_model=OptionsDataOut,
    status_code=201,
    summary="Upload an options chain (CSV or Parquet: symbol, date, expiry, strike, type, "
    "open_interest, gamma)",
)
async def upload_options_chain(
    market: Literal["US", "IN"] = Form(...),
    file: UploadFile = File(
        ...,
        description="columns symbol, date, expiry, strike, type (call or put), open_interest, "
        "gamma; delta and implied_volatility optional",
    ),
) -> OptionsDataOut:
    """Open interest and greeks per strike per date for strategies that need them (docs/data.md,
    'Options chain'): the symbols in the file replace their earlier rows; others are kept."""
    return await _options_upload(CHAIN, market, file)


@router.delete(
    "/options-chain/{market}", response_model=DeletedOut, summary="Delete the options chain"
)
async def delete_options_chain(market: Literal["US", "IN"]) -> DeletedOut:
    """404 when no options chain is stored for the market."""
    return await _options_delete(CHAIN, market)


@router.post(
    "/implied-volatility",
    response_model=OptionsDataOut,
    status_code=201,
    summary="Upload an implied-volatility history (CSV or Parquet: symbol, date, iv)",
)
async def upload_implied_volatility(
    market: Literal["US", "IN"] = Form(...),
    file: UploadFile = File(..., description="columns symbol, date, iv (a decimal: 0.25 = 25%)"),
) -> OptionsDataOut:
    """One implied volatility per symbol per session for strategies that need it (docs/data.md,
    'Implied volatility'): the symbols in the file replace their earlier rows; others are kept."""
    return await _options_upload(IV, market, file)


@router.delete(
    "/implied-volatility/{market}",
    response_model=DeletedOut,
    summary="Delete the implied-volatility history",
)
async def delete_implied_volatility(market: Literal["US", "IN"]) -> DeletedOut:
    """404 when no implied-volatility history is stored for the market."""
    return await _options_delete(IV, market)


@router.post(
    "/put-call-ratio",
    response_model=OptionsDataOut,
    status_code=201,
    summary="Upload a put/call ratio history (CSV or Parquet: symbol, date, put_call_ratio)",
)
async def upload_put_call_ratio(
    market: Literal["US", "IN"] = Form(...),
    file: UploadFile = File(
        ...,
        description="columns symbol, date, put_call_ratio (puts / calls, > 0); put_volume and "
        "call_volume optional",
    ),
) -> OptionsDataOut:
    """One put/call ratio per symbol per session for strategies that need it (docs/data.md,
    'Put/call ratio'): the symbols in the file replace their earlier rows; others are kept."""
    return await _options_upload(PCR, market, file)


@router.delete(
    "/put-call-ratio/{market}",
    response_model=DeletedOut,
    summary="Delete the put/call ratio history",
)
async def delete_put_call_ratio(market: Literal["US", "IN"]) -> DeletedOut:
    """404 when no put/call ratio history is stored for the market."""
    return await _options_delete(PCR, market)


@router.post(
    "/open-interest",
    response_model=OptionsDataOut,
    status_code=201,
    summary="Upload open interest by strike (CSV or Parquet: symbol, date, expiry, strike, type, "
    "open_interest)",
)
async def upload_open_interest(
    market: Literal["US", "IN"] = Form(...),
    file: UploadFile = File(
        ...,
        description="columns symbol, date, expiry, strike, type (call or put), open_interest",
    ),
) -> OptionsDataOut:
    """Open interest per strike and expiry per date for strategies that need it (docs/data.md,
    'Open interest by strike'): the symbols in the file replace their earlier rows; others are
    kept."""
    return await _options_upload(OI, market, file)


@router.delete(
    "/open-interest/{market}",
    response_model=DeletedOut,
    summary="Delete the open interest by strike",
)
async def delete_open_interest(market: Literal["US", "IN"]) -> DeletedOut:
    """404 when no open interest is stored for the market."""
    return await _options_delete(OI, market)
