"""The words of the campaigns page, Vietnamese first, English second (merged into
``words.WORDS``: one key per phrase, ``t("key")``)."""

from __future__ import annotations

CAMPAIGN_WORDS: dict[str, tuple[str, str]] = {
    "nav_campaigns": ("Chiến dịch", "Campaigns"),
    "campaigns_title": ("Chiến dịch của xã", "The commune's campaigns"),
    "campaigns_list_note": (
        "Danh sách người cần hỗ trợ của mỗi chiến dịch được nhập trên máy của tổ trưởng "
        "(VillageHelper › Chiến dịch › Nhập danh sách), không nhập ở đây: ở đó, người biết bà "
        "con trong thôn xác nhận những dòng chưa chắc là ai. Gửi tệp danh sách cho tổ trưởng "
        "sau khi tạo chiến dịch.",
        "Each campaign's list of people is imported on a team leader's laptop "
        "(VillageHelper › Campaigns › Import a list), not here: there someone who knows the "
        "villagers confirms who the doubtful rows are. Send the list's file to the leader "
        "once the campaign is created.",
    ),
    "campaigns_counts_note": (
        "Trang này chỉ có số, không có tên người dân; số được tính từ các lượt hỗ trợ các máy "
        "đã đồng bộ, như trên máy của tổ. Đã tiếp cận = thành công + hẹn lại + chưa thành công.",
        "This page holds counts only, never a resident's name; they are counted from the "
        "sessions the laptops have synced, as on the team's laptops. Reached = done + "
        "follow-up + failed.",
    ),
    "campaigns_none": ("Xã chưa có chiến dịch nào.", "The commune has no campaign yet."),
    "campaign_services": ("Loại hỗ trợ", "Services"),
    "campaign_deadline": ("Hạn hoàn thành", "Deadline"),
    "campaign_state": ("Trạng thái", "State"),
    "campaign_running": ("đang chạy", "running"),
    "campaign_closed": ("đã đóng", "closed"),
    "campaign_past": ("đã quá hạn", "past its deadline"),
    "campaign_by_console": ("xã tạo trên trang này", "made by the commune here"),
    "campaign_by_laptop": ("tổ trưởng tạo trên máy", "made on a leader's laptop"),
    "campaign_reached": ("Đã tiếp cận", "Reached"),
    "campaign_reached_short": ("Đã tiếp cận / tổng số", "Reached / total"),
    "campaign_not_yet": ("Chưa làm", "Not yet"),
    "campaign_by_village": ("Tiến độ theo thôn", "Progress by village"),
    "campaign_no_village": ("(chưa rõ thôn)", "(village not known)"),
    "campaign_no_list": (
        "Chưa có danh sách: tổ trưởng nhập danh sách trên máy của tổ, rồi đồng bộ.",
        "No list yet: a leader imports it on the team's laptop, then syncs.",
    ),
    "campaign_close": ("Đóng chiến dịch", "Close the campaign"),
    "campaign_new": ("Tạo chiến dịch mới", "New campaign"),
    "campaign_new_note": (
        "Chiến dịch được gửi tới mọi máy của xã ở lần đồng bộ sau.",
        "The campaign reaches every laptop of the commune at its next sync.",
    ),
    "campaign_name": ("Tên chiến dịch", "Campaign name"),
    "campaign_create": ("Tạo chiến dịch", "Create the campaign"),
}
