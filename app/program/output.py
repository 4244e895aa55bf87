"""What the program prints: stdout and stderr (warnings included) in order, kept up to a byte budget."""

from __future__ import annotations

import io

__all__ = ["BoundedOutput"]


class BoundedOutput(io.TextIOBase):
    """A text stream that keeps the first `limit` bytes and counts the rest (the program runs on)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._parts: list[str] = []
        self._kept = 0
        self.dropped = 0  # bytes written past the limit

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        size = len(text.encode("utf-8", "replace"))
        room = self.limit - self._kept
        if size <= room:
            self._parts.append(text)
            self._kept += size
        else:
            head = text.encode("utf-8", "replace")[: max(room, 0)].decode("utf-8", "ignore")
            self._parts.append(head)
            self._kept = self.limit
            self.dropped += size - len(head.encode())
        return len(text)

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def getvalue(self) -> str:
        return "".join(self._parts)
