"""Two views of the same results: JSON for scripts, Rich for people."""
