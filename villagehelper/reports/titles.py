"""Report titles shared by the printout and the spreadsheets (no Qt)."""

from __future__ import annotations

from datetime import date

from villagehelper.tally.periods import Period, PeriodKind

REPORT_TITLE = "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN"


def period_title(period: Period) -> str:
    """ "TUẦN 47 (16/11 – 22/11/2026)", "THÁNG 12/2026" or "TỪ NGÀY … ĐẾN NGÀY …"."""

    def span(first: date, last: date) -> str:
        if first.year == last.year:
            return f"{first:%d/%m} – {last:%d/%m/%Y}"
        return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"

    if period.kind is PeriodKind.WEEK and period.iso_week is not None:
        return f"TUẦN {period.iso_week[1]} ({span(period.first, period.last)})"
    if period.kind is PeriodKind.MONTH:
        return f"THÁNG {period.first.month:02d}/{period.first.year}"
    return f"TỪ NGÀY {period.first:%d/%m/%Y} ĐẾN NGÀY {period.last:%d/%m/%Y}"
