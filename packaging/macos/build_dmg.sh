#!/usr/bin/env bash
# macOS: freeze packaging/ttcplanner.spec with a BUNDLE step (ttcplanner.app) and wrap it in a .dmg.
# Run from the repository root on a Mac: bash packaging/macos/build_dmg.sh
# Needs: pip install -e . "pyinstaller>=6.10" pillow (Pillow converts the PNG icon to .icns).
# Output: dist/ttcplanner-<version>-macos-<arch>.dmg. Unsigned: first start needs right-click > Open.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(python -c "import ttcplanner; print(ttcplanner.__version__)")
arch=$(uname -m)
TTCPLANNER_MACOS_APP=1 python -m PyInstaller --noconfirm --clean \
    --distpath build/pyinstaller/dist --workpath build/pyinstaller/work packaging/ttcplanner.spec

app=build/pyinstaller/dist/ttcplanner.app
test -x "$app/Contents/MacOS/ttcplanner"
staging=build/dmg
rm -rf "$staging" && mkdir -p "$staging" dist
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
dmg="dist/ttcplanner-${version}-macos-${arch}.dmg"
rm -f "$dmg"
hdiutil create -volname "ttcplanner ${version}" -srcfolder "$staging" -ov -format UDZO "$dmg"
echo "$dmg"
