"""Time: the clock, working time and holidays, quiet hours, deadlines and digests (as data)."""
