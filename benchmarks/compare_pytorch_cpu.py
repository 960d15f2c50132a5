"""Times PyTorch's CPU convolution on the shapes of CnnCost `measure --format json` reports and prints both."""
import json
import math
import statistics
import sys
import time

import torch

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
        x = torch.rand(batch, s["inChannels"], s["inHeight"], s["inWidth"]) * 2 - 1
        w = torch.rand(s["filters"], s["inChannels"] // s["groups"], s["kernelHeight"], s["kernelWidth"]) * 2 - 1

        def run():
            return torch.nn.functional.conv2d(
                x, w, stride=(s["strideHeight"], s["strideWidth"]), padding=(s["padHeight"], s["padWidth"]),
                dilation=(s["dilationHeight"], s["dilationWidth"]), groups=s["groups"])

        with torch.no_grad():
            for _ in range(3):
                run()
            times = []
            for _ in range(10):
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
        torch_gflops = layer["flops"] / statistics.median(times) / 1e9
        ours = layer["achievedFlopsPerSecond"] / 1e9
        ratios.append(ours / torch_gflops)
        print(f"{layer['name']:8} {ours:16.1f} {torch_gflops:16.1f} {ours / torch_gflops:7.2f}")
    geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"{'geomean':8} {'':16} {'':16} {geomean:7.2f}")
