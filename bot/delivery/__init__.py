"""Getting words out: the outbox drainer and the notices adapters queue."""
