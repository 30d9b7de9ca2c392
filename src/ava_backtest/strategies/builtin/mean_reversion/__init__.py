"""Mean-reversion strategies: buy stretched-down prices, sell the snap back."""
