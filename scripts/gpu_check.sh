#!/usr/bin/env bash
# Every GPU check in one go, for a machine with CUDA (nothing here runs without it). Each step has its
# own time limit and a failing step does not stop the others; the last lines sum up every step's exit
# status and time.
#   0. scripts/check_sections.py: every report section alone on the GPU (`--only S`, the built-in
#      default problem), on its dense and on its operator paths, then all of them on the other product,
#      per-sample and trace paths and under --budget; one section's failure does not hide another's;
#   1. the built-in default on the GPU (auto dtype: float32) and on the CPU (float64): JSON + HTML, and
#      the two reports compared (verdict, λ_max, trace, score, timings);
#   1b. scripts/check_forms.py --device cuda: the whole default (race included) on every model,
#      checkpoint and data form the tests build (fixed-batch and dynamic exports, TorchScript, mapping
#      inputs, ragged token loaders, ...), each against the CPU in float64 (the call and λ_max; 150 s
#      for the 17 forms on one device of 2 CPU cores, so about twice that with the comparison);
#   2. the CUDA tests (tests/test_distributed.py -k cuda: a 1-GPU float64 run equals the CPU run, TF32
#      stays off unless --allow-tf32, 2 NCCL ranks equal 1 process when there are 2 GPUs);
#   3. scripts/bench_vs_pyhessian.py --device cuda (issue 14: products and time to λ_max within 1e-3,
#      both tools on the GPU);
#   3b. scripts/profile_top_eigenvalue.py --device cuda (hessdiag's and PyHessian's time split into
#      setup, products and the rest of each step: why 1.33× fewer products took 1.5× more time);
#   4. the ResNet-18-shaped model (scripts/_scale_models.py cnn_1e7, 1.1e7 parameters, 64 images 32×32)
#      with --only spectrum on 1 GPU: wall time, peak memory, convergence;
#   5. scripts/bench_batched_probes.py --device cuda (the batched-pass gain on a GPU);
#   6. scripts/bench_distributed.py --gpu (1 and 2 gloo CPU ranks, then 1..K NCCL GPU ranks);
#   7, 8. scripts/bench_scale.py on the GPU (1e4–1e6 parameters, --only spectrum and the full run) with
#      retained, then linearized Hessian products: on the H200 a batched round of linearized products cost
#      2.2× less per vector than retained ones on the benchmark CNN (bench_batched_probes), and `auto`
#      picks retained; this measures what that is worth end to end;
#   9. scripts/bench_race.py --device cuda (the race's rounds batched against one run at a time: the race
#      was 9.1 s of the default's 14.3 s on the H200, launch-bound, before its rounds were batched).
# ONLY_STEPS="0 2 3b" runs only those steps (a lease's device time rarely covers every step at once).
# Usage: scripts/gpu_check.sh [PYTHON [DIR]]   PYTHON defaults to .venv/bin/python, else python3; the
# reports go to DIR (default: a temporary folder, removed at the end). CHECK_DEVICE=cpu runs the same
# steps on the CPU (to try the script itself on a machine without a GPU; slow).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${1:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
DEVICE=${CHECK_DEVICE:-cuda}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
if [ "$DEVICE" = cuda ] && ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "gpu_check: no CUDA device; nothing to check" >&2
    exit 0
