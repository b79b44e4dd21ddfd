"""First run: the wizard (commune, villages, team) or joining a commune server."""
