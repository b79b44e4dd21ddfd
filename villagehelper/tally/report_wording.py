"""The words of a printed report of Decree 30/2020, shared by the laptop's printout
(``reports/``, Qt) and the commune server's report (``server/commune_report/``, no Qt):
the title, the period's line, the national name and motto, the place-and-date line and
the issuing body.  Plain text only: how each is typeset is the printer's business.
"""

from __future__ import annotations

from datetime import date

from villagehelper.tally.periods import Period, PeriodKind

REPORT_TITLE = "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# Prefixes an official village name may already carry ("Thôn Khay", "Tổ dân phố 3").
VILLAGE_PREFIXES = (
    "THÔN ",
    "XÓM ",
    "BẢN ",
    "ẤP ",
    "LÀNG ",
    "BUÔN ",
    "PLEI ",
    "SÓC ",
    "TỔ ",
    "KHU ",
)
COMMUNE_PREFIXES = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ")
_ROMAN_QUARTERS = ("I", "II", "III", "IV")


def period_title(period: Period) -> str:
    """ "TUẦN 47 (16/11 – 22/11/2026)", "THÁNG 12/2026", "QUÝ IV/2026" or
    "TỪ NGÀY … ĐẾN NGÀY …"."""

    def span(first: date, last: date) -> str:
        if first.year == last.year:
            return f"{first:%d/%m} – {last:%d/%m/%Y}"
        return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"

    if period.kind is PeriodKind.WEEK and period.iso_week is not None:
        return f"TUẦN {period.iso_week[1]} ({span(period.first, period.last)})"
    if period.kind is PeriodKind.MONTH:
        return f"THÁNG {period.first.month:02d}/{period.first.year}"
    if period.kind is PeriodKind.QUARTER:
        # Official documents number quarters in Roman numerals ("quý IV năm 2026").
        quarter = _ROMAN_QUARTERS[(period.first.month - 1) // 3]
        return f"QUÝ {quarter}/{period.first.year} ({span(period.first, period.last)})"
    return f"TỪ NGÀY {period.first:%d/%m/%Y} ĐẾN NGÀY {period.last:%d/%m/%Y}"


def place_name(commune_name: str) -> str:
    """ "Xã Gia Lộc" -> "Gia Lộc": the decree's place line uses the bare name."""
    for prefix in COMMUNE_PREFIXES:
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :].strip()
    return commune_name.strip()


def date_line(commune_name: str, printed_on: date) -> str:
    """ "Gia Lộc, ngày 05 tháng 12 năm 2026": two-digit day below 10 and months 1-2 (the
    decree's rule, so that "tháng 1" cannot be altered into "tháng 11" or "12")."""
    month = f"{printed_on.month:02d}" if printed_on.month < 3 else str(printed_on.month)
    return (
        f"{place_name(commune_name)}, ngày {printed_on.day:02d} tháng {month} năm {printed_on.year}"
    )


def commune_committee(commune_name: str) -> str:
    """ "Xã Gia Lộc" -> "UBND XÃ GIA LỘC": the commune People's Committee."""
    return "UBND " + commune_name.strip().upper()


def issuing_body(village_name: str | None) -> str:
    team_line = "TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"
    if not village_name:
        return team_line
    village = village_name.strip().upper()
    if not village.startswith(VILLAGE_PREFIXES):
        village = "THÔN " + village
    return f"{team_line} {village}"
