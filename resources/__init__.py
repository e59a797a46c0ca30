"""Data files shipped with ttcplanner (catalog, example scenarios, font, icons); no code."""
