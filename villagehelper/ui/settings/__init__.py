"""Settings: language and text size, PINs, sync enrolment, backups, the retention rule."""
