"""What readers of the warehouse meet: the published copy (written by a green run, read-only for everyone else),
the locked-down connection every reader opens, the PostgreSQL-wire endpoint and the HTML report."""
