"""Pure-Python model layer (numpy only, never Qt): catalog, scenario, accuracy, serving, costs, planner."""
