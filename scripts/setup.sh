#!/usr/bin/env bash
# Installs what building and testing Floe needs on Debian or Ubuntu. As root it installs the
# system packages itself; otherwise it prints the exact apt-get line to run. Idempotent.
set -euo pipefail

# System packages: a C toolchain (blake3's assembly, bundled SQLite) and pkg-config; D-Bus and
# gnome-keyring, the real Secret Service the keychain tests run against; Chromium for the
# browser tests (Playwright drives Debian's build; it downloads no browser).
packages=(build-essential pkg-config dbus gnome-keyring chromium)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: node and npm not found. Install Node.js 20.19 or newer, then run this again." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust (1.95 or newer) with rustup, then run this again." >&2
  exit 1
fi
