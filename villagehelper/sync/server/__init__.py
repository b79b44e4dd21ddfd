"""The commune server: FastAPI app, its tables, accounts, push and pull."""
