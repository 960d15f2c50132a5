#!/usr/bin/python3
"""PyTorch's own counts for the DAG members of CnnCost's zoo: the oracle of PyTorchOracleTests.

Builds each network in PyTorch (torchvision layouts with weights=None; Caffe's BVLC GoogLeNet as a small
nn.Module below, since torchvision's googlenet differs from it), runs one 1x3xHxW forward pass in eval mode with
hooks on Conv2d and Linear that count multiply-adds from the tensors that actually flow (a Linear applied at every
position of a channels-last map counts once per position), and sums the parameters, split by the modules that own
them. Nothing here reads CnnCost: the counts come from PyTorch's modules and tensors alone.

    /usr/bin/python3 tests/CnnCost.Tests/Zoo/Oracles/pytorch_counts.py > tests/CnnCost.Tests/Zoo/Oracles/pytorch_counts.json

(Debian's python3 has torch 1.13 and torchvision 0.14; the versions used are written into the JSON.)
"""

import json
import sys

import torch
import torch.nn as nn
import torchvision


class BasicConv(nn.Sequential):
    """A convolution with a bias followed by ReLU, as every convolution of BVLC GoogLeNet is."""

    def __init__(self, cin, cout, k, stride=1, pad=0):
        super().__init__(nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=True), nn.ReLU(inplace=True))


class Inception(nn.Module):
    """bvlc_googlenet's inception module: 1x1 | 1x1 -> 3x3 pad 1 | 1x1 -> 5x5 pad 2 | max 3x3/1 pad 1 -> 1x1."""

    def __init__(self, cin, c1, r3, c3, r5, c5, pp):
        super().__init__()
        self.b1 = BasicConv(cin, c1, 1)
        self.b3 = nn.Sequential(BasicConv(cin, r3, 1), BasicConv(r3, c3, 3, pad=1))
        self.b5 = nn.Sequential(BasicConv(cin, r5, 1), BasicConv(r5, c5, 5, pad=2))
        self.bp = nn.Sequential(nn.MaxPool2d(3, 1, padding=1, ceil_mode=True), BasicConv(cin, pp, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


class BvlcGoogLeNet(nn.Module):
    """Caffe's models/bvlc_googlenet/deploy.prototxt: Caffe pools round up (ceil_mode=True), LRN after pool1
    and conv2, a 5x5 reduce branch (torchvision uses 3x3 there), 7x7 average pool, dropout 0.4, fc 1000."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            BasicConv(3, 64, 7, stride=2, pad=3),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            nn.LocalResponseNorm(5),
            BasicConv(64, 64, 1),
            BasicConv(64, 192, 3, pad=1),
            nn.LocalResponseNorm(5),
            nn.MaxPool2d(3, 2, ceil_mode=True),
        )
        self.body = nn.Sequential(
            Inception(192, 64, 96, 128, 16, 32, 32),
            Inception(256, 128, 128, 192, 32, 96, 64),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Inception(480, 192, 96, 208, 16, 48, 64),
            Inception(512, 160, 112, 224, 24, 64, 64),
            Inception(512, 128, 128, 256, 24, 64, 64),
            Inception(512, 112, 144, 288, 32, 64, 64),
            Inception(528, 256, 160, 320, 32, 128, 128),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Inception(832, 256, 160, 320, 32, 128, 128),
            Inception(832, 384, 192, 384, 48, 128, 128),
            nn.AvgPool2d(7, 1),
            nn.Dropout(0.4),
        )
        self.classifier = nn.Linear(1024, 1000)

    def forward(self, x):
        return self.classifier(torch.flatten(self.body(self.stem(x)), 1))


# Each model at the input size of CnnCost's zoo entry (the released Caffe SqueezeNets take 227x227).
MODELS = {
    "googlenet": (BvlcGoogLeNet, 224),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), 224),
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), 224),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None), 224),
    "squeezenet1_0": (lambda: torchvision.models.squeezenet1_0(weights=None), 227),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None), 227),
    # The families of issue 13, as torchvision 0.14 builds them.
    "convnext_tiny": (lambda: torchvision.models.convnext_tiny(weights=None), 224),
    "densenet121": (lambda: torchvision.models.densenet121(weights=None), 224),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(weights=None), 224),
    # The inference network: the auxiliary classifier only runs in training (init_weights=False only skips the
    # slow truncated-normal initialization; the values do not matter here).
    "inception_v3": (lambda: torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False), 299),
    "mobilenet_v3_large": (lambda: torchvision.models.mobilenet_v3_large(weights=None), 224),
    "regnet_y_400mf": (lambda: torchvision.models.regnet_y_400mf(weights=None), 224),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(weights=None), 224),
}


def count(factory, size):
    model = factory().eval()
    macs = {"conv": 0, "depthwise_conv": 0, "linear": 0}
    layers = {"conv": 0, "linear": 0}

    def conv_hook(module, inputs, output):
        kh, kw = module.kernel_size
        per_output = (module.in_channels // module.groups) * kh * kw
        # A depthwise convolution: one filter per input channel.
        key = "depthwise_conv" if module.groups > 1 and module.groups == module.in_channels else "conv"
        assert inputs[0].shape[1] == module.in_channels
        macs[key] += output.numel() * per_output
        layers["conv"] += 1

    def linear_hook(module, inputs, output):
        batch = inputs[0].numel() // module.in_features
        macs["linear"] += module.in_features * module.out_features * batch
        layers["linear"] += 1

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, nn.Linear):
            m.register_forward_hook(linear_hook)

    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))

    params = {
        "weights": 0, "biases": 0, "conv_linear_weights": 0, "conv_linear_biases": 0, "batchnorm_gamma": 0, "batchnorm_beta": 0,
        "layernorm_gamma": 0, "layernorm_beta": 0, "other_parameters": 0,
    }
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            params["conv_linear_weights"] += m.weight.numel()
            params["conv_linear_biases"] += 0 if m.bias is None else m.bias.numel()
        elif isinstance(m, nn.BatchNorm2d):
            params["batchnorm_gamma"] += m.weight.numel()
            params["batchnorm_beta"] += m.bias.numel()
        elif isinstance(m, nn.LayerNorm):
            params["layernorm_gamma"] += m.weight.numel()
            params["layernorm_beta"] += m.bias.numel()
    # A bias is a *.bias tensor; everything else (*.weight, ConvNeXt's layer_scale) is a weight.
    for name, p in model.named_parameters():
        params["biases" if name.endswith("bias") else "weights"] += p.numel()
    total = sum(p.numel() for p in model.parameters())
    assert total == params["weights"] + params["biases"]
    # Parameters of no convolution, linear or normalization module: ConvNeXt's layer scales.
    params["other_parameters"] = total - sum(params[k] for k in (
        "conv_linear_weights", "conv_linear_biases", "batchnorm_gamma", "batchnorm_beta", "layernorm_gamma", "layernorm_beta"))

    return {
        "input": [3, size, size],
        "macs": macs["conv"] + macs["depthwise_conv"] + macs["linear"],
        "conv_macs": macs["conv"] + macs["depthwise_conv"],
        "depthwise_conv_macs": macs["depthwise_conv"],
        "linear_macs": macs["linear"],
        "conv_layers": layers["conv"],
        "linear_layers": layers["linear"],
        "parameters": total,
        **params,
    }


def main():
    result = {
        "generator": "tests/CnnCost.Tests/Zoo/Oracles/pytorch_counts.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "batch": 1,
        "models": {name: count(factory, size) for name, (factory, size) in MODELS.items()},
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
