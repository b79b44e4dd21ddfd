"""The console's words, Vietnamese first, English second: one place to read and correct
them, and one key per phrase the templates ask for with ``t("key")``."""

from __future__ import annotations

from villagehelper.server.console.count_words import COUNT_WORDS
from villagehelper.server.console.words_admin import ADMIN_WORDS
from villagehelper.server.console.words_audit import AUDIT_WORDS
from villagehelper.server.console.words_campaigns import CAMPAIGN_WORDS
from villagehelper.text import format_number

VIETNAMESE = "vi"
ENGLISH = "en"
LANGUAGES = (VIETNAMESE, ENGLISH)

WORDS: dict[str, tuple[str, str]] = {
    "app": ("VillageHelper — Trang quản lý của xã", "VillageHelper — commune console"),
    "skip": ("Bỏ qua, tới nội dung chính", "Skip to the main content"),
    "language_switch": ("English", "Tiếng Việt"),
    "language_switch_label": ("Switch to English", "Chuyển sang tiếng Việt"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_in_title": ("Đăng nhập trang quản lý", "Sign in to the console"),
    "name": ("Tên đăng nhập", "Name"),
    "password": ("Mật khẩu", "Password"),
    "wrong_password": (
        "Tên hoặc mật khẩu không đúng. Hãy thử lại; quên mật khẩu thì nhờ người quản lý máy "
        "chủ xã cấp mật khẩu mới.",
        "Wrong name or password. Try again; if you forgot it, ask the server's "
        "administrator for a new one.",
    ),
    "throttled": (
        "Đã nhập sai quá nhiều lần. Hãy đợi 15 phút rồi thử lại.",
        "Too many wrong passwords. Wait 15 minutes, then try again.",
    ),
    "change_title": ("Đổi mật khẩu", "Change your password"),
    "change_why": (
        "Mật khẩu dùng một lần chỉ để đăng nhập lần đầu: hãy đặt mật khẩu riêng của bạn.",
        "The one-time password is for the first sign-in only: choose your own password.",
    ),
    "change_rules": (
        "Ít nhất 12 ký tự, hoặc một câu ít nhất 4 từ mà chỉ bạn nhớ.",
        "12 characters or more, or a phrase of 4 words or more that only you know.",
    ),
    "current_password": ("Mật khẩu hiện tại", "Current password"),
    "new_password": ("Mật khẩu mới", "New password"),
    "repeat_password": ("Nhập lại mật khẩu mới", "New password again"),
    "passwords_differ": (
        "Hai lần nhập mật khẩu mới không giống nhau.",
        "The two new passwords differ.",
    ),
    "save": ("Lưu", "Save"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "sign_out_everywhere": ("Đăng xuất mọi nơi", "Sign out everywhere"),
    "signed_out_everywhere": (
        "Đã đăng xuất khỏi mọi máy và trình duyệt.",
        "You are signed out on every computer and browser.",
    ),
    "signed_in_as": ("Đang đăng nhập:", "Signed in as"),
    "commune": ("Xã", "Commune"),
    "province": ("Tỉnh", "Province"),
    "role_admin": ("quản trị", "administrator"),
    "role_viewer": ("chỉ xem", "viewer"),
    "home_title": ("Trang chính", "Home"),
    "home_soon": (
        "Các trang tổng hợp, báo cáo và quản lý máy sẽ có ở đây.",
        "The overview, reports and laptops pages will be here.",
    ),
    "communes_of_province": ("Các xã của tỉnh trên máy chủ này", "Communes of the province here"),
    "no_communes": ("Máy chủ này chưa có xã nào của tỉnh.", "No commune of the province here."),
    "commune_page": ("Trang của xã", "Commune page"),
    "forbidden_title": ("Không được phép", "Not allowed"),
    "forbidden_commune": (
        "Tài khoản của bạn không được xem xã này. Hãy quay lại trang chính.",
        "Your account may not see this commune. Go back to the home page.",
    ),
    "forbidden_viewer": (
        "Tài khoản chỉ xem không được làm việc này; hãy nhờ cán bộ quản trị của xã.",
        "A viewer account may not do this; ask the commune's administrator.",
    ),
    "csrf_title": ("Biểu mẫu không hợp lệ", "Form refused"),
    "csrf": (
        "Biểu mẫu này thiếu mã bảo vệ hoặc mã đã cũ, nên không được xử lý. Hãy tải lại "
        "trang rồi làm lại.",
        "This form lacked its protection code or the code was stale, so nothing was done. "
        "Reload the page and try again.",
    ),
    "back_home": ("Về trang chính", "Back to the home page"),
    **ADMIN_WORDS,  # the laptops and the villages and team pages
}


def chosen_language(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else VIETNAMESE


def translate(language: str, key: str) -> str:
    vietnamese, english = WORDS[key]
    return english if language == ENGLISH else vietnamese


WORDS.update(COUNT_WORDS)
WORDS.update(AUDIT_WORDS)
WORDS.update(CAMPAIGN_WORDS)


def count_text(language: str, number: int) -> str:
    """A count as each language writes it: 2.167 in Vietnamese, 2,167 in English."""
    return format_number(number) if language == VIETNAMESE else f"{number:,}"
