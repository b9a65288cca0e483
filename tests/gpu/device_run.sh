#!/usr/bin/env bash
# One-shot GPU check on a lent GPU machine (Python 3.12 + CuPy there; no
# network): build the Cython kernels for that Python, run the `gpu` tests in
# parallel, then the GPU benchmarks.  Logs go to $OUT (or ./gpu-out).
set -uo pipefail
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTENSOR_REQUIRE_EXT=1 CYTHON_NTHREADS=16
PY=${PY:-python3}
start=$(date +%s)
el() { echo "[$(( $(date +%s) - start ))s] $*"; }
el "machine"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
$PY -c "import sys, numpy, cupy, Cython; print(sys.version.split()[0], 'numpy', numpy.__version__, 'cupy', cupy.__version__, 'cython', Cython.__version__)" | tee -a "$OUT/gpu.txt"
el "build"
$PY setup.py build_ext --inplace -j 16 > "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
$PY -c "import pytensor, pytensor_ext; print('HAVE_CPU_EXT', pytensor_ext.HAVE_CPU_EXT, 'cuda', pytensor.cuda.is_available(), pytensor.cuda.get_device_name())"
el "gpu device tests"
$PY -m pytest tests/gpu/test_gpu_device.py -q -p no:cacheprovider -x > "$OUT/gpu_device.log" 2>&1; echo "rc=$?"; tail -3 "$OUT/gpu_device.log"
el "gpu op tests (${GPU_K:-all})"
TO=""; $PY -c "import pytest_timeout" 2>/dev/null && TO="--timeout 120"
timeout ${OPS_TIMEOUT:-300} $PY -m pytest tests/gpu/test_gpu_ops.py tests/gpu/test_gpu_layers.py tests/ext tests/test_serialization.py \
  tests/core/test_device.py -m gpu -q -p no:cacheprovider -n 8 ${GPU_K:+-k "$GPU_K"} $TO \
  > "$OUT/gpu_ops.log" 2>&1; echo "rc=$?"; grep -E "^(FAILED|ERROR)" "$OUT/gpu_ops.log" | head -40; tail -3 "$OUT/gpu_ops.log"
el "gpu benchmarks"
timeout ${BENCH_TIMEOUT:-200} $PY tests/benchmarks/bench_gpu.py --json "$OUT/bench_gpu.json" > "$OUT/bench_gpu.log" 2>&1; echo "rc=$?"; tail -40 "$OUT/bench_gpu.log"
el "done"
