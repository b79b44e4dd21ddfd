"""Campaigns (chiến dịch): a commune's target list of residents, matched to the logbook's
people, and the progress of reaching them by village.  Qt-free core: no PySide6 here."""
