"""Entry script frozen by PyInstaller: the same main() as the `ttcplanner` console script."""

from ttcplanner.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
