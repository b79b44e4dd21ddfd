"""Who does a command: the team member whose PIN opened the store.

The app's rule (``villagehelper.ui.lock.leader_gate``) on the command line: once a laptop
has PINs, the person at the keyboard is the member whose PIN opened the store
(:func:`villagehelper.keys.command_unlock.command_unlock`), and a leader's command —
exports of residents' personal data, "what we hold", erasure, the retention purge,
correcting an impossible date — is theirs to make only if that member is a leader.
``--by`` cannot name someone else then: typing a leader's name proves nothing, a PIN does.

On a laptop without PINs the command line cannot tell who types (nor can the app: anyone
may choose to log as the leader there), so ``--by`` names the member, as before PINs
existed: recorded, and a leader's command refuses a name that is not a leader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from villagehelper.cli.opening import say_waiting
from villagehelper.errors import UserError
from villagehelper.keys.command_unlock import MEMBER_ENV, PIN_ENV, Unlocked, command_unlock
from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.store.engine import Store
from villagehelper.text import search_key


@dataclass(frozen=True)
class LeaderAction:
    """A leader's command, named as the person is told about it."""

    vi: str
    en: str


EXPORT = LeaderAction("Xuất dữ liệu cá nhân của người dân", "Exporting residents' personal data")
WHAT_WE_HOLD = LeaderAction(
    "Xuất dữ liệu đang lưu về một người (what-we-hold)",
    "Exporting what we hold about a person (what-we-hold)",
)
ERASE = LeaderAction("Xóa dữ liệu theo yêu cầu (erase)", "Erasing on request (erase)")
PURGE = LeaderAction(
    "Xóa thông tin quá thời hạn lưu (purge)", "Purging expired personal data (purge)"
)
SETTLE_FAULTY = LeaderAction("Xử lý dòng dữ liệu lỗi (faulty)", "Settling a faulty row (faulty)")
SETTLE_REFUSED = LeaderAction(
    "Gửi lại hoặc bỏ thay đổi bị từ chối (set-aside)",
    "Sending again or discarding a refused change (set-aside)",
)
REDATE = LeaderAction(
    "Sửa ngày của lượt hỗ trợ (implausible --redate)",
    "Correcting a session's date (implausible --redate)",
)


@dataclass(frozen=True)
class MemberStore:
    """A store opened for a command, with how it was unlocked."""

    store: Store
    unlocked: Unlocked

    def acting(self, by: str | None) -> str | None:
        """The member doing the command: the PIN's holder once the laptop has PINs
        (``by`` may only name them again); otherwise the one ``by`` names, if any."""
        members = list_team_members(self.store)
        if self.unlocked.member_id is None:
            return _named(members, by).id if by else None
        if by and _named(members, by).id != self.unlocked.member_id:
            raise _by_names_someone_else(members, self.unlocked.member_id, by)
        return self.unlocked.member_id

    def member_needed(self, by: str | None) -> str:
        """:meth:`acting`, asking for ``--by`` on a laptop without PINs."""
        acting = self.acting(by)
        if acting is None:
            raise _by_needed()
        return acting

    def leader(self, by: str | None, action: LeaderAction) -> str:
        """The leader doing ``action``; anyone else is refused and told who may do it."""
        acting = self.leader_if_known(by, action)
        if acting is None:
            raise _by_needed(action)
        return acting

    def leader_if_known(self, by: str | None, action: LeaderAction) -> str | None:
        """:meth:`leader`, or ``None`` on a laptop without PINs when ``by`` is not given:
        exports and the purge went without a name before PINs existed and still may
        (the export log then names nobody; the purge is the leader laptop's, as its
        sync role says)."""
        acting = self.acting(by)
        if acting is None:
            return None
        members = list_team_members(self.store)
        if not any(m.id == acting and m.is_leader for m in members):
            raise self._not_a_leader(members, acting, action)
        return acting

    def _not_a_leader(
        self, members: list[TeamMemberInfo], acting: str, action: LeaderAction
    ) -> UserError:
        name = _name_of(members, acting)
        leaders = {m.id for m in members if m.is_leader}
        if not self.unlocked.by_pin:
            return UserError(
                f"{action.vi} chỉ tổ trưởng làm được; {name} không phải tổ trưởng. "
                "Hãy ghi --by là tên tổ trưởng của tổ.",
                f"{action.en} is for a team leader only; {name} is not a leader. "
                "Give --by the name of the team's leader.",
            )
        with_pin = [h.full_name for h in self.unlocked.holders if h.member_id in leaders]
        if not with_pin:
            return UserError(
                f"{action.vi} chỉ tổ trưởng làm được; máy này được mở bằng mã PIN của {name}, "
                "không phải tổ trưởng, và chưa tổ trưởng nào đặt mã PIN trên máy này. Tổ "
                "trưởng hãy đặt mã PIN của mình trong ứng dụng (Cài đặt), rồi tự chạy lệnh.",
                f"{action.en} is for a team leader only; this laptop was opened with the PIN "
                f"of {name}, who is not a leader, and no leader has a PIN on this laptop yet. "
                "The leader should set their PIN in the app (Settings), then run the command.",
            )
        who = ", ".join(with_pin)
        return UserError(
            f"{action.vi} chỉ tổ trưởng làm được; máy này được mở bằng mã PIN của {name}, "
            f"không phải tổ trưởng. Tổ trưởng ({who}) hãy tự chạy lệnh với mã PIN của mình: "
            f"chọn tên mình khi được hỏi, hoặc đặt {MEMBER_ENV} và {PIN_ENV}.",
            f"{action.en} is for a team leader only; this laptop was opened with the PIN of "
            f"{name}, who is not a leader. A leader ({who}) should run the command with "
            f"their own PIN: choose their name when asked, or set {MEMBER_ENV} and {PIN_ENV}.",
        )


