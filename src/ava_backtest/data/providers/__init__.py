"""Market-data vendors behind one interface (:mod:`.base`); :mod:`.registry` picks and falls back."""
