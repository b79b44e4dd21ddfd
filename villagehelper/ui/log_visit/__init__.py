"""Log a visit (F2): find or add the household, pick services, save, next resident."""
