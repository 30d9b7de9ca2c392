"""The shipped catalogue, one module per strategy, grouped by family."""
