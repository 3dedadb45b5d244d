#!/usr/bin/env bash
# The web fonts the HTML pages embed: Noto Sans cut down to the Latin scripts and the signs the
# report uses (Basic Latin, Latin-1, Latin Extended-A and -B: Finnish, Swedish, English, the Sámi
# languages; general punctuation, €, arrows, minus, ≤ ≥), without hinting, with the tabular and
# lining figures the tables ask for. A character outside these ranges is drawn by the reader's
# own sans-serif. The charts' PNGs use the full fonts beside these.
#
# Made with fontTools 4.68.0 (`pip install fonttools==4.68.0`), from this folder:
#   bash subset.sh
set -euo pipefail
cd "$(dirname "$0")"
for face in Regular Bold; do
  python3 -m fontTools.subset "NotoSans-$face.ttf" \
    --unicodes="U+0020-007E,U+00A0-024F,U+2000-206F,U+20AC,U+2190-2193,U+2212,U+2264-2265" \
    --no-hinting --layout-features+=tnum,lnum,pnum \
    --output-file="NotoSans-$face-web.ttf"
done
