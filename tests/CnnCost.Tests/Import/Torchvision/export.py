#!/usr/bin/python3
"""Exports every torchvision 0.14 classification and segmentation model to ONNX (torch.onnx.export, default
options, batch 1, weights=None) at opsets 13 and 17, strips the float tensor data (dims kept, so each file stays
small) and writes PyTorch's own counts beside them in counts.json.

Run with Debian's python3-torch, python3-torchvision and python3-onnx:
    /usr/bin/python3 tests/CnnCost.Tests/Import/Torchvision/export.py [model ...]

Counts (all at batch 1), computed by PyTorch, never by CnnCost:
  convLinearMacs  multiply-accumulates of every Conv2d, ConvTranspose2d and Linear module, of the input
                  and output projections of each MultiheadAttention, and of Swin's qkv and output projections (linear maps those
                  modules apply with F.linear, so no Linear hook sees them), from forward hooks on the modules; Swin V2's
                  position-bias MLP, which reads only constants and which the exporter evaluates, is left out;
  torchParameters sum of numel over model.parameters();
  exportParameters the parameters the export holds: torchParameters minus, for each BatchNorm2d the exporter folded
                  into the convolution before it, its channel count (gamma and beta become the convolution's weight
                  scale and a bias of C values), or twice it where that convolution had a bias already (VGG-BN). A
                  BatchNorm the exporter kept is a BatchNormalization node.
"""
import gzip, json, os, sys, tempfile
import torch, torchvision, onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")
OPSETS = (13, 17)

def names():
    classification = torchvision.models.list_models(module=torchvision.models)
    segmentation = torchvision.models.list_models(module=torchvision.models.segmentation)
    return [(n, "classification") for n in classification] + [(n, "segmentation") for n in segmentation]

def resolution(name):
    return 299 if name == "inception_v3" else 224

def build(name, task):
    kwargs = {"weights": None}
    if task == "segmentation":
        kwargs["weights_backbone"] = None
        kwargs["aux_loss"] = False
    if name in ("googlenet", "inception_v3"):
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = False
    module = torchvision.models.segmentation if task == "segmentation" else torchvision.models
    return getattr(module, name)(**kwargs).eval()

