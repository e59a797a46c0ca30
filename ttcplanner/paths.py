"""Where shipped resources live: installed package data, a source checkout, or a frozen bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    """The folder holding catalog/, scenarios/, fonts/ and icons/."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "ttcplanner" / "resources"
    installed = Path(__file__).resolve().parent / "resources"
    if (installed / "catalog").is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "resources" / "catalog").is_dir():
        return checkout / "resources"  # a source checkout (also one beside an editable install of another)
    try:
        import ttcplanner.resources as pkg  # installed as package data

        candidate = Path(pkg.__file__).resolve().parent
        if (candidate / "catalog").is_dir():
            return candidate
    except ImportError:
        pass
    return Path(__file__).resolve().parent.parent / "resources"


def catalog_dir() -> Path:
    return resource_dir() / "catalog"


def scenarios_dir() -> Path:
    return resource_dir() / "scenarios"


def user_data_dir() -> Path:
    """Per-user data folder; matches QStandardPaths.AppDataLocation for an app named 'ttcplanner'
    with no organisation (so XDG_DATA_HOME relocates both)."""
    import os

    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ttcplanner"


def user_catalog_dir() -> Path:
    """Where calibrations, imported and edited prices are saved; overrides the shipped catalog."""
    return user_data_dir() / "catalog"
