"""Figures a program draws with matplotlib come back as PNG images, as they would show in a window.

The sandbox has no display: matplotlib runs its Agg backend (chosen in the fork server before any import).
`plt.show()` takes every open figure as an image and closes it, as closing a script's window does, so two
plots shown one after the other are two images; figures still open when the program ends are taken too.
"""

from __future__ import annotations

import base64
import contextlib
import io
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["MAX_FIGURES", "MAX_FIGURE_BYTES", "Figures"]

MAX_FIGURES = 8
MAX_FIGURE_BYTES = 512 * 1024  # one PNG; a bigger one is drawn again at a lower resolution
DPI = 80


class Figures:
    """The images of one run, as `data:` URLs, and a note for each one left out."""

    def __init__(self) -> None:
        self.images: list[str] = []
        self.notes: list[str] = []

    @contextlib.contextmanager
    def shown(self) -> Iterator[None]:
        """Within: `plt.show()` takes the open figures; on leaving, those still open are taken too."""
        pyplot = _pyplot()
        show = getattr(pyplot, "show", None) if pyplot is not None else None
        if pyplot is not None:
            pyplot.show = lambda *args, **kwargs: self.take()
        try:
            yield
        finally:
            if pyplot is not None:
                pyplot.show = show
            self.take()

    def take(self) -> None:
        """Every open figure as an image (in the order they were made), then closed."""
        pyplot = _pyplot()
        if pyplot is None:
            return
        for number in pyplot.get_fignums():
            figure = pyplot.figure(number)
            if len(self.images) < MAX_FIGURES:
                self.images.append(_png(figure))
            elif not self.notes:
                self.notes.append(f"only the first {MAX_FIGURES} figures are shown")
            pyplot.close(figure)


def _pyplot() -> Any:
    """matplotlib.pyplot when the program (or anything it used) imported it; never imported here."""
    return sys.modules.get("matplotlib.pyplot")


def _png(figure: Any) -> str:
    dpi = DPI
    while True:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        if buffer.tell() <= MAX_FIGURE_BYTES or dpi <= 20:
            return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
        dpi //= 2
