"""What a person's name may hold: letters (with their marks), spaces, digits and the few
punctuation marks names are written with.

Emoji, pictographs and other symbols (★, ©, +, <) are not part of anyone's name.  One
typed by a slip of the touchpad's emoji panel, or pasted from a chat, would be printed on
the weekly report, exported to the district and searched for by nobody; so the store
refuses a name holding one (``ops.validate.person_name``, used by the forms, the imports
and the command line), with a message naming the character.

Allowed: letters of any script (ethnic minority names use the Latin alphabet with
Vietnamese and other marks; a few residents have foreign names), combining marks that
belong to letters, ASCII digits (some households number namesakes: "Lò Văn Pấng 2"),
spaces, and ``- ' ’ . , ( )`` ("H'Hen Niê", "Y-Moan", "Ng. Văn An", "Lò Thị Ả (mẹ)").
Everything else is refused, including the invisible joiners and variation selectors that
glue emoji together (``text.clean_text`` keeps the zero-width joiner for notes).

The commune server does not apply this rule to pushed rows: a laptop of an older version
may already hold such a name, and refusing it on the server would block that laptop's
outbox for a name that the person can correct on the laptop.

Pure Python: no database, no Qt.
"""

from __future__ import annotations

import unicodedata

# Punctuation that appears in written names; straight and typographic apostrophes both,
# since Word and phones turn one into the other.
NAME_PUNCTUATION = frozenset(" -'’.,()")
# Variation selectors are combining marks (Mn) in Unicode, but they only choose how a
# symbol is drawn (U+FE0F: "as emoji"); no letter of a name needs one.
_VARIATION_SELECTORS = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))


def allowed_in_name(character: str) -> bool:
    if character in NAME_PUNCTUATION or "0" <= character <= "9":
        return True
    code = ord(character)
    if any(code in selectors for selectors in _VARIATION_SELECTORS):
        return False
    category = unicodedata.category(character)
    return category.startswith("L") or category in {"Mn", "Mc"}


def first_refused(name: str) -> str | None:
    """The first character of ``name`` that is not allowed in a person's name, or None.

    A run of a symbol and its modifiers (a flag, a family emoji, a skin tone) is
    returned whole, as the person sees it.
    """
    for index, character in enumerate(name):
        if not allowed_in_name(character):
            start, end = index, index + 1
            while start > 0 and _glued(name[start], name[start - 1]):
                start -= 1  # a keycap's digit: "1" is allowed, "1️⃣" is not
            while end < len(name) and _glued(name[end], name[end - 1]):
                end += 1
            return name[start:end]
    return None


def describe(refused: str) -> str:
    """``refused`` as a message shows it: the character itself, and its code points so
    that an invisible one is still named (``"😀" (U+1F600)``)."""
    codes = " ".join(f"U+{ord(c):04X}" for c in refused)
    return f"«{refused}» ({codes})"


def _glued(character: str, before: str) -> bool:
    """Whether ``character`` belongs to the symbol before it (joiner, selector, tone
    modifier, the second half of a flag, a keycap's enclosing mark)."""
    code = ord(character)
    return (
        character == "\u200d"
        or before == "\u200d"
        or any(code in selectors for selectors in _VARIATION_SELECTORS)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or (0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= ord(before) <= 0x1F1FF)  # flags
        or unicodedata.category(character) == "Me"
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )
