"""Gathers the `measure --format json` reports of benchmarks/gpu/run.sh into one results file, with cuDNN beside them.

Usage: summarize.py RAW_DIR OUTPUT_DIR CALIBRATION_MODELS

RAW_DIR holds MODEL-bBATCH-roofline.json (every network) and MODEL-bBATCH-calibrated.json (the networks the calibration
was not fitted on). Where this machine has PyTorch with CUDA, each layer's convolution is also timed with cuDNN in FP32
(TF32 off, cudnn.benchmark on, CUDA events, median of 10 after 3 warm-ups) and the ratio CnnCost / cuDNN is written.
"""
import datetime
import glob
import json
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def load_torch():
    """PyTorch with a CUDA device, TF32 off, or None with the reason."""
    try:
        import torch
    except ImportError:
        return None, "PyTorch is not installed here"
    if not torch.cuda.is_available():
        return None, f"PyTorch {torch.__version__} sees no CUDA device"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    return torch, f"PyTorch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}, TF32 off"


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def main():
    raw, out, calibration = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    torch, peer = load_torch()
    if torch is not None:
        from torch_convolution import convolution, median_seconds
    networks = []
    first = None
    for path in sorted(glob.glob(os.path.join(raw, "*-roofline.json"))):
        match = re.fullmatch(r"(.+)-b(\d+)-roofline\.json", os.path.basename(path))
        model, batch = match.group(1), int(match.group(2))
        with open(path, encoding="utf-8") as file:
            report = json.load(file)
        first = first or report
        peak = report["predictor"]["peakFlopsPerSecond"]
        layers = []
        for layer in report["layers"]:
            row = {
                "name": layer["name"],
                "flops": layer["flops"],
                "cnncostSeconds": layer["medianSeconds"],
                "cnncostGflops": layer["achievedFlopsPerSecond"] / 1e9,
                "fractionOfPeak": layer["achievedFlopsPerSecond"] / peak,
                "maxRelativeError": layer["maxRelativeError"],
            }
            if torch is not None:
                seconds = median_seconds(convolution(layer["shape"], batch, "cuda"), warmups=3, repeats=10, cuda=True)
                row["cudnnGflops"] = layer["flops"] / seconds / 1e9
                row["ratio"] = row["cnncostGflops"] / row["cudnnGflops"]
            layers.append(row)
        network = {
            "model": model,
            "batch": batch,
            "measuredSeconds": report["totals"]["measuredSeconds"],
            "rooflineSeconds": report["totals"]["predictedSeconds"],
            "calibratedOn": None if model in calibration else ",".join(calibration),
            "layers": layers,
        }
        calibrated = os.path.join(raw, f"{model}-b{batch}-calibrated.json")
        if os.path.exists(calibrated):
            with open(calibrated, encoding="utf-8") as file:
                prediction = json.load(file)
            network["calibratedMeasuredSeconds"] = prediction["totals"]["measuredSeconds"]
            network["predictedSeconds"] = prediction["totals"]["predictedSeconds"]
            network["predictionError"] = prediction["totals"]["predictedSeconds"] / prediction["totals"]["measuredSeconds"] - 1
            network["calibration"] = prediction["predictor"]
        networks.append(network)

    if first is None:
        sys.exit(f"summarize.py: no *-roofline.json report in {raw}")
    nin32 = next((n for n in networks if n["model"] == "nin" and n["batch"] == 32), None)
    nin_tail = [l for l in nin32["layers"] if l["name"] in {f"conv{i}" for i in range(4, 10)}] if nin32 else []
    errors = [abs(n["predictionError"]) for n in networks if "predictionError" in n]
    summary = {
        "ninBatch32GeomeanRatioToCudnn": geomean([l["ratio"] for l in nin32["layers"]]) if nin32 and torch is not None else None,
        "ninBatch32Conv4To9FractionOfPeak": geomean([l["fractionOfPeak"] for l in nin_tail]) if nin_tail else None,
        "outOfSamplePredictionWorstError": max(errors) if errors else None,
    }
    results = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "engine": first["engine"],
        "device": first["device"],
        "deviceInfo": first["deviceInfo"],
        "selection": first["selection"],
        "ceilings": {k: first["predictor"][k] for k in ("peakFlopsPerSecond", "memoryBytesPerSecond")},
        "peer": peer,
        "summary": summary,
        "networks": networks,
    }
    slug = re.sub(r"[^a-z0-9]+", "-", first["device"].lower()).strip("-")
    kind = first["deviceInfo"]["kind"]
    name = f"gpu-run-{kind}-{slug}-{datetime.date.today().isoformat()}.json"
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, name), "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)
        file.write("\n")
    print(f"{os.path.join(out, name)}: {first['device']}; {peer}")
    for key, value in summary.items():
        print(f"  {key}: {'n/a' if value is None else f'{value:.3f}'}")


main()
