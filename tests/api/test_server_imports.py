"""The web server process never imports torch: programs run in sandbox children, which preload it."""

from __future__ import annotations

import subprocess
import sys


def test_the_app_loads_without_torch() -> None:
    loaded = "sorted(m for m in ('torch', 'app.capture', 'app.runner') if m in sys.modules)"
    probe = f"import sys, app.main; print({loaded})"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
