"""Imports app.capture first: it imports torch with the numpy warning silenced (warnings are errors)."""

import app.capture  # noqa: F401
