#!/usr/bin/env bash
# Time-boxed retrain on a lent GPU machine (one GPU, 16 cores, no network), run from the repo root:
#   OUT=/some/dir BUDGET=480 bash models/xray-det/training/gpu-run.sh
# Data is generated there, not carried: every core but two renders fresh parcels straight into letterbox
# cache parts (gen-dataset.ts --cache), and train.py --grow starts on the GPU as soon as the first parts
# exist and picks up new ones every epoch. The machine has no Node, so the generator travels as a bundle
# with Node and sharp (.devcarry/rt.tar.xz, made by pack-gpu-run.sh). Leaves OUT/model/model.pt (EMA weights of
# the best val epoch; export and test them on the station machine with export.py / evaluate.py) and logs.
set -euo pipefail
: "${OUT:?set OUT}"
BUDGET=${BUDGET:-480}       # seconds for everything below
SEED=${SEED:-5}             # generator seed of the fresh train set (stages 2–3 used seed 2)
INIT=${INIT:-models/xray-det/model.pt}
LR=${LR:-0.002}
BATCH=${BATCH:-128}
GROW=${GROW:-2000}          # train images to wait for before the first step
EPOCH=${EPOCH:-40000}       # samples per epoch (one val evaluation and maybe a save each)
GPU_CACHE=${GPU_CACHE:-120000}  # train images kept on the GPU (0.3 MB each: 37 GB); 0 = read them from the CPU each step
CLASS_WEIGHT=${CLASS_WEIGHT:-}  # e.g. knife=2,cosmetic=2: parcels holding the weakest classes sampled more often
DEVICE=${DEVICE:-cuda}      # DEVICE=cpu AMP= for a dry run of this script on the station machine
AMP=${AMP---amp}
PY=${PY:-python3}
RT=${RT:-/tmp/rt}
DATA=${DATA:-$(mktemp -d /tmp/xrg.XXXXXX)}  # always a fresh folder: parts of an earlier run would be overwritten under train.py's memmaps
t0=$(date +%s)
since() { echo $(( $(date +%s) - t0 )); }

if [ -d "$DATA/cache" ]; then echo "$DATA/cache exists: give gpu-run.sh a fresh DATA folder" >&2; exit 2; fi
mkdir -p "$RT" "$OUT/model"
# (Python's tarfile, not tar -J: xz may not be installed there)
[ -x "$RT/node" ] || "$PY" -c "import tarfile, sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" .devcarry/rt.tar.xz "$RT"
cores=$(nproc)
gens=$(( cores > 4 ? cores - 2 : 2 ))
echo "cores $cores, generators $gens, $("$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())')"
nvidia-smi -L || true

# val: the same 300 parcels (seed 2) as stages 2 and 3, so val mAP50 compares with theirs
for ((s = 0; s < gens; s++)); do
  "$RT/node" "$RT/gen.mjs" --out "$DATA" --split val --seed 2 --count 300 --cache 320 --chunk 50 --shard "$s/$gens" 2>/dev/null &
done
wait
echo "val ready at $(since) s"

# train: a fresh seed, rendered until 90 s before the end (later parts would barely be seen)
gen_seconds=$(( BUDGET - $(since) - 90 )); (( gen_seconds >= 30 )) || gen_seconds=30
for ((s = 0; s < gens; s++)); do
  nice -n 5 "$RT/node" "$RT/gen.mjs" --out "$DATA" --split train --seed "$SEED" --count 1000000 --cache 320 --chunk 100 \
    --shard "$s/$gens" --seconds="$gen_seconds" 2>>"$OUT/gen.log" &
done

# train until 60 s before the end (the last epoch's evaluation, the save and the copy back fit in those)
minutes=$("$PY" -c "print(max(1.0, round(($BUDGET - $(since) - 60) / 60, 2)))")
cd models/xray-det/training
PYTHONUNBUFFERED=1 "$PY" train.py --data "$DATA" --out "$OUT/model" --init "../../../$INIT" --device "$DEVICE" $AMP \
  --grow "$GROW" --epoch-size "$EPOCH" --batch "$BATCH" --lr "$LR" --max-minutes "$minutes" --epochs 1000 \
  --gpu-cache "$GPU_CACHE" --class-weight "$CLASS_WEIGHT" --no-export --val-max 300 --version "${VERSION:-unreleased}" --seed "$SEED" --threads 2 2>&1 | tee "$OUT/train.log"
cd - >/dev/null
kill $(jobs -p) 2>/dev/null || true
wait || true
echo "train images rendered: $("$PY" -c "import json,glob; print(sum(json.load(open(f))['count'] for f in glob.glob('$DATA/cache/train-320.*.json')))"), done at $(since) s"
