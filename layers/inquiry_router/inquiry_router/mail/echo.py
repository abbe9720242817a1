"""What of a buyer's own words the acknowledgement may repeat back to the address they typed.

Anyone can type someone else's address into a contact form, so whatever the acknowledgement
repeats is a message from a stranger, sent in our name. The rule is therefore an allow-list, not a
filter of known tricks: a name or a summary is echoed only when it is short and made of what names
and product summaries are made of (letters of any script with their combining marks, spaces, a few
punctuation marks, a few digits in a summary), and when nothing in it reads as a host name, a link,
a mail address or a phone number in any of the spellings spammers use (`evil.com.`, `evil[.]com`,
`evil dot com`, `evil(dot)com`, `evil．com`, `例子。中国`, `e v i l c o m`, `+1 555 0100`). Anything
else is not echoed at all: the mail says "Hello," and "your inquiry" instead.

`echoable` is the one decision; the renderer (HTML, text, Subject) and the assembler (the To
display name) both ask it. The rep's own notification is not filtered: it shows everything, escaped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

EchoKind = Literal["name", "topic", "quantity"]

NAME_LIMIT = 50  # "María de los Ángeles García López" is 33; a sentence is not a name
TOPIC_LIMIT = 100  # checked whole, shown shortened (render.SUBJECT_TOPIC_LIMIT)
_TOPIC_DIGITS = 6  # "LED 600x600" and "2.5W, IP65" fit; no phone number does (7 or more digits)
_DIGIT_RUN = 4  # digits in a row, separators ignored: "2,000" is 4, "555 0100" is 7
_ABBREVIATION = 4  # "J.", "Dr.", "Ltd.", "Prof." end in a dot followed by a space

# Punctuation names and summaries need; everything else (":", "/", "@", "+", "#", "%", "?", "!",
# quotes, brackets other than round ones, symbols, control and format characters) is refused.
_NAME_PUNCTUATION = frozenset(" '’‘-‐–.,&·・()")
_TOPIC_PUNCTUATION = _NAME_PUNCTUATION | frozenset("/×、")
# Format characters that scripts need inside words (Persian, Indic): joiners, kept as letters.
_JOINERS = frozenset("\u200c\u200d")
# Full stops that IDNA reads as the dot of a host name (UTS 46), besides ".".
_IDEOGRAPHIC_DOTS = str.maketrans({"\u3002": ".", "\uff61": "."})
# Spelled-out dots: "[.]", "(dot)", "{dot}", " dot ", "<.>"; and the "at" of a spelled-out address.
_SPELLED_DOT = re.compile(r"\s*[\[({<]\s*(?:\.|dot)\s*[\])}>]\s*|\s+dot\s+", re.IGNORECASE)
_SPELLED_AT = re.compile(r"[\[({<]\s*at\s*[\])}>]", re.IGNORECASE)
# Words that only links, addresses and contact channels use.
_LINK_WORDS = frozenset(
    [
        "http",
        "https",
        "www",
        "ftp",
        "mailto",
        "url",
        "href",
        "html",
        "htm",
        "php",
        "aspx",
        "email",
        "mail",
        "gmail",
        "hotmail",
        "outlook",
        "yahoo",
        "tel",
        "whatsapp",
        "telegram",
        "wechat",
        "weixin",
        "viber",
        "skype",
        "signal",
        "discord",
    ]
)
# Generic top-level domains that follow an abbreviation-like word: "evil. com", "fee. shop".
_GENERIC_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "info",
        "biz",
        "shop",
        "top",
        "xyz",
        "online",
        "site",
        "store",
        "app",
        "club",
        "live",
        "link",
        "click",
        "vip",
        "icu",
        "win",
        "bid",
        "loan",
        "work",
        "today",
        "page",
        "dev",
        "pro",
        "tech",
        "email",
        "space",
        "fun",
        "website",
        "io",
        "ly",
    ]
)
# Top-level domains that read as one even spelled apart: "evil com", "evil,com", "evil dotcom",
# "evil d0t c0m". Only these (not "shop", "top", "app": ordinary words in product summaries), and
# only after another word; a summary that holds one ("net weight") is simply not repeated.
_STANDALONE_TLDS = frozenset(["com", "net", "org", "info", "biz", "xyz", "icu", "ru", "cn", "tk", "io", "ly"])
_GLUED_DOT_TLD = re.compile(r"^dot(?:" + "|".join(sorted(_STANDALONE_TLDS)) + r")$")
# Digits standing in for letters in "d0t c0m", "g00gle": read back before looking for words.
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t"})
# The Chinese "dot" (点, 點) between Latin letters: "evil点com".
_HAN_DOT = re.compile(r"(?<=[a-z0-9])\s*[点點]\s*(?=[a-z0-9])")
# In the skeleton every letter or mark is "a" and every digit "0": the patterns stay plain ASCII
# while the labels they match may be in any script (IDN hosts such as почта.рф or 例子.中国).
_HOST = re.compile(r"[a0]+(?:-+[a0]+)*\.a{2,}")
_SPACE_BEFORE_DOT = re.compile(r" \.")
_DOT_AFTER_WORD = re.compile(r"([a0-]+)\. (?=(a+))")
_SPACED_LETTERS = re.compile(r"(?:^|(?<= ))[a-z0-9](?: [a-z0-9]){2,}(?= |$)", re.ASCII)
_QUANTITY = re.compile(
    r"(?P<number>\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})*|\d{1,6})(?:[.,]\d{1,2})?"
    r"(?: ?(?P<unit>[^\W\d_]{1,12}))?"
)
_QUANTITY_DIGITS = 6


def echoable(text: str | None, kind: EchoKind) -> str:
    """`text` on one line when the acknowledgement may repeat it as a `kind`, else ""."""
    flat = " ".join((text or "").split())
    if not flat:
        return ""
    if kind == "quantity":
        return flat if _is_quantity(flat) else ""
    limit = NAME_LIMIT if kind == "name" else TOPIC_LIMIT
    allowed_digits = 0 if kind == "name" else _TOPIC_DIGITS
    punctuation = _NAME_PUNCTUATION if kind == "name" else _TOPIC_PUNCTUATION
    if len(flat) > limit or not _only_allowed_characters(flat, punctuation, allowed_digits):
        return ""
    return "" if _reads_as_contact(flat) else flat


def _only_allowed_characters(text: str, punctuation: frozenset[str], allowed_digits: int) -> bool:
    folded = unicodedata.normalize("NFKC", text)
    digits = 0
    for char in folded:
        category = unicodedata.category(char)
        if category[0] in "LM" or char in _JOINERS or char in punctuation:
            continue
        if category == "Nd":
            digits += 1
            continue
        return False
    return digits <= allowed_digits and _longest_digit_run(folded) <= _DIGIT_RUN


def _longest_digit_run(text: str) -> int:
    longest = run = 0
    for char in text:
        if unicodedata.category(char) == "Nd":
            run += 1
            longest = max(longest, run)
        elif char not in " .,-–()/":
            run = 0
    return longest


def _reads_as_contact(text: str) -> bool:
    """A host name, link, address or contact channel in any spelling we know of."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_IDEOGRAPHIC_DOTS)
    if _SPELLED_AT.search(folded):
        return True
    folded = _HAN_DOT.sub(".", _SPELLED_DOT.sub(".", folded))
    ordered = [w for w in re.split(r"[\s.,()&/·・、-]+", folded) if w]
    words = set(ordered)
    if words & _LINK_WORDS:
        return True
    spelled = [w.translate(_LEET) for w in ordered]
    if any(w in _STANDALONE_TLDS or _GLUED_DOT_TLD.match(w) for w in spelled[1:]) or "dot" in spelled[1:-1]:
        return True
    skeleton = _skeleton(folded)
    if _HOST.search(skeleton) or _SPACE_BEFORE_DOT.search(skeleton) or _SPACED_LETTERS.search(folded):
        return True
    for found in _DOT_AFTER_WORD.finditer(skeleton):
        # "J. R. Smith", "Dr. Li", "Prof. Müller" are names; "evil. com" and "parcel. shop" are not.
        word, after = found[1], found.span(2)
        if not word.isalpha() or len(word) > _ABBREVIATION or folded[after[0] : after[1]] in _GENERIC_TLDS:
            return True
    return False


def _skeleton(folded: str) -> str:
    """Letters and marks as "a", digits as "0", a middle dot between ASCII letters as "."."""
    shape = []
    for index, char in enumerate(folded):
        category = unicodedata.category(char)
        if category[0] in "LM" or char in _JOINERS:
            shape.append("a")
        elif category == "Nd":
            shape.append("0")
        elif char in "·・" and _between_ascii_letters(folded, index):
            shape.append(".")  # "evil·com" is a host; "ジョン・スミス" stays a name
        else:
            shape.append(char)
    return "".join(shape)


def _between_ascii_letters(text: str, index: int) -> bool:
    before, after = text[index - 1 : index], text[index + 1 : index + 2]
    return before.isascii() and before.isalnum() and after.isascii() and after.isalnum()


def _is_quantity(text: str) -> bool:
    """A number and at most one unit word ("2,000 pcs", "500 Stück", "1000件"): nothing else."""
    folded = unicodedata.normalize("NFKC", text)
    found = _QUANTITY.fullmatch(folded)
    if not found or sum(char.isdigit() for char in folded) > _QUANTITY_DIGITS:
        return False
    unit = (found["unit"] or "").casefold()
    return unit not in _LINK_WORDS and unit not in _GENERIC_TLDS
