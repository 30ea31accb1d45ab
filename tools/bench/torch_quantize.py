"""PyTorch's dynamic int8 quantization of the digits MLP, timed like `npm run bench -- optimize`.

Reads a JSON request on stdin: the MLP's Gemm layers (weights [out, in] row-major, biases) exactly
as the ONNX initializers hold them, the rows to score (already scaled), their labels, the batch
sizes, warm-ups, rounds and runs. Builds the same MLP in torch (Linear + ReLU, identity logits),
`torch.quantization.quantize_dynamic({nn.Linear}, dtype=torch.qint8)` of it, and prints JSON: the
torch version, the quantized engine, accuracy of both on the rows, and per-run latency samples in
milliseconds for each batch size (one thread, interleaved rounds as in our measurement).
"""
import json
import sys
import time

import torch
from torch import nn


def main():
    request = json.load(sys.stdin)
    torch.set_num_threads(request.get("threads", 1))
    layers = []
    for i, layer in enumerate(request["layers"]):
        linear = nn.Linear(layer["in"], layer["out"])
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer["weight"], dtype=torch.float32).reshape(layer["out"], layer["in"]))
            linear.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float32))
        layers.append(linear)
        if i < len(request["layers"]) - 1:
            layers.append(nn.ReLU())
    fp32 = nn.Sequential(*layers).eval()
    int8 = torch.quantization.quantize_dynamic(fp32, {nn.Linear}, dtype=torch.qint8).eval()
    features = request["layers"][0]["in"]
    x = torch.tensor(request["x"], dtype=torch.float32).reshape(-1, features)
    y = torch.tensor(request["labels"], dtype=torch.int64)
    out = {"torch": torch.__version__, "engine": torch.backends.quantized.engine, "accuracy": {}, "latency": {}}
    with torch.no_grad():
        for name, model in (("fp32", fp32), ("int8", int8)):
            out["accuracy"][name] = float((model(x).argmax(dim=1) == y).float().mean())
        for batch in request["batch_sizes"]:
            feed = x[torch.arange(batch) % x.shape[0]].contiguous()
            samples = {"fp32": [], "int8": []}
            models = [("fp32", fp32), ("int8", int8)]
            for name, model in models:
                for _ in range(request["warmups"]):
                    model(feed)
            for r in range(request["rounds"]):
                order = models if r % 2 == 0 else models[::-1]
                for name, model in order:
                    for _ in range(request["runs"]):
                        start = time.perf_counter_ns()
                        model(feed)
                        samples[name].append((time.perf_counter_ns() - start) / 1e6)
            out["latency"][str(batch)] = samples
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
