"""Scenarios: what-ifs on top of the live data, their portfolio, sensitivity and roadmap."""
