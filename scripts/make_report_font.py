"""Make the printed report's font from Liberation Serif 2 (SIL OFL 1.1): the same glyphs
and metrics under a name of its own, "VillageHelper Serif".

Why a name of its own: Qt picks among installed fonts of one family by style, and an
installed "Liberation Serif" 1.07 (Debian's fonts-liberation, common on Linux laptops,
which lacks ấ ặ ệ ộ …) won over the bundled 2.x for the regular style: words printed with
holes.  Under its own name the bundled font is the only one the report can get.  The OFL
forbids a modified font to keep its Reserved Font Names ("Liberation"; "Tinos" for the
Google data it derives from), so the new name carries neither.

Only the names in the ``name`` table change (family, full, unique and PostScript names);
the copyright, trademark and licence entries stay.  Run:

    python scripts/make_report_font.py /usr/share/fonts/truetype/liberation2 \
        villagehelper/resources/fonts
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

STYLES = ("Regular", "Bold", "Italic")
OLD_NAME, NEW_NAME = "Liberation Serif", "VillageHelper Serif"
# Family, unique id, full name, PostScript name, typographic family and subfamily.
RENAMED_IDS = {1, 3, 4, 6, 16, 17, 18, 21, 22}
HEAD_MAGIC = 0xB1B0AFBA  # checkSumAdjustment = magic - checksum of the whole font


def checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}L", padded)
    return sum(words) & 0xFFFFFFFF


def renamed(text: str) -> str:
    return text.replace(OLD_NAME, NEW_NAME).replace(
        OLD_NAME.replace(" ", ""), NEW_NAME.replace(" ", "")
    )


def rename_table(name: bytes) -> bytes:
    """The ``name`` table (format 0 or 1) with the font's names changed."""
    version, count, storage = struct.unpack_from(">HHH", name)
    records = []
    strings = bytearray()
    for index in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(
            ">HHHHHH", name, 6 + 12 * index
        )
        raw = name[storage + offset : storage + offset + length]
        if name_id in RENAMED_IDS:
            codec = "utf-16-be" if platform in (0, 3) else "latin-1"
            raw = renamed(raw.decode(codec)).encode(codec)
        records.append((platform, encoding, language, name_id, len(raw), len(strings)))
        strings += raw
    tail = name[6 + 12 * count : storage]  # format 1's language tags, if any
    header = struct.pack(">HHH", version, count, 6 + 12 * count + len(tail))
    body = b"".join(struct.pack(">HHHHHH", *record) for record in records)
    return header + body + tail + bytes(strings)


def rename_font(font: bytes) -> bytes:
    """``font`` (TrueType) with its ``name`` table renamed and every checksum redone."""
    sfnt, count = struct.unpack_from(">LH", font)
    tables: dict[bytes, bytes] = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack_from(">4sLLL", font, 12 + 16 * index)
        tables[tag] = font[offset : offset + length]
    tables[b"name"] = rename_table(tables[b"name"])
    head = bytearray(tables[b"head"])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, computed last
    tables[b"head"] = bytes(head)

    directory = bytearray(font[:12])
    data = bytearray()
    offset = 12 + 16 * count
    head_at = 0
    for tag in sorted(tables):
        table = tables[tag]
        if tag == b"head":
            head_at = offset + len(data)
        directory += struct.pack(">4sLLL", tag, checksum(table), offset + len(data), len(table))
        data += table + b"\0" * (-len(table) % 4)
    whole = bytearray(directory + data)
    adjustment = (HEAD_MAGIC - checksum(bytes(whole))) & 0xFFFFFFFF
    whole[head_at + 8 : head_at + 12] = struct.pack(">L", adjustment)
    assert sfnt == 0x00010000, "TrueType outlines expected"
    return bytes(whole)


def main(source: Path, target: Path) -> None:
    for style in STYLES:
        original = source / f"LiberationSerif-{style}.ttf"
        made = target / f"VillageHelperSerif-{style}.ttf"
        made.write_bytes(rename_font(original.read_bytes()))
        print(f"{original} -> {made}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
