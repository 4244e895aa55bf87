"""Which line of the program before a change is which line after it: a longest common subsequence of the
lines, the lines between two kept ones paired in order (so an edited line stays itself).

Hand-written rather than difflib because static/js/model/diff.js must pair exactly the same lines."""

from __future__ import annotations

__all__ = ["MAX_CELLS", "align_lines"]

MAX_CELLS = 1_000_000  # the changed middle's lines before x after beyond which it is paired in order only


def align_lines(before: str, after: str) -> dict[int, int]:
    """1-based line numbers of `before` -> their line in `after`, for every line that has one."""
    a, b = before.split("\n"), after.split("\n")
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0  # lines equal at the end, not overlapping the start
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    kept = [(i, i) for i in range(start)]
    kept += [(start + i, start + j) for i, j in _common(a[start : len(a) - end], b[start : len(b) - end])]
    kept += [(len(a) - end + k, len(b) - end + k) for k in range(end)]
    pairs: dict[int, int] = {}
    previous = (-1, -1)
    for anchor in [*kept, (len(a), len(b))]:  # the gap before each kept pair: its lines paired in order
        for k in range(min(anchor[0] - previous[0], anchor[1] - previous[1]) - 1):
            pairs[previous[0] + 2 + k] = previous[1] + 2 + k
        if anchor[0] < len(a):
            pairs[anchor[0] + 1] = anchor[1] + 1
        previous = anchor
    return pairs


def _common(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """0-based index pairs of a longest common subsequence (ties: the earlier line of `a` is kept)."""
    if not a or not b or len(a) * len(b) > MAX_CELLS:
        return []
    longest = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]  # longest[i][j]: of a[i:] and b[j:]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            longest[i][j] = (
                longest[i + 1][j + 1] + 1 if a[i] == b[j] else max(longest[i + 1][j], longest[i][j + 1])
            )
    pairs, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs
