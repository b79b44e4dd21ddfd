"""The service catalog as first shipped: code, Vietnamese label, English label, basic skill.

Frozen on purpose: the commune server seeds its own catalog with it, and migration 0001
seeds laptops with its own written-out copy (``tests/test_migrations_frozen.py`` keeps
the two equal); later changes are data edits that travel through sync.
"""

from __future__ import annotations

FIRST_CATALOG: tuple[tuple[str, str, str, bool], ...] = (
    (
        "VNEID_L1",
        "Cài đặt VNeID, tài khoản định danh điện tử mức 1",
        "Install VNeID, level-1 e-ID account",
        True,
    ),
    (
        "VNEID_L2",
        "Kích hoạt tài khoản định danh điện tử mức 2",
        "Activate level-2 e-ID account",
        False,
    ),
    (
        "DVC_ACCOUNT",
        "Đăng ký tài khoản Cổng Dịch vụ công quốc gia",
        "Register on the National Public Service Portal",
        True,
    ),
    (
        "DVC_DOSSIER",
        "Hướng dẫn nộp hồ sơ dịch vụ công trực tuyến",
        "Guide an online public-service application",
        False,
    ),
    (
        "PROVINCE_APP",
        "Cài đặt ứng dụng công dân số của tỉnh",
        "Install the province's citizen app",
        False,
    ),
    (
        "EHEALTH",
        "Sổ sức khỏe điện tử / thẻ BHYT trên VNeID",
        "E-health record / health-insurance card on VNeID",
        False,
    ),
    (
        "VSSID",
        "Cài đặt, sử dụng VssID (bảo hiểm xã hội)",
        "Install and use VssID (social insurance)",
        False,
    ),
    ("BANK_ACCOUNT", "Mở tài khoản ngân hàng / ví điện tử", "Open a bank account / e-wallet", True),
    (
        "CASHLESS_WELFARE",
        "Nhận an sinh xã hội, lương hưu không dùng tiền mặt",
        "Receive welfare and pensions without cash",
        False,
    ),
    (
        "ECOMMERCE_OCOP",
        "Đưa sản phẩm OCOP lên sàn TMĐT (Postmart, Voso)",
        "Put OCOP products on e-commerce (Postmart, Voso)",
        True,
    ),
    ("DIGITAL_SIGNATURE", "Chữ ký số cá nhân", "Personal digital signature", False),
    (
        "ONLINE_SAFETY",
        "Phòng chống lừa đảo, bảo vệ thông tin cá nhân",
        "Avoiding scams, protecting personal data",
        True,
    ),
    ("DIGITAL_SKILLS", "Kỹ năng số cơ bản / Bình dân học vụ số", "Basic digital skills", False),
    ("OTHER", "Khác", "Other", False),
)
