"""The laptop's campaign screens (chiến dịch): the commune's campaigns, progress by
village and who is left (``view``); a list imported and its doubtful rows confirmed
(``import_dialog``, ``confirm_page``)."""
