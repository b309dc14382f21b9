#!/usr/bin/env bash
# Install the Debian packages fieldscore needs, only those that are missing.
#   deploy/bootstrap-system.sh          runtime: python3-venv, GDAL, GEOS, PROJ, SpatiaLite
#   deploy/bootstrap-system.sh --test   also PostgreSQL + PostGIS and Redis for the test suite
# Runs as root, or through sudo when not root. Safe to run again.
set -euo pipefail

packages=(python3-venv python3-dev gdal-bin libgdal32 libgeos-c1v5 libproj25 libsqlite3-mod-spatialite)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql postgresql-15-postgis-3 redis-server)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "需要 root 或 sudo 来安装：${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo ">>> 安装系统软件包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts packaged services on install; the test suite runs its own throwaway ones instead.
if [[ "${1:-}" == "--test" ]] && command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  $SUDO systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
fi
