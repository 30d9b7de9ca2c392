import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import Layout from "./components/Layout";
import { ThemeProvider } from "./lib/theme";
import { Suspense, lazy } from "react";
import RunPage from "./pages/RunPage";
import { Loading } from "./components/ui";

// The run page is in the first chunk (it is the page people land on from a link and the one
// whose first load is measured); every other page is its own chunk, loaded when visited.
const StrategiesPage = lazy(() => import("./pages/StrategiesPage"));
const NewBacktestPage = lazy(() => import("./pages/NewBacktestPage"));
const RunsPage = lazy(() => import("./pages/RunsPage"));
const DataPage = lazy(() => import("./pages/DataPage"));
const ComparePage = lazy(() => import("./pages/ComparePage"));
const StudiesPage = lazy(() => import("./pages/StudiesPage"));
const NewStudyPage = lazy(() => import("./pages/NewStudyPage"));
const StudyPage = lazy(() => import("./pages/StudyPage"));
const ScreensPage = lazy(() => import("./pages/ScreensPage"));
const ScreenPage = lazy(() => import("./pages/ScreensPage").then((m) => ({ default: m.ScreenPage })));
const WalkForwardsPage = lazy(() => import("./pages/WalkForwardsPage"));
const WalkForwardPage = lazy(() => import("./pages/WalkForwardPage"));
const BuildPage = lazy(() => import("./pages/BuildPage"));

function NotFound() {
  return (
    <div className="page">
      <div className="state state-error" data-testid="not-found">
        <strong>Page not found</strong>
        <p>
          There is nothing at this address. Go to <Link to="/strategies">Strategies</Link> or <Link to="/runs">Runs</Link>.
        </p>
      </div>
    </div>
  );
}

export default function App() {
  return (
    <ThemeProvider>
      <BrowserRouter>
        <Suspense fallback={<Loading label="Loading page…" />}>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<Navigate to="/strategies" replace />} />
              <Route path="strategies" element={<StrategiesPage />} />
              <Route path="strategies/:name" element={<StrategiesPage />} />
              <Route path="backtests/new" element={<NewBacktestPage />} />
              <Route path="runs" element={<RunsPage />} />
              <Route path="runs/:id" element={<RunPage />} />
              <Route path="compare" element={<ComparePage />} />
              <Route path="optimizations" element={<StudiesPage />} />
              <Route path="optimizations/new" element={<NewStudyPage />} />
              <Route path="optimizations/:id" element={<StudyPage />} />
              <Route path="screens" element={<ScreensPage />} />
              <Route path="screens/:id" element={<ScreenPage />} />
              <Route path="walk-forwards" element={<WalkForwardsPage />} />
              <Route path="walk-forwards/:id" element={<WalkForwardPage />} />
              <Route path="data" element={<DataPage />} />
              <Route path="build" element={<BuildPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </ThemeProvider>
  );
}
