#!/usr/bin/env bash
# CnnCost's CPU engine next to PyTorch's CPU convolution on NiN's 12 convolutions at batch 1 and 8: the same shapes,
# 2 threads, buffers warmed, median of 10 runs after 3 warm-ups. PyTorch (Debian's python3-torch, installed here if
# missing) is only the peer of this benchmark, never a dependency of CnnCost.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
if ! "$python" -c "import torch" 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch
fi

dotnet build src/CnnCost.Cli -c Release -nologo -v quiet
results=$(mktemp -d)
for batch in 1 8; do
  dotnet run --project src/CnnCost.Cli -c Release --no-build -- \
    measure nin --engine cpu --batch "$batch" --repeat 10 --warmups 3 --format json > "$results/nin-$batch.json"
done
"$python" benchmarks/compare_pytorch_cpu.py "$results"/nin-1.json "$results"/nin-8.json
