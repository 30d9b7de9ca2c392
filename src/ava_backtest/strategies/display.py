"""The series a researcher should see beside a strategy's trades: overlays drawn on the price
(moving averages, bands, channels, stop levels) and panes below it (RSI, MACD, z-score...).

A strategy declares them on the class (``display = (Overlay(...), Pane(...))``, or ``()`` for
none) and returns their values in ``Signals.series`` from the same arrays its rule used, so the
chart shows exactly what the strategy traded on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Style = Literal["line", "histogram", "dots"]


@dataclass(frozen=True, slots=True)
class Display:
    """One series. ``label`` may name parameters in braces (``"SMA {fast_period}"``); ``pane``
    groups series drawn in one pane; ``levels`` are horizontal lines, numbers or parameter names."""

    name: str
    label: str
    kind: Literal["overlay", "pane"]
    pane: str = ""
    levels: tuple[float | str, ...] = ()
    style: Style = "line"

    def describe(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label.format(**params),
            "kind": self.kind,
            "pane": self.pane or (self.name if self.kind == "pane" else ""),
            "levels": [params[v] if isinstance(v, str) else v for v in self.levels],
            "style": self.style,
        }


def Overlay(name: str, label: str = "", style: Style = "line") -> Display:
    """A series drawn on the price chart, in price units."""
    return Display(name, label or name, "overlay", style=style)


def Pane(
    name: str,
    label: str = "",
    *,
    pane: str = "",
    levels: tuple[float | str, ...] = (),
    style: Style = "line",
) -> Display:
    """A series drawn in its own pane below the price (or in ``pane``, shared with others)."""
    return Display(name, label or name, "pane", pane=pane, levels=tuple(levels), style=style)
