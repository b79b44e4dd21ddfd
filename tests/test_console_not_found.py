"""An address the console does not have answers a console page (404, Vietnamese then
English, a link home), and a commune code that names no commune too; the laptops' API
under ``/v1`` keeps its JSON refusals word for word.  A real server on loopback, on
SQLite and PostgreSQL."""

from __future__ import annotations

import requests

from tests.console_browser import ConsoleServer, console
from tests.sync_support import COMMUNE, server_db_url
from villagehelper.exchange import wire

__all__ = ["console", "server_db_url"]

PROTOCOL = {wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION)}
NOT_FOUND_VI = "Trang quản lý không có địa chỉ này."
NOT_FOUND_EN = "The console has no page at this address."
# What a laptop reads from an unknown /v1 address today (its words, exactly).
API_NOT_FOUND = {
    "error": "not_found",
    "message_vi": "Máy chủ xã không có địa chỉ này: hãy kiểm tra địa chỉ máy chủ và cập nhật "
    "VillageHelper.",
    "message_en": "No such address on the commune server: check the server address, "
    "update VillageHelper.",
}


def _is_not_found_page(answer: requests.Response) -> None:
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert NOT_FOUND_VI in page and NOT_FOUND_EN in page
    assert page.index(NOT_FOUND_VI) < page.index(NOT_FOUND_EN)
    assert '<a href="/">Về trang chính</a>' in page
    assert "content-security-policy" in answer.headers  # the console's own headers


def test_an_unknown_address_is_a_console_page_signed_in_or_not(console: ConsoleServer) -> None:
    officer = console.signed_in_session("Hoàng Yến", "--commune", COMMUNE)
    for path in ("/abc", f"/xa/{COMMUNE}/khong-co", "/xa/", "/tinh/31/khong-co/x"):
        _is_not_found_page(officer.get(f"{console.url}{path}", allow_redirects=False))
    signed_out = requests.get(f"{console.url}/abc", allow_redirects=False)
    _is_not_found_page(signed_out)
    assert "Hoàng Yến" not in signed_out.text
    # Signed in, the page keeps the signed-in frame: who, and the way out.
    assert "Hoàng Yến" in officer.get(f"{console.url}/abc").text


def test_in_english_the_english_words_come_first(console: ConsoleServer) -> None:
    officer = console.signed_in_session("Hoàng Yến", "--commune", COMMUNE)
    officer.get(f"{console.url}/ngon-ngu/en")
    page = officer.get(f"{console.url}/abc").text
    assert page.index(NOT_FOUND_EN) < page.index(NOT_FOUND_VI)
    assert "<h1>No such page</h1>" in page


def test_a_commune_code_that_names_no_commune_is_404_not_500(console: ConsoleServer) -> None:
    commune = console.signed_in_session("Hoàng Yến", "--commune", COMMUNE)
    province = console.signed_in_session("Sở Hải Phòng", "--province", "31")
    for officer in (commune, province):
        for path in ("/xa/99999/", "/xa/99999/bao-cao", "/xa/00000/may-tinh/"):
            _is_not_found_page(officer.get(f"{console.url}{path}", allow_redirects=False))
    # A real commune out of scope stays a refusal: 00004 is Phường Ba Đình, Hà Nội.
    assert province.get(f"{console.url}/xa/00004/").status_code == 403
    assert commune.get(f"{console.url}/xa/00004/").status_code == 403


def test_an_unreadable_address_is_a_400_page(console: ConsoleServer) -> None:
    officer = console.signed_in_session("Hoàng Yến", "--commune", COMMUNE)
    # A period's name is 20 characters at most: the framework's check, not the page's.
    answer = officer.get(f"{console.url}/xa/{COMMUNE}/?ky={'x' * 40}")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "Địa chỉ trang có phần không đúng dạng" in answer.text
    assert "address is malformed" in answer.text
    # A code of six digits names no commune: a 404 page, not the framework's JSON.
    _is_not_found_page(officer.get(f"{console.url}/xa/123456/"))


def test_the_api_keeps_its_json_refusals(console: ConsoleServer) -> None:
    for path in ("/v1/khong-co", "/v1", "/v1/sync/khong-co"):
        answer = requests.get(f"{console.url}{path}", headers=PROTOCOL)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/json"
        assert answer.json() == API_NOT_FOUND
    wrong_method = requests.delete(f"{console.url}/v1/health", headers=PROTOCOL)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"
    malformed = requests.post(f"{console.url}/v1/enrol", data=b"\xff not json", headers=PROTOCOL)
    assert malformed.headers["content-type"] == "application/json"
    assert malformed.json()["error"] in {"invalid", "bad_request"}


def test_a_form_only_address_opened_in_the_browser_is_a_console_page_and_changes_nothing(
    console: ConsoleServer,
) -> None:
    """A reload after "Đăng xuất", or the address typed: the console says what happened
    (405, Vietnamese first) instead of JSON, and the officer is still signed in."""
    officer = console.signed_in_session("Hoàng Yến", "--commune", COMMUNE)
    answer = officer.get(f"{console.url}/dang-xuat", allow_redirects=False)
    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["allow"] == "POST"
    assert "content-security-policy" in answer.headers
    page = answer.text
    vietnamese, english = "Không có gì được thay đổi.", "Nothing was changed."
    assert vietnamese in page and english in page
    assert page.index(vietnamese) < page.index(english)
    assert "Hoàng Yến" in page  # the signed-in frame
    home = officer.get(f"{console.url}/", allow_redirects=False)
    assert home.status_code == 200 and "Hoàng Yến" in home.text  # not signed out
