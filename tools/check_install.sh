#!/usr/bin/env bash
# The README's install commands, run for real in a throwaway folder (CI calls this from .ci/run):
# the block after <!-- run: tools/check_install.sh --> in README.md, with /opt/api2shim and
# /etc/api2shim moved under a temporary folder, on a copy of the tracked files. Then, from
# another folder, the installed console script must answer --help and accept the example config.
#
#     tools/check_install.sh            # about 30 s with a warm pip cache
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/src" "$work/elsewhere"
git -C "$root" ls-files -z --cached --others --exclude-standard | (cd "$root" && xargs -0 tar -cf - --) | tar -xf - -C "$work/src"

# The README block, with the install prefix and config folder moved into $work.
awk '/<!-- run: tools\/check_install.sh -->/ {found=1; next}
     found && /^```sh/ {inside=1; next}
     inside && /^```/ {exit}
     inside {print}' "$root/README.md" \
  | sed -e "s|/opt/api2shim|$work/opt|g" -e "s|/etc/api2shim|$work/etc|g" > "$work/install.sh"
[ -s "$work/install.sh" ] || { echo "check_install: no install block in README.md" >&2; exit 1; }

(cd "$work/src" && PIP_DISABLE_PIP_VERSION_CHECK=1 bash -euo pipefail -x "$work/install.sh") >"$work/log" 2>&1 \
  || { cat "$work/log" >&2; echo "check_install: the README's install commands failed" >&2; exit 1; }

cd "$work/elsewhere"
"$work/opt/bin/api2shim" --help >/dev/null
"$work/opt/bin/api2shim" check --config "$root/deploy/config.example.yaml"
"$work/opt/bin/python" -c 'import shim, uvloop; assert "/src/" not in shim.__file__, shim.__file__'
echo "check_install: the wheel installs; api2shim --help and check work from another folder"
