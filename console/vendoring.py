"""The pinned front-end libraries the console serves from its own static files (never a CDN).

``make vendor`` installs ``console/package-lock.json`` with ``npm ci`` in a temporary folder and runs
``python -m console.vendoring <node_modules>``: it copies each file of :data:`VENDORED` into
``console/static/console/vendor/`` and writes ``manifest.json`` (package, version, the lock's tarball
integrity, the file's sha384). Templates load them with ``{% vendor_script "htmx.min.js" %}``, which
adds the manifest's ``integrity=`` (SRI); a test checks files, manifest and lock agree.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

CONSOLE_DIR = Path(__file__).resolve().parent
LOCK_FILE = CONSOLE_DIR / "package-lock.json"
VENDOR_DIR = CONSOLE_DIR / "static" / "console" / "vendor"
MANIFEST = VENDOR_DIR / "manifest.json"

# served file name → (npm package, file inside the package)
VENDORED: dict[str, tuple[str, str]] = {
    "htmx.min.js": ("htmx.org", "dist/htmx.min.js"),
    "echarts.min.js": ("echarts", "dist/echarts.min.js"),
    # MapLibre's CSP build: the worker is a file of ours (no blob: worker), see console/static/console/map.js.
    "maplibre-gl-csp.js": ("maplibre-gl", "dist/maplibre-gl-csp.js"),
    "maplibre-gl-csp-worker.js": ("maplibre-gl", "dist/maplibre-gl-csp-worker.js"),
    "maplibre-gl.css": ("maplibre-gl", "dist/maplibre-gl.css"),
}


def sri_sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def locked_packages() -> dict[str, dict[str, Any]]:
    """``{package: {"version", "integrity", "resolved"}}`` from the lock file."""
    lock = json.loads(LOCK_FILE.read_text(encoding="utf-8"))
    return {key.removeprefix("node_modules/"): value for key, value in lock["packages"].items() if key}


def write(node_modules: Path) -> dict[str, dict[str, str]]:
    """Copy the vendored files out of an ``npm ci`` tree and write their manifest."""
    locked = locked_packages()
    manifest: dict[str, dict[str, str]] = {}
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    for name, (package, source) in VENDORED.items():
        installed = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))
        if installed["version"] != locked[package]["version"]:
            raise SystemExit(f"{package}: 安装的版本 {installed['version']} 与锁文件不一致")
        shutil.copyfile(node_modules / package / source, VENDOR_DIR / name)
        manifest[name] = {
            "package": package,
            "version": locked[package]["version"],
            "source": source,
            "tarball_integrity": locked[package]["integrity"],
            "integrity": sri_sha384((VENDOR_DIR / name).read_bytes()),
        }
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def problems() -> list[str]:
    """Where the committed files, the manifest and the lock disagree (empty: all agree)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    locked = locked_packages()
    found = []
    if set(manifest) != set(VENDORED):
        found.append(f"清单文件 {sorted(manifest)} 与 VENDORED {sorted(VENDORED)} 不一致")
    for name, entry in manifest.items():
        path = VENDOR_DIR / name
        if not path.is_file():
            found.append(f"{name}: 文件缺失")
        elif sri_sha384(path.read_bytes()) != entry["integrity"]:
            found.append(f"{name}: sha384 与清单不一致")
        lock_entry = locked.get(entry["package"], {})
        if (entry["version"], entry["tarball_integrity"]) != (
            lock_entry.get("version"),
            lock_entry.get("integrity"),
        ):
            found.append(f"{name}: 版本或包完整性与 package-lock.json 不一致")
    return found


@cache
def integrity(name: str) -> str:
    """The SRI value templates put on ``<script integrity=…>``."""
    return str(json.loads(MANIFEST.read_text(encoding="utf-8"))[name]["integrity"])


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--check":
        errors = problems()
        print("\n".join(errors) or "前端库与清单、锁文件一致")
        raise SystemExit(1 if errors else 0)
    for name, entry in write(Path(sys.argv[1])).items():
        print(f"{name}  {entry['package']}@{entry['version']}  {entry['integrity']}")
