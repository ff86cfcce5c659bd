#!/usr/bin/env bash
# GPU checks of issue 15 in one go, for a machine with CUDA (nothing here runs without it):
#   1. the CUDA tests (tests/test_distributed.py -k cuda: a 1-GPU float64 run equals the CPU run, TF32
#      stays off unless --allow-tf32, 2 NCCL ranks equal 1 process when there are 2 GPUs);
#   2. scripts/bench_distributed.py --gpu (1 and 2 gloo CPU ranks, then 1..K NCCL GPU ranks);
#   3. the ResNet-18-shaped model (scripts/_scale_models.py cnn_1e7, 1.1e7 parameters, 64 images 32×32)
#      with --only spectrum on 1 GPU: wall time, peak memory, convergence.
# Usage: scripts/gpu_check.sh [PYTHON]   (PYTHON defaults to .venv/bin/python, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "gpu_check: no CUDA device; nothing to check" >&2
    exit 0
fi
"$PY" -c 'import torch; print("GPUs:", [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())])'
echo "== 1. CUDA tests"
"$PY" -m pytest -q -p no:cacheprovider tests/test_distributed.py -k cuda
echo "== 2. data-parallel benchmark"
"$PY" scripts/bench_distributed.py --gpu
echo "== 3. ResNet-18-shaped model, --only spectrum, 1 GPU"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" -c "import sys, torch; from scripts import _scale_models as m; torch.save(m.data('cnn', 64), sys.argv[1])" \
    "$work/images.pt"
start=$(date +%s.%N)
"$PY" -m hessdiag run --model scripts._scale_models:cnn_1e7 --data "$work/images.pt" --loss ce --device cuda \
    --only spectrum --quiet --json "$work/resnet.json"
end=$(date +%s.%N)
"$PY" - "$work/resnet.json" "$start" "$end" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
top = r["eigenvalues"]["top"]
print(f"ResNet-18-shaped (d = {r['problem']['d']:,}), --only spectrum on {r['problem']['device']}: "
      f"{float(sys.argv[3]) - float(sys.argv[2]):.1f} s wall, peak memory "
      f"{r['settings']['cost']['measured']['peak_memory_bytes'] / 2**30:.2f} GiB, λ_max = {top[0]['value']:.6g}, "
      f"tf32 allowed: {r['settings']['allow_tf32']}")
PYEOF
