#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs every Debian 12 package that building, testing and the demo need.
# Does nothing when they are all present already.
# --bench: also what the on-demand benchmarks use (docs/performance.md).
set -euo pipefail

packages=(
  build-essential pkg-config meson ninja-build indent valgrind
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libyaml-dev python3-yaml
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  libjpeg62-turbo-dev libpng-dev zlib1g-dev
  libcairo2-dev libpango1.0-dev
  gobject-introspection libgirepository1.0-dev gir1.2-gstreamer-1.0
  python3-gi python3-gst-1.0
)
if [ "${1:-}" = "--bench" ]; then
  # bench-scale-photo pans a natural photo across its frames: this package
  # ships one (/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg, 11 MB
  # download); without it that benchmark is skipped
  packages+=(lomiri-wallpapers-20.04)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
