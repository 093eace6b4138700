#!/usr/bin/env bash
# Install the system tools the reports need, when missing: headless Chromium (HTML -> PDF) and
# poppler-utils (pdftotext/pdftoppm, used by the tests to read and look at PDFs).
# As root on Debian/Ubuntu this installs them with apt-get; otherwise it says how.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || command -v google-chrome >/dev/null 2>&1 || [ -n "${CHROMIUM_EXECUTABLE:-}" ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
  echo "apt-get could not install ${missing[*]}" >&2
fi
cat >&2 <<MSG
Missing: ${missing[*]}.
PDF reports need a headless Chromium; HTML reports are still produced without it.
  Debian/Ubuntu:  sudo apt-get install chromium poppler-utils
  macOS:          install Google Chrome, or set CHROMIUM_EXECUTABLE=/path/to/chrome
MSG
exit 0
