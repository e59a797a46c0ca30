"""ttcplanner: plan test-time compute across API tiers, rented or owned GPUs and ASIC clouds."""

__version__ = "0.1.0"
