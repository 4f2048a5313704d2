#!/usr/bin/env bash
# Installs what building and testing Floe needs on Debian or Ubuntu. As root it installs the
# system packages itself; otherwise it prints the exact apt-get line to run. Idempotent.
set -euo pipefail

# System packages: a C toolchain (blake3's assembly, bundled SQLite) and pkg-config; the
# libraries the Tauri desktop shell builds against (WebKitGTK 4.1, GTK 3, libsoup 3, …); D-Bus
# and gnome-keyring, the real Secret Service the keychain tests run against; Chromium for the
# browser tests (Playwright drives Debian's build; it downloads no browser); Xvfb and
# WebKitWebDriver for the desktop test.
packages=(
  build-essential pkg-config
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  dbus gnome-keyring
  chromium xvfb xauth webkit2gtk-driver
)

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

# tauri-driver (pinned: crates.io also carries 3.0 alphas) bridges WebDriver to the desktop app.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver 2.1.0 (cargo install, about a minute)" >&2
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
