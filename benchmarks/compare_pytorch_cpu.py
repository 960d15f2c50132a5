"""Times PyTorch's CPU convolution on the shapes of CnnCost `measure --format json` reports and prints both."""
import json
import math
import sys

import torch

from torch_convolution import convolution, median_seconds

torch.set_num_threads(2)
torch.manual_seed(0)

print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, MKL-DNN {torch.backends.mkldnn.is_available()}")
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as file:
        report = json.load(file)
    batch = report["batch"]
    print(f"\nbatch {batch}: {report['device']}")
    print(f"{'layer':8} {'CnnCost GFLOP/s':>16} {'PyTorch GFLOP/s':>16} {'ratio':>7}")
    ratios = []
    for layer in report["layers"]:
        s = layer["shape"]
        seconds = median_seconds(convolution(s, batch), warmups=3, repeats=10)
        torch_gflops = layer["flops"] / seconds / 1e9
        ours = layer["achievedFlopsPerSecond"] / 1e9
        ratios.append(ours / torch_gflops)
        print(f"{layer['name']:8} {ours:16.1f} {torch_gflops:16.1f} {ours / torch_gflops:7.2f}")
    geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"{'geomean':8} {'':16} {'':16} {geomean:7.2f}")
