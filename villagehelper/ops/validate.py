"""Checks shared by every input boundary (forms, imports, HTTP): clean, then verify."""

from __future__ import annotations

from datetime import date

from villagehelper.errors import ValidationError
from villagehelper.person_names import describe, first_refused
from villagehelper.text import (
    InvalidPhoneError,
    canonical_phone,
    clean_multiline,
    clean_text,
    looks_like_citizen_id,
)
from villagehelper.typed_dates import OLDEST_BIRTH_YEAR as OLDEST_BIRTH_YEAR
from villagehelper.typed_dates import check_birth_year

MAX_NAME = 120
MAX_NOTE = 2000


def required_text(field: str, label_vi: str, value: str | None, max_length: int = MAX_NAME) -> str:
    text = clean_text(value)
    if not text:
        raise ValidationError(field, f"Chưa nhập {label_vi}.", f"{field} is required.")
    return limited_text(field, label_vi, text, max_length)


def person_name(field: str, label_vi: str, value: str | None) -> str:
    """A required name of a person, refused when it holds a character that is not part
    of a name (an emoji, a symbol: ``person_names``)."""
    text = required_text(field, label_vi, value)
    refused = first_refused(text)
    if refused is not None:
        raise ValidationError(
            field,
            f"{label_vi.capitalize()} có ký tự {describe(refused)} không phải chữ của tên "
            "người. Hãy xóa ký tự đó: tên chỉ gồm chữ cái, khoảng trắng và các dấu - ' . , ( ).",
            f"The name holds {describe(refused)}, which is not part of a person's name. "
            "Remove it: a name holds letters, spaces and - ' . , ( ) only.",
        )
    return text


def limited_text(field: str, label_vi: str, value: str | None, max_length: int) -> str:
    return _within(field, label_vi, clean_text(value), max_length)


def note(field: str, value: str | None) -> str:
    """Free text with line breaks kept (notes, reasons)."""
    return no_citizen_id(field, _within(field, "ghi chú", clean_multiline(value), MAX_NOTE))


def no_citizen_id(field: str, text: str) -> str:
    """Refuse a full citizen identity number in free text: the law on personal data
    (91/2025/QH15) and the team's rules keep them out of VillageHelper altogether."""
    if looks_like_citizen_id(text):
        raise ValidationError(
            field,
            "Có một dãy 12 chữ số giống số căn cước công dân. VillageHelper không lưu số "
            "căn cước (theo Luật Bảo vệ dữ liệu cá nhân): hãy xóa dãy số đó rồi lưu lại.",
            "There is a 12-digit number that looks like a citizen ID. VillageHelper never "
            "stores ID numbers (Personal Data Protection Law): remove it and save again.",
        )
    return text


def _within(field: str, label_vi: str, text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise ValidationError(
            field,
            f"{label_vi.capitalize()} dài quá {max_length} ký tự ({len(text)}). Hãy rút gọn.",
            f"{field} is longer than {max_length} characters.",
        )
    return text


def phone(field: str, value: str | None) -> str | None:
    try:
        return canonical_phone(value)
    except InvalidPhoneError as exc:
        raise ValidationError(field, str(exc), f"{field}: not a Vietnamese phone number") from exc


def birth_year(field: str, value: int | None, today: date) -> int | None:
    return check_birth_year(value, today, field)
