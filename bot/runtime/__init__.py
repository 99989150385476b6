"""The runtime: one unit of work per event and per job, the router, the scheduler, the outbox."""
