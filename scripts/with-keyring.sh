#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring: a real Secret
# Service for the keychain tests (FLOE_KEYRING_TEST=1 tells them it is there). The keyring's
# files live in a throwaway folder, so a developer's own keyring is never touched.
set -euo pipefail
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring: $tool is missing; run scripts/setup.sh (it installs dbus and gnome-keyring)" >&2
    exit 1
  fi
done
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export XDG_DATA_HOME="$data" FLOE_KEYRING_TEST=1
dbus-run-session -- bash -c \
  'echo -n floe-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' bash "$@"
