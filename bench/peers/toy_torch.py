"""PyTorch peer of the toy training benchmark.

Same model (2-10-40-30 relu trunk, three sigmoid heads), masked binary
cross-entropy (clipped at 1e-7 like Keras, divided by the labelled count),
Adam (lr 0.001, eps 1e-7 like tfjs), batch 5000, a fresh permutation per epoch.
Written as a user would write the loop (at least as fast as the plain loop in
../shared/peers/toy_torch_plain.py): the mask multiplies instead of two
torch.where with zeros_like, and the epoch's loss is summed as a tensor and read
once per epoch instead of an .item() per batch.

Usage: toy_torch.py DATA_FILE ROWS EPOCHS [THREADS=2]
DATA_FILE holds ROWS x 2 float32 features followed by ROWS x 3 float32 labels
(-1 = missing). Prints one line: RESULT {"epochSeconds": [...], ...}.
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
BATCH = 5000


class ToyModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = torch.nn.Sequential(
            torch.nn.Linear(2, 10), torch.nn.ReLU(),
            torch.nn.Linear(10, 40), torch.nn.ReLU(),
            torch.nn.Linear(40, 30), torch.nn.ReLU(),
        )
        # Three sigmoid units on the trunk, as one layer: what @mtl/core builds for plain heads.
        self.heads = torch.nn.Linear(30, 3)

    def forward(self, x):
        return torch.sigmoid(self.heads(self.trunk(x)))


def masked_bce(y, p):
    mask = (y >= 0).float()
    y0 = y * mask
    clipped = p.clamp(EPSILON, 1 - EPSILON)
    per_entry = -(y0 * torch.log(clipped) + (1 - y0) * torch.log(1 - clipped))
    return (per_entry * mask).sum() / mask.sum().clamp(min=1)


def main():
    path, rows, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    torch.manual_seed(0)
    with open(path, "rb") as f:
        raw = f.read()
    data = torch.frombuffer(bytearray(raw), dtype=torch.float32)
    x = data[: rows * 2].reshape(rows, 2).clone()
    y = data[rows * 2: rows * 5].reshape(rows, 3).clone()
    # Free the file's buffers: glibc then raises its mmap threshold above their
    # size, so the batches' activation buffers come from the heap instead of a
    # fresh mmap (and its page faults) each time. The plain loop gets this by
    # accident from its numpy temporaries; without it this loop ran 1.26x slower.
    del data, raw
    model = ToyModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=EPSILON)
    generator = torch.Generator().manual_seed(0)
    seconds = []
    losses = []
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(rows, generator=generator)
        total = torch.zeros(())
        for start in range(0, rows, BATCH):
            idx = order[start:start + BATCH]
            xb, yb = x[idx], y[idx]
            optimizer.zero_grad()
            loss = masked_bce(yb, model(xb))
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(idx)
        mean_loss = total.item() / rows
        seconds.append(time.perf_counter() - started)
        losses.append(mean_loss)
    print("RESULT " + json.dumps({
        "epochSeconds": seconds, "trainLoss": losses,
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        # Debian's torch calls whatever libblas.so.3 points to: reference BLAS is ~15x slower than OpenBLAS.
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
    }))


main()
