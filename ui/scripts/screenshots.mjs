// Look at every page in headless Chromium (no browser download: uses /usr/bin/chromium).
// usage: node scripts/screenshots.mjs [baseUrl] [outDir]
import { chromium } from "playwright-core";

const base = process.argv[2] ?? "http://127.0.0.1:8201";
const out = process.argv[3] ?? "/tmp/ava-shots";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
page.on("pageerror", (e) => errors.push(String(e)));
const shot = async (name, full = true) => page.screenshot({ path: `${out}/${name}.png`, fullPage: full });
const api = async (path, init) => (await fetch(base + "/api/v2" + path, init)).json();

await page.goto(base + "/");
await page.getByTestId("strategy-row-sma_crossover").waitFor();
await shot("01-strategies");
await page.getByTestId("strategy-row-sma_crossover").click();
await page.getByTestId("run-strategy").waitFor();
await shot("02-strategy-detail");
await page.getByTestId("run-strategy").click();
await page.getByTestId("param-fast_period").waitFor();
await page.getByTestId("universe-select").selectOption("us_sample");
await shot("03-new-backtest");
await page.getByTestId("param-fast_period").fill("1");
await page.getByTestId("capital-input").fill("-5");
await page.getByTestId("submit-backtest").click();
await page.getByTestId("error-params.fast_period").waitFor();
await shot("04-form-errors", false);
await page.getByTestId("param-fast_period").fill("20");
await page.getByTestId("capital-input").fill("100000");
const t0 = Date.now();
await page.getByTestId("submit-backtest").click();
await page.waitForURL(/\/runs\//);
await page.getByTestId("progress-percent").filter({ hasText: "100%" }).waitFor({ timeout: 60000 });
await page.getByTestId("equity-chart").locator("canvas").first().waitFor();
console.log("run finished + page drawn in", Date.now() - t0, "ms");
const runId = page.url().split("/runs/")[1];
await page.waitForTimeout(500);
await shot("05-run");
await page.getByTestId("price-chart").scrollIntoViewIfNeeded();
await page.waitForTimeout(1500);
await shot("06-run-price", false);
// canvas not blank
const nonBlank = await page.getByTestId("equity-chart").evaluate((el) => {
  const cs = [...el.querySelectorAll("canvas")];
  return cs.some((c) => {
    const ctx = c.getContext("2d");
    if (!ctx || !c.width) return false;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const set = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) set.add(d[i] + "," + d[i + 1] + "," + d[i + 2]);
    return set.size > 3;
  });
});
console.log("equity canvas non-blank:", nonBlank);
const apiTotal = (await api(`/backtests/${runId}/trades?limit=1`)).total;
await page.getByTestId("trades-page-size").selectOption("5000");
await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trade-row"]').length === n, apiTotal, { timeout: 10000 });
console.log("trade rows = api total:", apiTotal, await page.getByTestId("trades-total").textContent());

// cold first load of the run page
const p2 = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const t1 = Date.now();
await p2.goto(`${base}/runs/${runId}`);
await p2.getByTestId("equity-chart").locator("canvas").first().waitFor();
await p2.getByTestId("trade-row").first().waitFor();
console.log("cold run page load:", Date.now() - t1, "ms");
await p2.close();

// second run for compare
const r2 = await api("/backtests", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ strategy_name: "sma_crossover", universe: "us_sample", params: { fast_period: 10, slow_period: 100 } }) });
for (let i = 0; i < 60; i++) {
  const r = await api(`/backtests/${r2.id}`);
  if (r.status !== "queued" && r.status !== "running") break;
  await new Promise((r) => setTimeout(r, 500));
}
await page.getByTestId("nav-runs").click();
await page.getByTestId(`run-row-${runId}`).waitFor();
await page.getByTestId(`select-run-${runId}`).check();
await page.getByTestId(`select-run-${r2.id}`).check();
await shot("07-runs");
await page.getByTestId("compare-runs").click();
await page.getByTestId("compare-chart").locator("canvas").first().waitFor();
await page.waitForTimeout(500);
await shot("08-compare");
await page.getByTestId("nav-data").click();
await page.getByTestId("symbols-table").waitFor();
await shot("09-data");
await page.getByTestId("theme-toggle").click();
await page.goto(`${base}/runs/${runId}`);
await page.getByTestId("equity-chart").locator("canvas").first().waitFor();
await page.waitForTimeout(500);
await shot("10-run-dark");
await page.goto(`${base}/runs/doesnotexist`);
await page.getByTestId("not-found").waitFor();
await shot("11-not-found", false);
console.log("console errors:", errors);
await browser.close();
