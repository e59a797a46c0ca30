"""Shared test setup. GUI tests run without a display: the offscreen Qt platform, set before Qt loads."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
