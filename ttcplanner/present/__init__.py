"""Presentation decisions shared by the window, the PDF and the CLI (Qt-free)."""
