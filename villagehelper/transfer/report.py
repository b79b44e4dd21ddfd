"""What an import tells the person: counts, the rows it could not take and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from villagehelper.errors import UserError
from villagehelper.store.changelog import Changes
from villagehelper.text import format_number as n

# (done, total): called now and then during a long import or export, for a progress bar.
Progress = Callable[[int, int], None]

# A rejected file can have thousands of bad rows; the message shows the first few.
PROBLEMS_IN_MESSAGE = 10


@dataclass(frozen=True)
class RowProblem:
    """One row the import could not take.

    ``line`` is the row number Excel shows (the header row of a plain file is line 1);
    ``column`` is the column's title as written in the file, when one column is at fault.
    """

    line: int
    column: str | None
    message_vi: str

    def describe(self) -> str:
        where = f"Dòng {self.line}"
        if self.column:
            where += f", cột «{self.column}»"
        return f"{where}: {self.message_vi}"


@dataclass(frozen=True)
class ImportReport:
    """What an import did.  ``imported`` / ``updated`` / ``unchanged`` count households
    (for a households file) or help sessions (for a sessions file)."""

    kind: str  # "households" or "sessions": chooses the nouns of the summary
    rows_read: int
    imported: int
    updated: int
    unchanged: int
    skipped: tuple[RowProblem, ...] = ()
    members_imported: int = 0
    members_updated: int = 0
    villages_created: int = 0
    volunteers_created: int = 0
    ignored_columns: tuple[str, ...] = ()
    changes: Changes = field(default_factory=Changes, compare=False)

    @property
    def updated_or_unchanged(self) -> int:
        return self.updated + self.unchanged

    @property
    def skipped_lines(self) -> tuple[int, ...]:
        return tuple(sorted({problem.line for problem in self.skipped}))

    def summary_vi(self) -> str:
        """One Vietnamese sentence for the command line or a message box."""
        noun = "hộ" if self.kind == "households" else "lượt hỗ trợ"
        parts = [f"Đã nhập {n(self.imported)} {noun} mới"]
        if self.members_imported:
            parts[0] += f" và {n(self.members_imported)} nhân khẩu mới"
        parts.append(f"cập nhật {n(self.updated)} {noun}")
        if self.members_updated:
            parts[-1] += f" ({n(self.members_updated)} nhân khẩu)"
        parts.append(f"{n(self.unchanged)} {noun} không đổi")
        if self.villages_created:
            parts.append(f"tạo {n(self.villages_created)} thôn mới")
        if self.volunteers_created:
            parts.append(f"thêm {n(self.volunteers_created)} thành viên tổ")
        if self.skipped:
            parts.append(f"bỏ qua {n(len(self.skipped_lines))} dòng lỗi")
        sentence = ", ".join(parts) + "."
        if self.ignored_columns:
            ignored = ", ".join(f"«{title}»" for title in self.ignored_columns)
            sentence += f" Các cột không dùng đến: {ignored}."
        return sentence


class ImportRejected(UserError):  # noqa: N818 (name fixed by the CLI's contract)
    """Some rows are bad and skipping was not asked for: nothing was imported."""

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        lines = sorted({problem.line for problem in problems})
        shown = "\n".join(problem.describe() for problem in problems[:PROBLEMS_IN_MESSAGE])
        more = len(problems) - PROBLEMS_IN_MESSAGE
        if more > 0:
            shown += f"\n… và {more} lỗi khác."
        headline = (
            f"Tệp có {n(len(lines))} dòng lỗi nên chưa nhập dòng nào. Hãy sửa các dòng này "
            "rồi nhập lại, hoặc chọn bỏ qua dòng lỗi (--skip-invalid)."
        )
        super().__init__(
            headline[:-1] + ":\n" + shown,
            f"{len(lines)} bad rows: nothing was imported.",
        )
        self.headline_vi = headline
        self.problems = problems


class ProgressTicker:
    """Calls a :data:`Progress` callback every ``every`` steps, and once at the end."""

    def __init__(self, callback: Progress | None, total: int, every: int = 500) -> None:
        self._callback = callback
        self._total = total
        self._every = every
        self._done = 0

    def advance(self, steps: int = 1) -> None:
        before = self._done
        self._done = min(self._total, self._done + steps)
        if self._callback is not None and self._done // self._every != before // self._every:
            self._callback(self._done, self._total)

    def finish(self) -> None:
        self._done = self._total
        if self._callback is not None:
            self._callback(self._total, self._total)
