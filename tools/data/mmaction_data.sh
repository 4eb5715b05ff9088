#!/usr/bin/env bash
# Run one of mmaction2's data-preparation scripts (shipped inside the
# installed package, under mmaction/.mim/tools/data/) from the current
# directory, as mmaction2's own shell recipes do from a source checkout.
#
#   bash tools/data/mmaction_data.sh <script> [args...]
#   bash tools/data/mmaction_data.sh build_file_list.py sthv1 data/sthv1/rawframes/ \
#       --rgb-prefix 0 --num-split 1 --level 1 --subset train --format rawframes
#
# Why a wrapper: those scripts import `tools.data.*` and read annotations
# from `data/<dataset>/annotations/` relative to the working directory, so
# they need mmaction2's .mim folder on PYTHONPATH and this repository's root
# (where data/ lives) as the working directory. docs/en/user_guides/data_preparation.md
# gives the command for each dataset.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: bash $0 <script under mmaction/.mim/tools/data> [args...]" >&2
    exit 2
fi
SCRIPT=$1
shift

PYTHON=${PYTHON:-python}
MIM=$("$PYTHON" -c 'import importlib.util, os; spec = importlib.util.find_spec("mmaction"); print(os.path.join(os.path.dirname(spec.origin), ".mim"))')
if [ ! -f "$MIM/tools/data/$SCRIPT" ]; then
    echo "no such script in mmaction2's data tools: $MIM/tools/data/$SCRIPT" >&2
    exit 2
fi
PYTHONPATH="$MIM${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" "$MIM/tools/data/$SCRIPT" "$@"
