"""Cases: their states and events, lifecycle, routing, roles, intake and the rating."""