def counts(model, x):
    macs = [0]
    hooks = []
    def conv(m, i, o):
        macs[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
    def deconv(m, i, o):
        macs[0] += i[0].numel() * (m.out_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
    def linear(m, i, o):
        macs[0] += o.numel() * m.in_features
    def attention(m, i, o):
        # Self-attention (torchvision's only use, called with keywords, so the hook sees no inputs) applies its input
        # projection (query, key and value) and its out_proj through F.multi_head_attention_forward, no module call:
        # 4 x tokens x embed_dim x embed_dim, as many tokens as the output has.
        macs[0] += 4 * o[0].numel() * m.embed_dim
    def window_attention(m, i, o):
        # Swin applies its qkv and proj Linear modules through F.linear (no module call, so no hook): tokens of the
        # input padded to whole windows, times (3C + C) x C.
        b, h, w, c = i[0].shape
        wh, ww = m.window_size
        tokens = b * ((h + wh - 1) // wh * wh) * ((w + ww - 1) // ww * ww)
        macs[0] += tokens * 4 * c * c
    from torchvision.models.swin_transformer import ShiftedWindowAttention
    # Swin V2's continuous position bias MLP reads only constant coordinates: the exporter evaluates it, so it is not
    # part of the exported network's work, nor counted here.
    constant = {id(sub) for name, m in model.named_modules() if name.endswith("cpb_mlp") for sub in m.modules()}
    for m in model.modules():
        if id(m) in constant: continue
        if isinstance(m, ShiftedWindowAttention): hooks.append(m.register_forward_hook(window_attention))
        if isinstance(m, torch.nn.Conv2d): hooks.append(m.register_forward_hook(conv))
        elif isinstance(m, torch.nn.ConvTranspose2d): hooks.append(m.register_forward_hook(deconv))
        elif isinstance(m, torch.nn.Linear): hooks.append(m.register_forward_hook(linear))
        elif isinstance(m, torch.nn.MultiheadAttention): hooks.append(m.register_forward_hook(attention))
    with torch.no_grad():
        model(x)
    for h in hooks: h.remove()
    return macs[0]

def strip(model_proto):
    """Float tensors lose their data (dims kept); integer tensors (shapes, indices) stay whole."""
    def clear(t):
        if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16) and \
                numpy_helper.to_array(t).size > 16:
            t.ClearField("raw_data"); t.ClearField("float_data"); t.ClearField("double_data"); t.ClearField("int32_data")
    for t in model_proto.graph.initializer: clear(t)
    for n in model_proto.graph.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.TENSOR: clear(a.t)

def folding(model):
    """Channels of every BatchNorm2d, and what folding one into the convolution before it removes per channel: gamma
    and beta (2) where that convolution has a bias already (VGG-BN), gamma and beta less the bias folding adds (1)
    where it has none (the rest of torchvision)."""
    channels, biased, last = 0, set(), None
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d): last = m
        if isinstance(m, torch.nn.BatchNorm2d):
            channels += m.num_features
            biased.add(last is not None and last.bias is not None)
    if len(biased) > 1: raise ValueError("convolutions before batch norms differ in having a bias")
    return channels, 2 if biased == {True} else 1

def export(model, x, opset):
    # Through a file: a model over protobuf's 2 GiB (regnet_y_128gf, vit_h_14) keeps its weights beside it.
    with tempfile.TemporaryDirectory() as scratch:
        onnx_path = os.path.join(scratch, "model.onnx")
        torch.onnx.export(model, x, onnx_path, opset_version=opset)
        return onnx.load(onnx_path)

def main():
    if sys.argv[1:2] == ["--recount"]:
        return recount(sys.argv[2:])
    wanted = set(sys.argv[1:])
    if wanted == {"--missing"}:
        done = json.load(open(os.path.join(HERE, "counts.json"))) if os.path.exists(os.path.join(HERE, "counts.json")) else {}
        skip = json.load(open(os.path.join(HERE, "not_exported.json"))) if os.path.exists(os.path.join(HERE, "not_exported.json")) else {}
        wanted = {n for n, _ in names() if n not in done and n not in skip}
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(HERE, "counts.json")
    table = json.load(open(path)) if os.path.exists(path) else {}
    refused_path = os.path.join(HERE, "not_exported.json")
    refused = json.load(open(refused_path)) if os.path.exists(refused_path) else {}
    for name, task in names():
        if wanted and name not in wanted: continue
        torch.manual_seed(0)
        model = build(name, task)
        size = resolution(name)
        x = torch.zeros(1, 3, size, size)
        entry = {"task": task, "input": [1, 3, size, size],
                 "torchParameters": sum(p.numel() for p in model.parameters()),
                 "convLinearMacs": counts(model, x)}
        bn_channels, per_channel = folding(model)
        try:
            exports = [export(model, x, opset) for opset in OPSETS]
        except torch.onnx.errors.UnsupportedOperatorError as error:
            # The exporter itself cannot write this model (e.g. swin_v2_* in torch 1.13: aten::zero); say so in a file.
            refused[name] = str(error).split(". Please")[0]
            print(name, "not exportable:", refused[name], flush=True)
            json.dump(refused, open(os.path.join(HERE, "not_exported.json"), "w"), indent=1, sort_keys=True)
            continue
        for opset, proto in zip(OPSETS, exports):
            dims = {i.name: list(i.dims) for i in proto.graph.initializer}
            for n in proto.graph.node:  # the exporter shares a tensor through Identity nodes
                if n.op_type == "Identity" and n.input[0] in dims: dims[n.output[0]] = dims[n.input[0]]
            kept_bn = sum(dims[n.input[1]][0] for n in proto.graph.node if n.op_type == "BatchNormalization")
            entry[f"exportParametersOpset{opset}"] = entry["torchParameters"] - per_channel * (bn_channels - kept_bn)
            strip(proto)
            with gzip.GzipFile(os.path.join(OUT, f"{name}.opset{opset}.onnx.gz"), "wb", mtime=0) as f:
                f.write(proto.SerializeToString())
        table[name] = entry
        print(name, entry, flush=True)
        json.dump(table, open(path, "w"), indent=1, sort_keys=True)

def recount(models):
    """exportParameters again from the stored exports (dims are kept), for models already exported."""
    path = os.path.join(HERE, "counts.json")
    table = json.load(open(path))
    for name, task in names():
        if name not in models: continue
        bn_channels, per_channel = folding(build(name, task))
        for opset in OPSETS:
            proto = onnx.load_from_string(gzip.open(os.path.join(OUT, f"{name}.opset{opset}.onnx.gz")).read())
            dims = {i.name: list(i.dims) for i in proto.graph.initializer}
            for n in proto.graph.node:
                if n.op_type == "Identity" and n.input[0] in dims: dims[n.output[0]] = dims[n.input[0]]
            kept_bn = sum(dims[n.input[1]][0] for n in proto.graph.node if n.op_type == "BatchNormalization")
            table[name][f"exportParametersOpset{opset}"] = table[name]["torchParameters"] - per_channel * (bn_channels - kept_bn)
        print(name, table[name], flush=True)
    json.dump(table, open(path, "w"), indent=1, sort_keys=True)

if __name__ == "__main__":
    main()
