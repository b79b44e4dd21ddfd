"""The words of the audit log page and of the console's "no such page", Vietnamese
first, English second (merged into ``words.WORDS``: one key per phrase, ``t("key")``).

Each action code that ``audit.record`` writes has its words under ``action_<code>``; a
code without words (a page added later) is shown as the code itself.
"""

from __future__ import annotations

ACTION_WORDS: dict[str, tuple[str, str]] = {
    "action_sign_in": ("Đăng nhập", "Signed in"),
    "action_sign_in_failed": ("Đăng nhập sai mật khẩu", "Wrong password at sign-in"),
    "action_sign_in_throttled": (
        "Bị chặn đăng nhập vì sai quá nhiều lần",
        "Sign-in blocked after too many wrong passwords",
    ),
    "action_password_changed": ("Đổi mật khẩu", "Changed the password"),
    "action_sign_out": ("Đăng xuất", "Signed out"),
    "action_sign_out_everywhere": ("Đăng xuất mọi nơi", "Signed out everywhere"),
    "action_refused_commune": ("Bị từ chối: trang của xã khác", "Refused: another commune"),
    "action_refused_province": ("Bị từ chối: trang của tỉnh khác", "Refused: another province"),
    "action_refused_viewer": (
        "Bị từ chối: tài khoản chỉ xem",
        "Refused: a viewer account",
    ),
    "action_officer_added": ("Được thêm làm cán bộ", "Added as an officer"),
    "action_officer_deactivated": ("Bị khoá tài khoản", "Account deactivated"),
    "action_enrolment_code_issued": ("Cấp mã đăng ký máy", "Issued an enrolment code"),
    "action_laptop_revoked": ("Thu hồi máy", "Revoked a laptop"),
    "action_village_added": ("Thêm thôn", "Added a village"),
    "action_village_renamed": ("Đổi tên thôn", "Renamed a village"),
    "action_member_added": ("Thêm thành viên tổ", "Added a team member"),
    "action_member_made_leader": ("Đặt làm tổ trưởng", "Made a leader"),
    "action_member_made_member": ("Bỏ vai trò tổ trưởng", "Made a member"),
    "action_member_deactivated": ("Ngừng hoạt động thành viên", "Deactivated a team member"),
    "action_member_reactivated": ("Cho thành viên hoạt động lại", "Reactivated a team member"),
    "action_campaign_created": ("Tạo chiến dịch", "Created a campaign"),
    "action_campaign_closed": ("Đóng chiến dịch", "Closed a campaign"),
}

AUDIT_WORDS: dict[str, tuple[str, str]] = {
    "nav_audit": ("Nhật ký", "Audit log"),
    "home_commune": (
        "Các trang của xã ở thanh phía trên: số lượt hỗ trợ theo thôn, báo cáo để in hoặc "
        "tải về, các máy tính của tổ, thôn và thành viên tổ.",
        "The commune's pages are in the bar above: sessions by village, the report to print "
        "or download, the team's laptops, the villages and team members.",
    ),
    "audit_title": ("Nhật ký thao tác", "Audit log"),
    "audit_explain": (
        "Ai đã làm gì trên trang quản lý của xã, mới nhất ở trên. Giờ Việt Nam.",
        "Who did what in the commune's console, newest first. Vietnam time.",
    ),
    "audit_caption": ("Các thao tác, trang", "What was done, page"),
    "audit_none": ("Chưa có thao tác nào.", "Nothing has been done yet."),
    "audit_page_empty": (
        "Trang này không có dòng nào. Hãy về trang đầu.",
        "This page has no lines. Go back to the first page.",
    ),
    "audit_first_page": ("Về trang đầu", "First page"),
    "audit_at": ("Thời gian", "Time"),
    "audit_officer": ("Cán bộ", "Officer"),
    "audit_action": ("Thao tác", "Action"),
    "audit_target": ("Đối tượng", "Target"),
    "audit_address": ("Địa chỉ máy", "From address"),
    "audit_command_line": ("dòng lệnh trên máy chủ", "the server's command line"),
    "audit_newer": ("Trang trước (mới hơn)", "Previous page (newer)"),
    "audit_older": ("Trang sau (cũ hơn)", "Next page (older)"),
    "audit_paging": ("Chuyển trang nhật ký", "Audit log pages"),
    "audit_bad_page": (
        "Số trang phải là một số nguyên từ 1 trở lên, ví dụ ?trang=2.",
        "The page number must be a whole number from 1 up, e.g. ?trang=2.",
    ),
    "not_found_title": ("Không có trang này", "No such page"),
    "not_found": (
        "Trang quản lý không có địa chỉ này. Hãy kiểm tra lại địa chỉ, hoặc về trang chính.",
        "The console has no page at this address. Check the address, or go to the home page.",
    ),
    "form_only_title": ("Địa chỉ này chỉ để gửi biểu mẫu", "This address only takes a form"),
    "form_only": (
        "Địa chỉ này chỉ nhận biểu mẫu gửi từ một trang (ví dụ khi tải lại trang sau khi bấm "
        "nút). Không có gì được thay đổi. Hãy về trang chính rồi mở lại trang từ đó.",
        "This address only takes a form sent from a page (for example after reloading a page "
        "once a button was pressed). Nothing was changed. Go to the home page and open the "
        "page from there.",
    ),
    "bad_address": (
        "Địa chỉ trang có phần không đúng dạng (ví dụ mã xã phải có 5 chữ số). Hãy về trang "
        "chính rồi mở lại trang từ đó.",
        "Part of the page's address is malformed (a commune code has 5 digits, for "
        "example). Go to the home page and open the page from there.",
    ),
    **ACTION_WORDS,
}
