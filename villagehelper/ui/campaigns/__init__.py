"""The campaigns screen (chiến dịch): the commune's campaigns, progress by village and
who is left; and its dialogs."""
