"""Pure types shared by every layer: bars, signals, run configuration, results, errors. No I/O."""
