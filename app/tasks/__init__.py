"""Background work: typed queue messages, the queues that carry them, their handlers."""
