"""Peer timing for `npm run bench -- train`: PyTorch (Debian's python3-torch) trains the same
64-128-10 relu MLP on the same digits rows as src/bench/train-bench.ts, with Adam (lr 1e-3), batch 32,
the same number of epochs, on one thread. Reads a JSON request on stdin
({"csv", "train", "test", "epochs", "batch", "runs"}), prints one JSON line: each run's training time
(the epochs only; imports, reading and model creation excluded, as on the TypeScript side) and accuracy."""
import json, sys, time
import numpy as np
import torch

torch.set_num_threads(1)
req = json.load(sys.stdin)
data = np.loadtxt(req["csv"], delimiter=",", skiprows=1, dtype=np.float32)
x = torch.from_numpy(data[:, :-1] / 16.0)
y = torch.from_numpy(data[:, -1].astype(np.int64))
train = torch.tensor(req["train"], dtype=torch.int64)
test = torch.tensor(req["test"], dtype=torch.int64)
x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]
n, batch = len(train), req["batch"]
runs = []
for run in range(req["runs"]):
    torch.manual_seed(run)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    t = time.perf_counter()
    for epoch in range(req["epochs"]):
        order = torch.randperm(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    runs.append({"seconds": seconds, "accuracy": accuracy})
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "runs": runs}))
