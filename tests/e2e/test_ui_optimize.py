"""The optimisation pages in a real browser: start a small grid study from a strategy, watch its
trials arrive, read the drawn heatmap and history, the overfitting panel with its explanation, and
open the best trial as a backtest run."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, TERMINAL


def _wait_study(api, study_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    row: dict = {}
    while time.monotonic() < deadline:
        row = api.get(f"/optimizations/{study_id}").json()
        if row.get("status") in TERMINAL:
            return row
        time.sleep(0.2)
    raise AssertionError(f"study {study_id} still {row.get('status')}")


def test_start_a_grid_study_see_trials_heatmap_overfitting_and_open_the_best_run(
    page, api, canvas_stats, wait_chart
):
    # The nav entry, the studies list, "start a study".
    page.goto("/strategies")
    page.get_by_test_id("nav-optimise").click()
    expect(page).to_have_url(re.compile(r"/optimizations$"))
    expect(page.get_by_test_id("new-study-link")).to_be_visible()
    page.goto("/strategies/sma_crossover")
    page.get_by_test_id("optimise-strategy").click()
    expect(page).to_have_url(re.compile(r"/optimizations/new\?strategy=sma_crossover$"))

    # Ranges pre-filled from the strategy's own bounds, then narrowed to a 3 x 3 grid.
    expect(page.get_by_test_id("strategy-select")).to_have_value("sma_crossover")
    fast_low = page.get_by_test_id("range-fast_period-low")
    expect(fast_low).to_be_visible()
    schema = api.get("/strategies/sma_crossover").json()["parameters"]["properties"]
    expect(fast_low).to_have_value(str(schema["fast_period"]["minimum"]))
    for row in page.locator('[data-testid^="range-"][data-testid$="-vary"]').all():
        name = row.get_attribute("data-testid")
        row.set_checked(name in ("range-fast_period-vary", "range-slow_period-vary"))
    for name, (low, high, step) in {
        "fast_period": (10, 30, 10),
        "slow_period": (40, 80, 20),
    }.items():
        page.get_by_test_id(f"range-{name}-low").fill(str(low))
        page.get_by_test_id(f"range-{name}-high").fill(str(high))
        page.get_by_test_id(f"range-{name}-step").fill(str(step))
    page.get_by_test_id("sampler-select").select_option("grid")
    expect(page.get_by_test_id("grid-size")).to_contain_text("9 combinations")
    page.get_by_test_id("objective-select").select_option("sharpe")
    page.get_by_test_id("target-symbols").check()
    page.get_by_test_id("symbols-input").fill("GOOG")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "optimize_new_study_form.png"), full_page=True)
    page.get_by_test_id("submit-study").click()

    # The study page: trials arrive in the table, the study completes.
    expect(page).to_have_url(re.compile(r"/optimizations/[^/?#]+$"), timeout=20_000)
    study_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_test_id("trial-row").first).to_be_visible(timeout=60_000)
    done = _wait_study(api, study_id)
    assert done["status"] == "completed", done
    assert done["n_trials"] == 9 and done["sampler"] == "grid"
    assert set(done["best_params"]) >= {"fast_period", "slow_period"}
    expect(page.get_by_test_id("study-status")).to_contain_text("completed", timeout=30_000)
    expect(page.get_by_test_id("trials-total")).to_contain_text("9 in all")
    expect(page.get_by_test_id("trial-row")).to_have_count(9)
    expect(page.get_by_test_id("trials-done")).to_contain_text("9 / 9")

    # Sorting by the objective (descending) puts the best trial first.
    page.get_by_test_id("sort-value").click()
    page.get_by_test_id("sort-value").click()
    expect(page.get_by_test_id("trial-row").first).to_contain_text(f"{done['best_trial']} ★")

    # The heatmap over the two parameters is drawn (coloured cells), the history chart too.
    wait_chart(page, "heatmap", min_pixels=2000)
    stats = canvas_stats(page, "heatmap")
    assert stats["saturated"] > 2000 and stats["colours"] > 9, stats
    wait_chart(page, "history-chart")
    wait_chart(page, "slice-plot")
    for p in ("fast_period", "slow_period"):
        expect(page.get_by_test_id(f"importance-{p}")).to_contain_text("%")

    # The overfitting panel: the API's numbers and its explanation lines.
    of = done["overfitting"]
    panel = page.get_by_test_id("overfitting-panel")
    expect(page.get_by_test_id("overfitting-verdict")).to_contain_text(of["verdict"] or "unknown")
    expect(page.get_by_test_id("of-score")).to_contain_text(f"{of['score']:.2f}")
    explanation = page.get_by_test_id("overfitting-explanation")
    assert of["explanation"], of
    expect(explanation.locator("li")).to_have_count(len(of["explanation"]))
    expect(explanation).to_contain_text(of["explanation"][0])
    expect(panel).to_contain_text("pbo")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "optimize_study_page.png"), full_page=True)
    page.get_by_test_id("theme-toggle").click()
    wait_chart(page, "heatmap", min_pixels=2000)
    page.screenshot(path=str(ARTIFACTS / "optimize_study_page_dark.png"), full_page=True)
    page.get_by_test_id("theme-toggle").click()

    # Export: the trials table as CSV, one row per trial with the parameters and the objective.
    with page.expect_download() as dl:
        page.get_by_test_id("export-trials-csv").click()
    lines = Path(dl.value.path()).read_text().splitlines()
    assert len(lines) == 1 + 9, lines[:3]
    header = lines[0].split(",")
    assert {"number", "param_fast_period", "param_slow_period", "objective_sharpe"} <= set(header)

    # The best trial as a backtest run: the run page of a new run with the best parameters.
    page.get_by_test_id("open-best-run").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=20_000)
    run_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    run = api.get(f"/backtests/{run_id}").json()
    assert run["strategy_name"] == "sma_crossover"
    assert {k: run["params"][k] for k in done["best_params"]} == done["best_params"]
    expect(page.get_by_test_id("run-status")).to_contain_text(
        re.compile("completed", re.I), timeout=60_000
    )

    # The studies list counts it.
    page.goto("/optimizations")
    expect(page.get_by_test_id("studies-total")).to_contain_text(
        re.compile(rf"^{api.get('/optimizations').json()['total']} stud")
    )
    expect(page.get_by_test_id("study-row").first).to_contain_text("sma_crossover")
    assert not [p for p in page.problems if "pageerror" in p], page.problems


def test_a_running_study_updates_live_over_the_websocket(page, api):
    # A sampled study of single backtests, long enough to be watched while it runs.
    body = {
        "strategy_name": "sma_crossover",
        "symbols": ["GOOG"],
        "costs": {"model": "none"},
        "param_ranges": {
            "fast_period": {"low": 5, "high": 40},
            "slow_period": {"low": 50, "high": 200},
        },
        "sampler": "tpe",
        "n_trials": 48,
        "batch": 4,
        "seed": 7,
    }
    r = api.post("/optimizations", json=body)
    assert r.status_code == 201, r.text
    study_id = r.json()["id"]
    page.goto(f"/optimizations/{study_id}")
    seen: set[str] = set()
    statuses: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = page.get_by_test_id("trials-done").text_content() or ""
        seen.add(text.strip())
        statuses.add((page.get_by_test_id("study-status").text_content() or "").strip())
        if "completed" in statuses:
            break
        page.wait_for_timeout(100)
    done = _wait_study(api, study_id)
    assert done["status"] == "completed", done
    # The page was never reloaded: it followed the study from running to completed, with
    # intermediate trial counts, and ends with every trial in the table's true total.
    assert statuses & {"queued", "running"}, statuses
    assert len(seen) >= 3, seen
    expect(page.get_by_test_id("trials-done")).to_contain_text("48 / 48")
    expect(page.get_by_test_id("trials-total")).to_contain_text("48 in all")
    expect(page.get_by_test_id("trial-row")).to_have_count(25)  # one page of 25
    page.get_by_test_id("trials-next").click()
    expect(page.get_by_test_id("trial-row")).to_have_count(23)
    expect(page.get_by_test_id("overfitting-explanation").locator("li").first).to_be_visible()


def test_bad_ranges_are_named_in_the_form_and_a_running_study_can_be_cancelled(page, api):
    page.goto("/optimizations/new?strategy=sma_crossover")
    low = page.get_by_test_id("range-fast_period-low")
    expect(low).to_be_visible()
    minimum = api.get("/strategies/sma_crossover").json()["parameters"]["properties"][
        "fast_period"
    ]["minimum"]
    low.fill(str(minimum - 1))
    page.get_by_test_id("target-symbols").check()
    page.get_by_test_id("symbols-input").fill("GOOG")
    page.get_by_test_id("submit-study").click()
    expect(page.get_by_test_id("error-param_ranges.fast_period")).to_contain_text(
        f"below the strategy's minimum {minimum}"
    )
    # The API's own refusal (no data for the symbol) is shown too, and nothing is created.
    before = api.get("/optimizations").json()["total"]
    low.fill(str(minimum))
    page.get_by_test_id("symbols-input").fill("NOSUCHSYMBOL")
    page.get_by_test_id("submit-study").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("NOSUCHSYMBOL", timeout=20_000)
    assert api.get("/optimizations").json()["total"] == before

    # Cancel: a long sampled study stops at its next batch, its trials so far kept.
    body = {
        "strategy_name": "sma_crossover",
        "symbols": ["GOOG"],
        "costs": {"model": "none"},
        "sampler": "random",
        "n_trials": 5000,
        "batch": 4,
    }
    r = api.post("/optimizations", json=body)
    assert r.status_code == 201, r.text
    study_id = r.json()["id"]
    page.goto(f"/optimizations/{study_id}")
    expect(page.get_by_test_id("trial-row").first).to_be_visible(timeout=60_000)
    page.get_by_test_id("cancel-study").click()
    expect(page.get_by_test_id("study-status")).to_contain_text("cancelled", timeout=60_000)
    done = _wait_study(api, study_id)
    assert done["status"] == "cancelled" and 0 < done["trials_done"] < 5000, done
    expect(page.get_by_test_id("cancel-study")).to_have_count(0)

    # A cancelled study has no official best; its best so far still opens as a run.
    top = api.get(f"/optimizations/{study_id}/trials?sort=-value&limit=1").json()["items"][0]
    expect(page.get_by_test_id("best-summary")).to_contain_text(
        f"Best so far: trial #{top['number']}"
    )
    page.get_by_test_id("open-best-run").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=20_000)
    run = api.get(f"/backtests/{page.url.rstrip('/').rsplit('/', 1)[-1]}").json()
    assert {k: run["params"][k] for k in top["params"]} == top["params"]
