#!/usr/bin/env bash
# Install the system packages fieldscore needs, only what is missing (Debian 12 and Ubuntu alike).
#   deploy/bootstrap-system.sh          runtime: python3-venv, GDAL, GEOS, PROJ, SpatiaLite
#   deploy/bootstrap-system.sh --test   also PostgreSQL + PostGIS, Redis and Chromium (browser tests of the
#                                       web console, driven by Playwright) for the test suite
# Checks what the code needs (shared libraries, commands), not package names, so a machine that has
# them some other way is left alone. Runs as root, or through sudo. Safe to run again.
set -euo pipefail

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

# grep reads all of it (no -q): under pipefail an early exit would SIGPIPE ldconfig and fail the test.
has_lib() { ldconfig -p 2>/dev/null | grep "$1" >/dev/null; }

missing=()  # apt package names, or "?pattern" for a versioned runtime library to resolve after update
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
has_lib 'libgdal\.so' || missing+=('?libgdal[0-9]+')
has_lib 'libgeos_c\.so' || missing+=(libgeos-c1v5)
has_lib 'libproj\.so' || missing+=('?libproj[0-9]+')
compgen -G '/usr/lib/*/mod_spatialite.so*' >/dev/null || compgen -G '/usr/lib/mod_spatialite.so*' >/dev/null ||
  missing+=(libsqlite3-mod-spatialite)
if ((want_test)); then
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  compgen -G '/usr/share/postgresql/*/extension/postgis.control' >/dev/null || missing+=(postgresql-postgis)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # Playwright cannot download its own browsers here: it drives Debian's build (tests/console).
  command -v chromium >/dev/null || missing+=(chromium)
  # A Chinese font, or the console's screenshots show empty boxes for every character.
  fc-list :lang=zh 2>/dev/null | grep . >/dev/null || missing+=(fonts-wqy-microhei)
fi
((${#missing[@]} == 0)) && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "需要 root 或 sudo 来安装系统软件包" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
packages=()
for p in "${missing[@]}"; do
  if [[ $p == \?* ]]; then
    # The newest runtime package of that library this release offers (libgdal32 on Debian 12, …).
    name=$(apt-cache pkgnames | grep -E "^${p#\?}\$" | sort -V | tail -n1)
    [[ -n "$name" ]] || { echo "找不到软件包 ${p#\?}" >&2; exit 1; }
    packages+=("$name")
  else
    packages+=("$p")
  fi
done
echo ">>> 安装系统软件包：${packages[*]}"
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Debian starts packaged servers on install; the tests run their own throwaway ones instead.
if ((want_test)) && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  $SUDO systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
fi