fi
if [ -n "${2:-}" ]; then out=$2; mkdir -p "$out"; else out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
summary=()
step() {  # step NAME LIMIT_S COMMAND...: run it under a time limit, record its exit status and time
    local name=$1 limit=$2 start rc ms
    shift 2
    if [ -n "${ONLY_STEPS:-}" ] && [[ " $ONLY_STEPS " != *" ${name%% *} "* ]]; then return; fi
    echo "== $name (limit ${limit} s)"
    start=$(date +%s%N)
    timeout --kill-after=10 "$limit" "$@"
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    summary+=("$(printf '%-34s rc %3d  %5d.%d s' "$name" "$rc" $((ms / 1000)) $((ms % 1000 / 100)))")
    echo "== $name: rc $rc"
}
"$PY" - "$DEVICE" <<'PYEOF'
import sys, torch
cuda = sys.argv[1] == "cuda"
print("torch", torch.__version__, "| CUDA", torch.version.cuda, "| GPUs:",
      [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else "none used")
PYEOF

compare_defaults() {
    "$PY" - "$out/default_$DEVICE.json" "$out/default_cpu.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def pick(r):
    e, rec = r["eigenvalues"], r["recommendation"]
    return {"device": r["problem"]["device"], "dtype": r["problem"]["dtype"], "call": rec["call"],
            "score": rec["rule"]["score"], "λ_max": e["top"][0]["value"], "bar": e["top"][0]["residual"],
            "λ_min": e["bottom"][0]["value"], "trace": r["trace"]["estimate"],
            "seconds": r["settings"]["cost"]["measured"]["seconds"]}
for r in (a, b):
    print(" | ".join(f"{k} {v}" for k, v in pick(r).items()))
la, lb = a["eigenvalues"]["top"][0], b["eigenvalues"]["top"][0]
print(f"λ_max differs by {abs(la['value'] - lb['value']):.3g} (bars {la['residual']:.3g}, {lb['residual']:.3g})")
sys.exit(0 if a["recommendation"]["call"] == b["recommendation"]["call"] else 1)
PYEOF
}
defaults() {
    "$PY" -m hessdiag run --device "$DEVICE" --quiet --json "$out/default_$DEVICE.json" \
        --html "$out/default_$DEVICE.html" || return $?
    [ "$DEVICE" = cpu ] || "$PY" -m hessdiag run --device cpu --quiet --json "$out/default_cpu.json" || return $?
    compare_defaults
}
resnet() {
    "$PY" -c "import sys, torch; from scripts import _scale_models as m; torch.save(m.data('cnn', 64), sys.argv[1])" \
        "$out/images.pt" || return $?
    local start end
    start=$(date +%s.%N)
    "$PY" -m hessdiag run --model scripts._scale_models:cnn_1e7 --data "$out/images.pt" --loss ce \
        --device "$DEVICE" --only spectrum --quiet --json "$out/resnet.json" || return $?
    end=$(date +%s.%N)
    "$PY" - "$out/resnet.json" "$start" "$end" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
top = r["eigenvalues"]["top"]
print(f"ResNet-18-shaped (d = {r['problem']['d']:,}), --only spectrum on {r['problem']['device']}: "
      f"{float(sys.argv[3]) - float(sys.argv[2]):.1f} s wall, peak memory "
      f"{r['settings']['cost']['measured']['peak_memory_bytes'] / 2**30:.2f} GiB, λ_max = {top[0]['value']:.6g} "
      f"± {top[0]['residual']:.2g}, converged {r['eigenvalues'].get('converged')}, "
      f"tf32 allowed: {r['settings']['allow_tf32']}")
PYEOF
}

step "0 every section alone" "${LIMIT_SECTIONS:-240}" "$PY" scripts/check_sections.py --device "$DEVICE"
step "1 default run, $DEVICE vs cpu" "${LIMIT_DEFAULT:-150}" bash -c "$(declare -f defaults compare_defaults); \
    PY='$PY' DEVICE='$DEVICE' out='$out' defaults"
step "1b every form, whole default" "${LIMIT_FORMS:-420}" "$PY" scripts/check_forms.py --device "$DEVICE"
step "2 CUDA tests" "${LIMIT_TESTS:-150}" "$PY" -m pytest -q -p no:cacheprovider tests/test_distributed.py -k cuda
step "3 bench_vs_pyhessian" "${LIMIT_PYHESSIAN:-200}" "$PY" scripts/bench_vs_pyhessian.py --device "$DEVICE" \
    --variants 1,2 --trace-budgets 30,100
step "3b where λ_max's time goes" "${LIMIT_PROFILE:-90}" "$PY" scripts/profile_top_eigenvalue.py --device "$DEVICE"
step "4 ResNet-18-shaped spectrum" "${LIMIT_RESNET:-150}" bash -c "$(declare -f resnet); \
    PY='$PY' DEVICE='$DEVICE' out='$out' resnet"
step "5 batched probes" "${LIMIT_BATCHED:-90}" "$PY" scripts/bench_batched_probes.py --device "$DEVICE" --repeats 5
step "6 data-parallel" "${LIMIT_DISTRIBUTED:-120}" "$PY" scripts/bench_distributed.py --gpu --rounds 1
step "7 scale, retained products" "${LIMIT_SCALE:-240}" "$PY" scripts/bench_scale.py \
    --cases mlp_1e4,transformer_1e5,cnn_1e6 --runs spectrum,full -- --device "$DEVICE" --hvp retained
step "8 scale, linearized products" "${LIMIT_SCALE:-240}" "$PY" scripts/bench_scale.py \
    --cases mlp_1e4,transformer_1e5,cnn_1e6 --runs spectrum,full -- --device "$DEVICE" --hvp linearized
step "9 race batched vs alone" "${LIMIT_RACE:-180}" "$PY" scripts/bench_race.py --device "$DEVICE" \
    --cases lsq_rot_init,teacher_mlp_init,lstm_init,cnn_digits_init
echo "== summary"
printf '%s\n' "${summary[@]}"
