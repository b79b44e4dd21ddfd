"""What volunteers help with and how it ends: service mix, outcomes, reasons, notes.

VNeID dominates (every adult needs a level-2 account since Decree 69/2024), the public
service portal and e-health follow; e-commerce for OCOP producers is rare.  Level-2
activation often needs a second visit because the police capture the application.
"""

from __future__ import annotations

from villagehelper.demo.sampling import Weighted
from villagehelper.store.kinds import Outcome

SERVICE_WEIGHTS: dict[str, float] = {
    "VNEID_L1": 26,
    "VNEID_L2": 24,
    "DVC_ACCOUNT": 10,
    "EHEALTH": 9,
    "VSSID": 7,
    "BANK_ACCOUNT": 6,
    "CASHLESS_WELFARE": 5,
    "PROVINCE_APP": 5,
    "DVC_DOSSIER": 3,
    "ONLINE_SAFETY": 3,
    "DIGITAL_SKILLS": 3,
    "OTHER": 1.5,
    "DIGITAL_SIGNATURE": 1,
    "ECOMMERCE_OCOP": 0.5,
}

CAMPAIGN_BOOST = 4.0  # how much more a campaign's services are asked for during it


def service_mix(boosted: frozenset[str] = frozenset()) -> Weighted[str]:
    return Weighted(
        [
            (code, weight * (CAMPAIGN_BOOST if code in boosted else 1.0))
            for code, weight in SERVICE_WEIGHTS.items()
        ]
    )


VISIT_SIZE = Weighted([(1, 0.55), (2, 0.33), (3, 0.12)])

# (done, follow-up, failed); the weighted mix over all services is about 80/12/8.
_OUTCOME_ODDS: dict[str, tuple[float, float, float]] = {
    "VNEID_L2": (0.64, 0.27, 0.09),
    "EHEALTH": (0.76, 0.13, 0.11),
    "CASHLESS_WELFARE": (0.78, 0.14, 0.08),
    "DVC_DOSSIER": (0.72, 0.20, 0.08),
}
_DEFAULT_ODDS = (0.84, 0.095, 0.065)
RETURN_OUTCOMES = Weighted(
    [(Outcome.DONE.value, 0.85), (Outcome.FOLLOW_UP.value, 0.1), (Outcome.FAILED.value, 0.05)]
)


def _outcomes(odds: tuple[float, float, float]) -> Weighted[str]:
    done, follow_up, failed = odds
    return Weighted(
        [
            (Outcome.DONE.value, done),
            (Outcome.FOLLOW_UP.value, follow_up),
            (Outcome.FAILED.value, failed),
        ]
    )


OUTCOMES = {code: _outcomes(_OUTCOME_ODDS.get(code, _DEFAULT_ODDS)) for code in SERVICE_WEIGHTS}

FOLLOW_UP_DAYS = Weighted([(2, 1), (3, 2), (5, 1), (7, 3), (10, 1), (14, 1)])

_COMMON_REASONS = [
    ("Mất sóng, không kết nối được mạng", 3),
    ("Hệ thống quá tải, hẹn thử lại sau", 2),
    ("Người dân không mang theo điện thoại", 1.5),
    ("Quên mật khẩu, chưa lấy lại được", 1.5),
    ("Không nhận được mã OTP", 1.5),
]
_SERVICE_REASONS: dict[str, list[tuple[str, float]]] = {
    "VNEID_L1": [
        ("Điện thoại không hỗ trợ NFC", 3),
        ("Chưa có CCCD gắn chip", 3),
        ("Số điện thoại không chính chủ", 2),
        ("Điện thoại đời cũ, không cài được ứng dụng", 2),
    ],
    "VNEID_L2": [
        ("Chưa có CCCD gắn chip", 4),
        ("Điện thoại không hỗ trợ NFC", 3),
        ("Ảnh chân dung chưa đạt, chờ công an xác thực", 2),
        ("Thông tin thuê bao chưa khớp với CSDL dân cư", 2),
    ],
    "EHEALTH": [("Chưa có tài khoản định danh mức 2", 4), ("Thẻ BHYT đã hết hạn", 1)],
    "VSSID": [("Mã số BHXH chưa được cập nhật", 2)],
    "BANK_ACCOUNT": [("Thông tin CCCD không khớp với ngân hàng", 2)],
    "CASHLESS_WELFARE": [("Chưa có tài khoản ngân hàng", 3)],
    "DVC_ACCOUNT": [("Thông tin trên CSDL dân cư chưa khớp", 2)],
    "DVC_DOSSIER": [("Thiếu giấy tờ bản scan", 2)],
    "DIGITAL_SIGNATURE": [("Chưa có tài khoản định danh mức 2", 2)],
}
FAILURE_REASONS = {
    code: Weighted(_SERVICE_REASONS.get(code, []) + _COMMON_REASONS) for code in SERVICE_WEIGHTS
}

SESSION_NOTES = Weighted(
    [
        ("", 90),
        ("Hướng dẫn thêm cách đăng nhập", 2),
        ("Con cháu ở xa nhờ hỗ trợ", 2),
        ("Người cao tuổi, cần hướng dẫn chậm", 2),
        ("Đã dặn mang CCCD lần sau", 1.5),
        ("Hỗ trợ tại nhà", 1),
        ("Hỗ trợ cả hai vợ chồng", 1),
    ]
)

VOID_REASONS = Weighted(
    [
        ("Ghi nhầm hộ", 3),
        ("Ghi trùng lượt", 3),
        ("Chọn nhầm loại hỗ trợ", 2),
        ("Nhập nhầm kết quả", 2),
    ]
)
