"""Build the package's sample Parquet files from the shared CSV sample data.

    .venv/bin/python tools/build_sample_data.py [--source ../shared/data]

Rows are kept exactly as the source has them (order, duplicates, partial bars): repairing is the
validator's job at load time, where it is reported. Only the encoding changes: typed columns
(daily ``date`` as pl.Date, intraday ``ts`` as UTC Datetime, float64 prices, int64 volume), zstd,
and the provenance written into each file's key-value metadata. The output is deterministic, so
rebuilding from the same sources gives byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from ava_backtest.data.sample_store import SAMPLE_DIR, SAMPLES, SampleSeries

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[2] / "shared" / "data"
)  # ../shared beside the repo
PRICES = ("open", "high", "low", "close", "adj_close")


def _read(path: Path, series: SampleSeries) -> pl.DataFrame:
    raw = pl.read_csv(path, infer_schema=False)
    if series.timeframe == "1d":
        time = pl.col("date").str.to_date("%Y-%m-%d")
    elif raw["ts"].str.ends_with("Z").all():
        time = pl.col("ts").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", time_unit="us", time_zone="UTC")
    else:
        # Naive timestamps: the source is UTC (see the sample's note).
        time = pl.col("ts").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us")
        time = time.dt.replace_time_zone("UTC")
    cols = [time]
    # FRED-style "." marks a day without a value (VIX on exchange holidays): stored as null.
    cols += [
        pl.col(c).replace(".", None).cast(pl.Float64).alias(c) for c in PRICES if c in raw.columns
    ]
    if "volume" in raw.columns:
        cols.append(pl.col("volume").cast(pl.Int64))
    return raw.select(cols)


def build(source: Path, out: Path = SAMPLE_DIR) -> list[tuple[Path, int, int]]:
    written = []
    for series in SAMPLES:
        frame = _read(source / series.source_file, series)
        target = out / series.file.relative_to(SAMPLE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(
            target,
            compression="zstd",
            compression_level=19,
            statistics=False,
            metadata={
                "ava.symbol": series.symbol,
                "ava.market": series.market,
                "ava.price_basis": series.price_basis,
                "ava.source": series.source,
                "ava.licence": series.licence,
                "ava.source_file": series.source_file,
            },
        )
        written.append((target, frame.height, target.stat().st_size))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args(argv)
    total = 0
    for path, rows, size in build(args.source):
        total += size
        print(f"{path.relative_to(SAMPLE_DIR)}: {rows} rows, {size / 1024:.1f} KiB")
    print(f"total {total / 1024:.1f} KiB in {SAMPLE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
