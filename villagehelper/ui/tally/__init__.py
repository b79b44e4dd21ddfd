"""The weekly tally (F7): period, numbers, chart, preview, print, PDF and Excel."""
