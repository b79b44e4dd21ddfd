"""Reading ``villagehelper log-visit``'s ``--service CODE=RESULT`` as a service's outcome.

RESULT is one of the app's three results, in English or Vietnamese (diacritics, case,
``-`` and ``_`` optional), the follow-up's date or the failure's reason after a colon:

    VNEID_L2                     done (as a service chosen on the screen with Space)
    VNEID_L2=done                thanh-cong, "thành công"
    VNEID_L2=follow-up:20/12/26  hen-lai, "hẹn lại"; the date as every date field reads it
    VNEID_L2=failed:REASON       chua-thanh-cong, "chưa thành công"; the reason is needed

Only the text is read here (no database): whether the code is in the catalog and the
reason's length are the core's checks (:func:`villagehelper.ops.sessions.log_visit`).
"""

from __future__ import annotations

from datetime import date

from villagehelper.errors import ValidationError
from villagehelper.ops.inputs import ServiceOutcome
from villagehelper.store.kinds import Outcome
from villagehelper.text import search_key
from villagehelper.typed_dates import parse_follow_up_date

FIELD = "service"
RESULT_WORDS: dict[str, Outcome] = {
    "done": Outcome.DONE,
    "thanh cong": Outcome.DONE,
    "follow up": Outcome.FOLLOW_UP,
    "hen lai": Outcome.FOLLOW_UP,
    "failed": Outcome.FAILED,
    "chua thanh cong": Outcome.FAILED,
}
HOW_VI = (
    "Hãy ghi --service MÃ=KẾT_QUẢ, KẾT_QUẢ là done (thành công), follow-up:dd/mm/yyyy "
    "(hẹn lại, kèm ngày hẹn) hoặc failed:LÝ_DO (chưa thành công, kèm lý do)."
)
HOW_EN = (
    "Write --service CODE=RESULT, RESULT being done, follow-up:dd/mm/yyyy (with the "
    "follow-up date) or failed:REASON (with the reason)."
)


def _result_word(word: str) -> Outcome | None:
    return RESULT_WORDS.get(search_key(word.replace("-", " ").replace("_", " ")))


def parse_service_option(text: str, today: date) -> ServiceOutcome:
    """The outcome ``--service text`` asks for, a follow-up date read on ``today``;
    :class:`ValidationError` saying how to write it when it does not read."""
    code, has_result, result = text.partition("=")
    code = code.strip()
    if not code:
        raise ValidationError(
            FIELD, f"«{text}»: thiếu mã loại hỗ trợ. {HOW_VI}", f"{text!r}: no code. {HOW_EN}"
        )
    if not has_result:
        return ServiceOutcome(code)
    word, has_detail, detail = result.partition(":")
    outcome = _result_word(word)
    if outcome is None:
        raise ValidationError(
            FIELD,
            f"«{code}»: kết quả «{word.strip()}» không đọc được. {HOW_VI}",
            f"{code!r}: result {word.strip()!r} is not one of the three. {HOW_EN}",
        )
    detail = detail.strip()
    if outcome == Outcome.DONE:
        if has_detail and detail:
            raise ValidationError(
                FIELD,
                f"«{code}»: thành công thì không kèm gì sau dấu hai chấm. {HOW_VI}",
                f"{code!r}: done takes nothing after a colon. {HOW_EN}",
            )
        return ServiceOutcome(code)
    if outcome == Outcome.FOLLOW_UP:
        if not detail:
            raise ValidationError(
                FIELD,
                f"«{code}»: hẹn lại thì cần ngày hẹn, ví dụ {code}=follow-up:20/12/2026.",
                f"{code!r}: a follow-up needs its date, e.g. {code}=follow-up:20/12/2026.",
            )
        return ServiceOutcome(code, outcome, follow_up_date=parse_follow_up_date(detail, today))
    if not detail:
        raise ValidationError(
            FIELD,
            f'«{code}»: chưa thành công thì cần ghi lý do, ví dụ {code}=failed:"Mất sóng".',
            f'{code!r}: a failed service needs its reason, e.g. {code}=failed:"No signal".',
        )
    return ServiceOutcome(code, outcome, failure_reason=detail)
