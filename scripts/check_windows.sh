#!/usr/bin/env bash
# The Windows side of CI, on Linux (docs/packaging-windows.md): every dependency of the
# laptop app and of the server has a win_amd64 wheel, and the installer — compiled here
# with Debian's NSIS — installs, upgrades and uninstalls under Debian's wine64, with
# stand-in programs (the real bundle is built on a Windows runner:
# .github/workflows/windows-installer.yml).
#     bash scripts/check_windows.sh [PYTHON]     # PYTHON: the dev venv's, by default
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:-.venv/bin/python}

missing=()
command -v makensis >/dev/null || missing+=(nsis)
{ command -v wine64 || command -v wine || test -x /usr/lib/wine/wine64; } >/dev/null \
    || missing+=(wine64)
if ((${#missing[@]})); then
    echo "check_windows: installing ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$PYTHON" scripts/check_windows_wheels.py
"$PYTHON" scripts/smoke_windows_installer.py --wine
