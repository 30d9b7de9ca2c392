"""Market data: shipped real samples, the synthetic generator, events, validation, universes, and
the panel builder that turns symbol names into the aligned arrays a run trades on."""

from ava_backtest.data.events import Events, derive_events, events_frame
from ava_backtest.data.panel import (
    LoadInfo,
    SymbolCoverage,
    load_panel,
    load_panel_with_info,
    load_universe_panel,
    validation_report,
)
from ava_backtest.data.synthetic import synthetic_bars, synthetic_panel_arrays
from ava_backtest.data.universes import (
    SymbolInfo,
    Universe,
    get_symbol,
    get_universe,
    list_symbols,
    list_universes,
)
from ava_backtest.data.validator import Issue, ValidationReport, check_bars, clean_bars

__all__ = [
    "Events",
    "Issue",
    "LoadInfo",
    "SymbolCoverage",
    "SymbolInfo",
    "Universe",
    "ValidationReport",
    "check_bars",
    "clean_bars",
    "derive_events",
    "events_frame",
    "get_symbol",
    "get_universe",
    "list_symbols",
    "list_universes",
    "load_panel",
    "load_panel_with_info",
    "load_universe_panel",
    "synthetic_bars",
    "synthetic_panel_arrays",
    "validation_report",
]