def open_as_member(data_dir: Path) -> MemberStore:
    """``data_dir``'s store, opened with a member's PIN when it has PINs (as
    :func:`villagehelper.cli.opening.open_unlocked`), remembering whose."""
    from villagehelper.store.engine import open_store

    unlocked = command_unlock(data_dir)
    return MemberStore(open_store(data_dir, key=unlocked.key, on_wait=say_waiting), unlocked)


def _named(members: list[TeamMemberInfo], named: str) -> TeamMemberInfo:
    found = [m for m in members if m.id == named] or [
        m for m in members if search_key(m.full_name) == search_key(named)
    ]
    if len(found) != 1:
        raise UserError(
            f"«{named}» không phải tên (hoặc mã) của đúng một thành viên tổ trên máy này.",
            f"{named!r} is not the name (or id) of exactly one team member on this laptop.",
        )
    return found[0]


def _name_of(members: list[TeamMemberInfo], member_id: str) -> str:
    return next((m.full_name for m in members if m.id == member_id), member_id)


def _by_names_someone_else(members: list[TeamMemberInfo], unlocked_by: str, by: str) -> UserError:
    name = _name_of(members, unlocked_by)
    return UserError(
        f"Máy này đã đặt mã PIN: lệnh được làm dưới tên người đã nhập mã PIN ({name}), "
        f"--by không thể ghi tên người khác («{by}»). Hãy bỏ --by, hoặc để người đó tự chạy "
        f"lệnh với mã PIN của mình ({MEMBER_ENV} và {PIN_ENV}).",
        f"This laptop has PINs: a command acts as the member whose PIN opened it ({name}); "
        f"--by cannot name someone else ({by!r}). Leave --by out, or let that person run "
        f"the command with their own PIN ({MEMBER_ENV} and {PIN_ENV}).",
    )


def _by_needed(action: LeaderAction | None = None) -> UserError:
    who_vi, who_en = ("tổ trưởng", "the leader") if action else ("thành viên tổ", "the member")
    return UserError(
        "Máy này chưa đặt mã PIN nên dòng lệnh không biết ai đang làm: hãy thêm --by "
        f"«tên {who_vi}». (Khi tổ đã đặt mã PIN, lệnh biết người làm qua mã PIN.)",
        "This laptop has no PINs, so the command line cannot tell who is acting: add --by "
        f"with the name of {who_en}. (Once the team has PINs, a command knows who acts by "
        "their PIN.)",
    )
