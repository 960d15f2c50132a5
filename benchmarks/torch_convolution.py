"""The convolution of one CnnCost `measure --format json` layer, run and timed with PyTorch (the peer of the benchmarks)."""
import statistics
import time

import torch


def convolution(shape, batch, device="cpu"):
    """A function that runs the layer's convolution once on random data in [-1, 1), as CnnCost's engines fill it."""
    x = torch.rand(batch, shape["inChannels"], shape["inHeight"], shape["inWidth"], device=device) * 2 - 1
    w = torch.rand(shape["filters"], shape["inChannels"] // shape["groups"], shape["kernelHeight"], shape["kernelWidth"],
                   device=device) * 2 - 1

    def run():
        return torch.nn.functional.conv2d(
            x, w, stride=(shape["strideHeight"], shape["strideWidth"]), padding=(shape["padHeight"], shape["padWidth"]),
            dilation=(shape["dilationHeight"], shape["dilationWidth"]), groups=shape["groups"])

    return run


def median_seconds(run, warmups, repeats, cuda=False):
    """Median time of `repeats` runs after `warmups`: wall clock on the CPU, CUDA events on a GPU."""
    with torch.no_grad():
        for _ in range(warmups):
            run()
        times = []
        for _ in range(repeats):
            if cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                run()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end) / 1e3)
            else:
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
    return statistics.median(times)
