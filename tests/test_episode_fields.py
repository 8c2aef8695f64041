"""`_fields` finds exactly the lines the three field patterns match (it is their fast form)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.episodes import detect

PIECES = [
    "type", "TYPE", "Type", "show", "Show", "SHOW", "episode title", "Episode Title",
    "::", ":", " ", "\t", ">", "-", "*", "_", "+", "\n", "podcast", ",", "x", "ſ", "ı",
    "İ", "\x0b", "🎙", "#📥/🎙", "10:30", "**",
]  # fmt: skip


def expected(body: str) -> tuple[list[str], bool, bool]:
    return (
        [match.group(1) for match in detect._TYPE_FIELD.finditer(body)],
        detect._EPISODE_TITLE.search(body) is not None,
        detect._SHOW.search(body) is not None,
    )


def found(body: str) -> tuple[list[str], bool, bool]:
    fields = list(detect._fields(body))
    return (
        [value for field, value in fields if field == detect._TYPE],
        any(field == detect._TITLE for field, _ in fields),
        any(field == detect._SHOW_NAME for field, _ in fields),
    )


NAMES = ["type", "TYPE", "Show", "show", "episode title", "Episode Title", "ſhow", "tıtle", "x"]
MARKS = [" ", "\t", ">", "-", "*", "_", "+", "**", "x", ":", "ſ"]
VALUES = [" ", "\t", "\x0b", "\u2003", ":", ",", "podcast", "🎙", "x", "::"]
# A line shaped like a field, with every part varied: most of the cases that matter.
FIELD_LINE = st.tuples(
    st.lists(st.sampled_from(MARKS), max_size=4).map("".join),
    st.sampled_from(NAMES),
    st.lists(st.sampled_from(["*", "_", ":", " "]), max_size=3).map("".join),
    st.sampled_from(["::", ":", ":::", ""]),
    st.lists(st.sampled_from(VALUES), max_size=4).map("".join),
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(FIELD_LINE, st.sampled_from(PIECES)), max_size=12).map("\n".join))
def test_fields_are_what_the_patterns_match(body: str) -> None:
    assert found(body) == expected(body)


def test_fields_on_written_examples() -> None:
    body = (
        "- **type**:: #📥/🎙\n> - Episode title:: One\nnot a field:: x\n"
        "  * Show:: The Show\ntype::\ntype:: \t\ntype::\x0bx\n__type__:::x, y\n"
        "time 10:30 type:: no\n"
    )
    assert found(body) == expected(body) == (["#📥/🎙", ":x, y"], True, True)
