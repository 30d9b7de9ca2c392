import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import Layout from "./components/Layout";
import { ThemeProvider } from "./lib/theme";
import StrategiesPage from "./pages/StrategiesPage";
import NewBacktestPage from "./pages/NewBacktestPage";
import RunsPage from "./pages/RunsPage";
import DataPage from "./pages/DataPage";
import RunPage from "./pages/RunPage";
import ComparePage from "./pages/ComparePage";
import StudiesPage from "./pages/StudiesPage";
import NewStudyPage from "./pages/NewStudyPage";
import StudyPage from "./pages/StudyPage";
import ScreensPage, { ScreenPage } from "./pages/ScreensPage";
import WalkForwardsPage from "./pages/WalkForwardsPage";
import WalkForwardPage from "./pages/WalkForwardPage";
import BuildPage from "./pages/BuildPage";

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
      </BrowserRouter>
    </ThemeProvider>
  );
}
