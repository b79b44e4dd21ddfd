"""The laptop's campaign screens: a campaign's list imported, its doubtful rows confirmed."""
