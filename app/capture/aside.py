"""Stepping the recording modes aside while an optimizer step runs, so the step runs at torch's own speed.

An optimizer step is dozens of small in-place ops per parameter, none of them graph nodes; through two Python
modes each costs ~50x its own time, which made a 2,000-step training loop 15x slower than plain torch. The
step's pre-hook copies what the capture holds of the parameters (their writes are then accounted for), takes
the two modes off torch's stacks when they are on top, and the post-hook puts them back. A step that raises
skips its post-hook: the capture puts them back before it leaves them itself.
"""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode, _get_current_function_mode_stack
from torch.utils._python_dispatch import TorchDispatchMode, _get_current_dispatch_mode

__all__ = ["ModesAside"]


class ModesAside:
    """The capture's function and dispatch modes, and whether they are set aside now."""

    def __init__(self, function_mode: TorchFunctionMode, dispatch_mode: TorchDispatchMode) -> None:
        self.function_mode = function_mode
        self.dispatch_mode = dispatch_mode
        self.aside = False

    def step_aside(self) -> bool:
        """Take both modes off when they are the innermost ones (else leave everything as it is)."""
        stack = _get_current_function_mode_stack()  # type: ignore[no-untyped-call]
        if self.aside or not stack or stack[-1] is not self.function_mode:
            return False
        if _get_current_dispatch_mode() is not self.dispatch_mode:
            return False
        torch._C._pop_torch_dispatch_stack(None)
        torch._C._pop_torch_function_stack()
        self.aside = True
        return True

    def step_back(self) -> None:
        """Put them back (a no-op when they are not aside)."""
        if self.aside:
            torch._C._push_on_torch_dispatch_stack(self.dispatch_mode)
            torch._C._push_on_torch_function_stack(self.function_mode)
            self.aside = False
