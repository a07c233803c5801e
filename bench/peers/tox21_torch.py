"""PyTorch peer of the Tox21 training benchmark.

The `mtl` app's default Tox21 network on the same fingerprints: input ->
Linear(hidden) -> ReLU -> Dropout -> ... -> Linear(tasks) -> sigmoid, masked
binary cross-entropy with the app's positive weights (clipped at 1e-7, divided
by the labelled count), Adam with the app's learning rate and tfjs' epsilon,
the app's batch size, a fresh permutation per epoch. Written as a user would
write the loop: dense inputs (PyTorch's Linear multiplies every zero), the
mask multiplies, the epoch's loss is read once per epoch.

Usage: tox21_torch.py BASE EPOCHS [THREADS=2]
BASE.json describes the set (rows, cols, tasks, settings) and BASE.f32 holds
rows x cols float32 features then rows x tasks float32 labels (-1 = missing),
written by the bench from the app's own features. Prints one line:
RESULT {"epochSeconds": [...], ...}.
"""
import json
import os
import sys
import time

try:
    import torch
except ImportError as error:  # the orchestrator turns this into a skip row
    print("SKIP import torch failed: " + str(error))
    sys.exit(0)

EPSILON = 1e-7


def network(cols, hidden, dropout, tasks):
    layers = []
    width = cols
    for units in hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        if dropout > 0:
            layers.append(torch.nn.Dropout(dropout))
        width = units
    layers += [torch.nn.Linear(width, tasks), torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers)


def masked_bce(y, p, positive_weights):
    mask = (y >= 0).float()
    y0 = y * mask
    clipped = p.clamp(EPSILON, 1 - EPSILON)
    per_entry = -(y0 * positive_weights * torch.log(clipped) + (1 - y0) * torch.log(1 - clipped))
    return (per_entry * mask).sum() / mask.sum().clamp(min=1)


def main():
    base, epochs = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    torch.manual_seed(0)
    with open(base + ".json") as f:
        info = json.load(f)
    rows, cols, tasks = info["rows"], info["cols"], len(info["tasks"])
    settings = info["settings"]
    with open(base + ".f32", "rb") as f:
        data = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    x = data[: rows * cols].reshape(rows, cols).clone()
    y = data[rows * cols: rows * (cols + tasks)].reshape(rows, tasks).clone()
    weights = torch.tensor(settings["positiveWeights"] or [1.0] * tasks, dtype=torch.float32)
    model = network(cols, settings["hidden"], settings["dropout"], tasks)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["learningRate"], eps=settings["adamEpsilon"])
    batch = settings["batchSize"]
    generator = torch.Generator().manual_seed(0)
    seconds = []
    losses = []
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(rows, generator=generator)
        total = torch.zeros(())
        for start in range(0, rows, batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            loss = masked_bce(y[idx], model(x[idx]), weights)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(idx)
        mean_loss = total.item() / rows
        seconds.append(time.perf_counter() - started)
        losses.append(mean_loss)
    print("RESULT " + json.dumps({
        "epochSeconds": seconds, "trainLoss": losses,
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
    }))


main()
