"""Catalog menu (work in progress)."""


def install(window) -> None:
    pass
