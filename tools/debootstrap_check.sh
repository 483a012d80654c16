#!/usr/bin/env bash
# The proof that the autograder zip installs on a clean image: a bare Debian root made
# by debootstrap (no Python in it), setup.sh run in it as Gradescope runs it (as root,
# with network), then the solution graded there by run_autograder. Needs root.
# Usage: make gradescope-image   (prints the build and grading times and the results)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ZIP=dist/deep_learning_primer/autograder.zip
TARGET=${DEBIAN_ROOT:-$(mktemp -d)/debian-root}
# The Debian mirror apt itself uses here (the only one reachable on some machines).
MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -oE 'https?://[^ ]+/debian/?$' | head -1 || true)

command -v debootstrap >/dev/null || (apt-get update -qq && apt-get install -y -qq debootstrap)
cleanup() { umount "$TARGET/proc" "$TARGET/dev" 2>/dev/null || true; }
trap cleanup EXIT

start=$(date +%s)
rm -rf "$TARGET"
debootstrap --variant=minbase --include=ca-certificates bookworm "$TARGET" "${MIRROR:-http://deb.debian.org/debian}" >/dev/null
cp /etc/resolv.conf "$TARGET/etc/resolv.conf"
# This machine's own certificate authorities (a proxy may sit between it and the registry).
cp /etc/ssl/certs/ca-certificates.crt "$TARGET/etc/ssl/certs/ca-certificates.crt"
CHROOT_ENV=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root PIP_CERT=/etc/ssl/certs/ca-certificates.crt
            SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt)
mount --bind /proc "$TARGET/proc"
mount --bind /dev "$TARGET/dev"
mkdir -p "$TARGET/autograder/source" "$TARGET/autograder/submission" "$TARGET/autograder/results"
$PY -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$ZIP" "$TARGET/autograder/source"
chmod +x "$TARGET/autograder/source/setup.sh" "$TARGET/autograder/source/run_autograder"
rooted=$(date +%s)
chroot "$TARGET" /usr/bin/env -i "${CHROOT_ENV[@]}" bash /autograder/source/setup.sh > "$TARGET/setup.log" 2>&1 \
  || { tail -30 "$TARGET/setup.log"; echo "setup.sh FAILED"; exit 1; }
built=$(date +%s)

$PY - "$TARGET/autograder/submission/deep_learning_primer.ipynb" <<'PYTHON'
import sys
import nbformat
from autograder import ROOT
from autograder.assign.answers import fill_answers, solution_answers
template = nbformat.read(ROOT / "assignments/deep_learning_primer/deep_learning_primer.ipynb", as_version=4)
nbformat.write(fill_answers(template, solution_answers(ROOT / "solutions/deep_learning_primer.ipynb")), sys.argv[1])
PYTHON
echo '{"created_at": "2026-11-24T10:00:00Z", "previous_submissions": []}' > "$TARGET/autograder/submission_metadata.json"
chroot "$TARGET" /usr/bin/env -i "${CHROOT_ENV[@]}" /autograder/source/run_autograder > "$TARGET/run.log" 2>&1
graded=$(date +%s)

$PY - "$TARGET/autograder/results/results.json" <<'PYTHON'
import json, sys
import jsonschema
from autograder import ROOT
results = json.load(open(sys.argv[1]))
jsonschema.validate(results, json.load(open(ROOT / "tests/data/gradescope_results.schema.json")))
print(f"results.json valid; score {results['score']}; {results['output']}")
PYTHON
echo "debootstrap: $((rooted - start)) s; setup.sh: $((built - rooted)) s; grading the solution: $((graded - built)) s"
echo "image size: $(du -shx "$TARGET" | cut -f1)"
