"""The words of the laptops page and the villages and team page, Vietnamese first,
English second (merged into ``words.WORDS``: one key per phrase, ``t("key")``)."""

from __future__ import annotations

ADMIN_WORDS: dict[str, tuple[str, str]] = {
    "nav_laptops": ("Máy tính", "Laptops"),
    "nav_team": ("Thôn và tổ", "Villages and team"),
    "laptops_title": ("Máy tính của tổ", "The team's laptops"),
    "laptops_none": ("Xã chưa có máy nào đăng ký.", "No laptop is enrolled yet."),
    "laptop_name": ("Tên máy", "Laptop"),
    "laptop_role": ("Vai trò", "Role"),
    "laptop_version": ("Phiên bản", "App version"),
    "laptop_enrolled": ("Đăng ký lúc", "Enrolled"),
    "laptop_last_sync": ("Đồng bộ lần cuối", "Last sync"),
    "laptop_state": ("Trạng thái", "State"),
    "laptop_never": ("chưa đồng bộ", "never synced"),
    "laptop_unknown": ("chưa rõ", "not said yet"),
    "laptop_active": ("đang dùng", "enrolled"),
    "laptop_revoked_at": ("đã thu hồi lúc", "revoked at"),
    "laptop_villages": ("Thôn đã làm việc", "Villages worked for"),
    "laptop_no_villages": ("chưa ghi lượt nào", "no session logged yet"),
    "laptop_waiting": ("Thay đổi chờ gửi", "Changes waiting"),
    "laptop_waiting_as_of": ("tính đến", "as of"),
    "laptop_waiting_unknown": ("máy chưa báo", "not reported"),
    "laptops_waiting_note": (
        "Thay đổi chờ gửi: số máy báo ở lần đồng bộ cuối, là những việc đã ghi trên máy mà "
        "máy chủ xã chưa nhận (kể cả thay đổi bị từ chối, chờ tổ trưởng xử lý). Máy dùng "
        "phiên bản cũ không báo số này. Thôn: các thôn có hộ mà máy đã ghi lượt hỗ trợ.",
        "Changes waiting: what the laptop reported at its last sync, the work logged on it "
        "that the commune server does not have yet (changes the server refused, waiting for "
        "a leader, included). Laptops on an older app version do not report it. Villages: "
        "those of the households the laptop logged sessions for.",
    ),
    "role_volunteer": ("thành viên", "volunteer"),
    "role_leader": ("tổ trưởng", "leader"),
    "role_member": ("thành viên", "member"),
    "issue_title": ("Cấp mã đăng ký cho máy mới", "Issue an enrolment code for a new laptop"),
    "issue_role": ("Máy này dùng cho", "This laptop is for"),
    "issue_button": ("Cấp mã", "Issue the code"),
    "issued_title": ("Mã đăng ký dùng một lần", "One-time enrolment code"),
    "issued_for": ("Cho máy của", "For a laptop of a"),
    "issued_expires": ("Hết hạn lúc", "Expires at"),
    "issued_hint": (
        "Đọc hoặc đưa mã này cho người dùng máy mới: họ nhập mã khi đăng ký máy với máy chủ "
        "xã. Mã chỉ hiện một lần và chỉ dùng được một lần.",
        "Read or hand this code to the new laptop's user: they type it when enrolling the "
        "laptop with the commune server. It is shown once and works once.",
    ),
    "revoke": ("Thu hồi", "Revoke"),
    "revoke_title": ("Thu hồi máy", "Revoke a laptop"),
    "revoke_explain": (
        "Máy này sẽ bị từ chối ngay ở lần đồng bộ tiếp theo và không gửi hay tải được dữ "
        "liệu nữa. Dữ liệu máy đã gửi lên vẫn giữ nguyên. Muốn dùng lại máy thì phải đăng ký "
        "lại bằng mã mới.",
        "This laptop is refused from its next sync on: it can neither send nor download "
        "any more. What it sent stays. To use it again, enrol it with a new code.",
    ),
    "revoke_confirm": ("Thu hồi máy này", "Revoke this laptop"),
    "cancel": ("Không, quay lại", "No, go back"),
    "laptop_missing_title": ("Không có máy này", "No such laptop"),
    "laptop_missing": (
        "Xã này không có máy nào mang mã đó. Hãy quay lại danh sách máy.",
        "This commune has no laptop with that id. Go back to the list of laptops.",
    ),
    "forbidden_counts_only": (
        "Tài khoản của tỉnh chỉ xem số liệu tổng hợp, không xem danh sách của xã.",
        "A province account sees counts only, not a commune's lists.",
    ),
    "team_title": ("Thôn và thành viên tổ", "Villages and team"),
    "team_sync_note": (
        "Các thay đổi ở đây được ghi như tổ trưởng sửa trên máy, và về các máy ở lần đồng bộ "
        "tiếp theo.",
        "Changes here are written as a leader's laptop writes them, and reach the laptops "
        "at their next sync.",
    ),
    "villages": ("Thôn, tổ dân phố", "Villages"),
    "villages_none": ("Xã chưa có thôn nào.", "No village yet."),
    "village_name": ("Tên thôn", "Village name"),
    "village_kind": ("Loại", "Kind"),
    "kind_thon": ("thôn", "village"),
    "kind_to_dan_pho": ("tổ dân phố", "street group"),
    "village_inactive": ("ngừng hoạt động", "inactive"),
    "rename": ("Đổi tên", "Rename"),
    "new_name_of": ("Tên mới của", "New name of"),
    "add_village": ("Thêm thôn", "Add a village"),
    "members": ("Thành viên tổ", "Team members"),
    "members_none": ("Tổ chưa có thành viên nào.", "No team member yet."),
    "member_name": ("Họ tên", "Full name"),
    "member_village": ("Thôn", "Village"),
    "member_no_village": ("(không gắn thôn)", "(no village)"),
    "member_state": ("Trạng thái", "State"),
    "member_active": ("đang hoạt động", "active"),
    "member_inactive": ("đã ngừng", "deactivated"),
    "make_leader": ("Đặt làm tổ trưởng", "Make leader"),
    "make_member": ("Bỏ vai trò tổ trưởng", "Make member"),
    "deactivate": ("Ngừng hoạt động", "Deactivate"),
    "reactivate": ("Cho hoạt động lại", "Reactivate"),
    "add_member": ("Thêm thành viên", "Add a team member"),
    "actions": ("Thao tác", "Actions"),
}
