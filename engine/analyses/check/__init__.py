"""`wenze check`: is a rule pack consistent? Static checks, then generated towns."""
