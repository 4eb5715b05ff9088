#!/usr/bin/env bash
# The five-minute CPU demo: a tiny StructViT3D learns motion directions.
#   1. set up .venv (tools/setup_env.sh),
#   2. write the synthetic clips under data/motion_demo (once),
#   3. train with tools/train.py (configs/demo/structvit-tiny_motion-demo.py),
#   4. test the best checkpoint with tools/test.py and print its accuracy.
# Usage: bash tools/run_demo.sh [extra tools/train.py args]
set -e
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. tools/setup_env.sh
set -e

CONFIG=configs/demo/structvit-tiny_motion-demo.py
DATA=data/motion_demo
WORK_DIR=work_dirs/motion_demo
START=$(date +%s)

if [ ! -f "$DATA/kinetics400_val_list_videos.txt" ]; then
    python tools/data/make_motion_demo.py "$DATA"
fi

python tools/train.py "$CONFIG" --work-dir "$WORK_DIR" "$@"

# the best checkpoint by validation accuracy, else the last one
CKPT=$(ls -t "$WORK_DIR"/best_*.pth 2>/dev/null | head -n 1)
if [ -z "$CKPT" ]; then
    CKPT="$WORK_DIR/$(cat "$WORK_DIR/last_checkpoint" | xargs basename)"
fi
python tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK_DIR/test" \
    2>&1 | tee "$WORK_DIR/test.log"

ACC=$(grep -oE 'acc/top1: [0-9.]+' "$WORK_DIR/test.log" | tail -n 1 | cut -d' ' -f2)
echo
echo "motion demo: test accuracy (acc/top1) of $CKPT: $ACC" \
     "(chance: 0.25); total $(( $(date +%s) - START )) s"
