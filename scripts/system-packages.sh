#!/usr/bin/env bash
# Install the Debian packages the test suite drives for real (chromium for the browser tests,
# postgresql for the storage tests: its server binaries initdb and pg_ctl), when missing. Called by `make test`; does nothing when everything is present.
# Usage: scripts/system-packages.sh PROGRAM=PACKAGE ...   (e.g. /usr/bin/chromium=chromium)
set -euo pipefail

missing=()
for pair in "$@"; do
  program="${pair%%=*}"
  package="${pair#*=}"
  [ -x "$program" ] || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "Erreur : paquets système manquants pour les tests : ${missing[*]}." >&2
  echo "Conseil : installez-les en administrateur (sudo apt-get install -y ${missing[*]}), puis relancez make test." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Erreur : paquets système manquants (${missing[*]}) et apt-get est absent de cette machine." >&2
  echo "Conseil : installez ${missing[*]} avec le gestionnaire de paquets du système, puis relancez make test." >&2
  exit 1
fi
echo "Installation des paquets système : ${missing[*]}…" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  echo "Erreur : l'installation de ${missing[*]} a échoué (voir les messages d'apt-get ci-dessus)." >&2
  exit 1
fi
