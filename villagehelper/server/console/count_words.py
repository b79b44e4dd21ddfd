"""The words of the console's count pages (overview, reports, province), Vietnamese
first, English second; :mod:`.words` adds them to its table."""

from __future__ import annotations

COUNT_WORDS: dict[str, tuple[str, str]] = {
    "nav_label": ("Các trang của xã", "The commune's pages"),
    "nav_overview": ("Tổng quan", "Overview"),
    "nav_reports": ("Báo cáo", "Reports"),
    "nav_province": ("Các xã của tỉnh", "The province's communes"),
    "span_label": ("Kỳ", "Period"),
    "span_this_week": ("Tuần này", "This week"),
    "span_last_week": ("Tuần trước", "Last week"),
    "span_this_month": ("Tháng này", "This month"),
    "span_this_quarter": ("Quý này", "This quarter"),
    "span_year_to_date": ("Từ đầu năm", "Year to date"),
    "overview_of": ("Tổng quan", "Overview"),
    "from_to": ("Từ {first} đến {last}", "From {first} to {last}"),
    "sessions": ("Số lượt", "Sessions"),
    "people": ("Số người", "People"),
    "households": ("Số hộ", "Households"),
    "done": ("Thành công", "Done"),
    "follow_up": ("Hẹn lại", "Follow-up"),
    "failed": ("Chưa thành công", "Failed"),
    "cumulative": ("Lũy kế từ đầu năm", "Since 1 January"),
    "previous": ("Kỳ trước", "Previous period"),
    "open_follow_ups": ("Hẹn lại còn mở", "Open follow-ups"),
    "total": ("Tổng cộng", "Total"),
    "village": ("Thôn", "Village"),
    "service": ("Loại hỗ trợ", "Service"),
    "grid_caption": (
        "Số lượt hỗ trợ theo thôn và loại hỗ trợ",
        "Help sessions by village and service",
    ),
    "grid_none": ("Chưa có lượt hỗ trợ nào trong kỳ này.", "No help session in this period."),
    "services_caption": ("Theo loại hỗ trợ", "By service"),
    "villages_caption": (
        "Theo thôn, với hẹn lại còn mở đến cuối kỳ",
        "By village, with follow-ups still open at the period's end",
    ),
    "people_note": (
        "Tổng số người và số hộ là số khác nhau trên mọi loại, không phải tổng các dòng.",
        "Total people and households are distinct over all services, not the rows' sums.",
    ),
    "chart_title": ("Số lượt trong 12 tuần", "Sessions in 12 weeks"),
    "chart_table_caption": ("Số liệu của biểu đồ", "The chart's numbers"),
    "week": ("Tuần", "Week"),
    "dates": ("Ngày", "Dates"),
    "basic_skills_title": ("Chỉ số kỹ năng số cơ bản", "Basic digital skills indicator"),
    "basic_skills_text": (
        "{covered} trên {households} hộ có người được hỗ trợ đủ {count} kỹ năng số cơ bản",
        "{covered} of {households} households have someone helped with all {count} basic "
        "digital skills",
    ),
    "stale_title": ("Thôn chưa đồng bộ quá 7 ngày", "Villages not synced for over 7 days"),
    "stale_none": ("Mọi thôn đều đã đồng bộ trong 7 ngày qua.", "Every village synced in 7 days."),
    "last_sync": ("Lần đồng bộ cuối", "Last sync"),
    "laptops": ("Số máy", "Laptops"),
    "never": ("Chưa bao giờ", "Never"),
    "unplaced_stale": (
        "Máy chưa ghi lượt nào và chưa đồng bộ quá 7 ngày: {count}",
        "Laptops with no session yet, not synced for over 7 days: {count}",
    ),
    "held_apart": (
        "Không tính vào số nào: {implausible} lượt có thời điểm không hợp lý, {rows} dòng lỗi.",
        "Counted in no figure: {implausible} sessions with an impossible time, "
        "{rows} rows set aside.",
    ),
    "show": ("Xem", "Show"),
    "bad_input_title": ("Không hiểu yêu cầu", "Request not understood"),
    "reports_title": ("Báo cáo của xã", "The commune's report"),
    "reports_intro": (
        "Báo cáo theo thể thức Nghị định 30, cùng số liệu với bản in của máy tính thôn. "
        "Chỉ có số đếm, không có tên người dân.",
        "The report in the Decree 30 layout, with the same figures as the laptops' "
        "printouts. Counts only, no resident's name.",
    ),
    "report_period": ("Kỳ báo cáo", "Report period"),
    "weeks": ("Tuần", "Weeks"),
    "months": ("Tháng", "Months"),
    "quarters": ("Quý", "Quarters"),
    "orientation": ("Cách xếp bảng", "Table layout"),
    "orientation_villages": ("Thôn theo hàng", "Villages as rows"),
    "orientation_services": ("Loại hỗ trợ theo hàng", "Services as rows"),
    "download_pdf": ("Tải PDF", "Download PDF"),
    "download_xlsx": ("Tải XLSX", "Download XLSX"),
    "province_title": ("Các xã của tỉnh", "The province's communes"),
    "province_caption": (
        "Số liệu của từng xã trong kỳ; tổng của tỉnh là tổng các xã",
        "Each commune's figures for the period; the province's total is their sum",
    ),
    "stale_villages": ("Thôn chưa đồng bộ quá 7 ngày", "Villages stale over 7 days"),
    "stale_communes_title": (
        "Xã có máy chưa đồng bộ quá 7 ngày",
        "Communes with laptops not synced for over 7 days",
    ),
    "stale_communes_none": ("Không có xã nào.", "None."),
    "basic_skills_short": ("Hộ đủ kỹ năng số cơ bản", "Households with basic skills"),
    "commune_code": ("Mã xã", "Code"),
    "forbidden_province": (
        "Trang này chỉ dành cho tài khoản của tỉnh này.",
        "This page is for this province's accounts only.",
    ),
}
