"""Run lifecycle: execute a backtest from its config; later, queue, persist and stream it."""
