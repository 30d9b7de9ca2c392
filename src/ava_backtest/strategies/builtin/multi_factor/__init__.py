"""Multi-factor strategies: signals that combine several independent conditions."""
