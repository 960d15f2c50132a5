#!/usr/bin/env bash
# A GPU run in one command, for a machine with an NVIDIA GPU and no .NET (issue 15):
#   on a machine with .NET:   benchmarks/gpu/run.sh --publish-only      (writes artifacts/gpu-cli, self-contained)
#   on the GPU machine:       benchmarks/gpu/run.sh                     (uses artifacts/gpu-cli; publishes it afresh if .NET is there)
# It measures NiN, AlexNet, VGG-16, ResNet-50, SqueezeNet 1.0 and MobileNetV2 at batch 1 and 32 with the ilgpu engine
# on CUDA (every layer verified on the device), the device's ceilings, and a prediction calibrated on two networks and
# checked on the others; where PyTorch with CUDA is there, the same shapes with cuDNN (TF32 off). The results go to
# benchmarks/results/gpu-run-*.json (see benchmarks/gpu/summarize.py for the fields).
# Environment: CNNCOST_CLI (a published CLI elsewhere), PYTHON (the Python with PyTorch; default python3).
# Options: --accelerator cuda|opencl|cpu  --models a,b  --batches 1,32  --calibrate-on a,b  --out DIR  --repeat K
#          --engine ilgpu|cpu|opencl (a dry run of the script on a machine without a GPU: --engine cpu)
set -euo pipefail
cd "$(dirname "$0")/../.."

accelerator=cuda
engine=ilgpu
models=nin,alexnet,vgg16,resnet50,squeezenet1_0,mobilenet_v2
batches=1,32
calibrate=nin,alexnet
out=benchmarks/results
repeat=10
publish_only=no
while [ $# -gt 0 ]; do
  case "$1" in
    --accelerator) accelerator=$2; shift 2 ;;
    --engine) engine=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    --calibrate-on) calibrate=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --publish-only) publish_only=yes; shift ;;
    *) echo "run.sh: unknown argument '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

# With .NET here the CLI is published afresh (a stale one would measure old code); without it, the one carried along.
cli=${CNNCOST_CLI:-artifacts/gpu-cli/CnnCost.Cli}
if [ -z "${CNNCOST_CLI:-}" ] && command -v dotnet >/dev/null; then
  # One compressed file (about 41 MB, the runtime and ILGPU inside): small enough to carry to a machine without .NET.
  rm -rf artifacts/gpu-cli
  dotnet publish src/CnnCost.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true \
    -nologo -v quiet -o artifacts/gpu-cli
  [ "$publish_only" = yes ] && { echo "published $cli"; exit 0; }
elif [ "$publish_only" = yes ] || [ ! -x "$cli" ]; then
  echo "run.sh: no .NET here and no published CLI at $cli: run 'benchmarks/gpu/run.sh --publish-only' on a machine with .NET and bring artifacts/gpu-cli along" >&2
  exit 2
fi

raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
where=(--engine "$engine")
[ "$engine" = ilgpu ] && where+=(--accelerator "$accelerator")
measure() { "$cli" measure "$@" "${where[@]}" --repeat "$repeat" --warmups 3 --format json; }
for model in ${models//,/ }; do
  for batch in ${batches//,/ }; do
    echo "measuring $model at batch $batch with ${where[*]}" >&2
    measure "$model" --batch "$batch" > "$raw/$model-b$batch-roofline.json"
    case ",$calibrate," in
      *",$model,"*) ;;
      *) measure "$model" --batch "$batch" --calibrate-on "$calibrate" > "$raw/$model-b$batch-calibrated.json" ;;
    esac
  done
done

python=${PYTHON:-python3}   # the Python that has PyTorch with CUDA, if any: PYTHON=/path/to/python3
if command -v "$python" >/dev/null; then
  "$python" benchmarks/gpu/summarize.py "$raw" "$out" "$calibrate"
else
  mkdir -p "$out/gpu-raw" && cp "$raw"/*.json "$out/gpu-raw/"
  echo "no python3 here: the raw reports are in $out/gpu-raw; run benchmarks/gpu/summarize.py on them elsewhere" >&2
fi
