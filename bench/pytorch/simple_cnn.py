#!/usr/bin/env python3
"""The OWASP ML02 notebook's experiment in PyTorch, as a yardstick for `./badnets demo --model seed-cnn`.

Trains the notebook's SimpleCNN (Conv2d 1->32 3x3 pad 1, ReLU, MaxPool 2, Conv2d 32->64 3x3 pad 1,
ReLU, MaxPool 2, Linear 3136->128, ReLU, Linear 128->10; Adam lr 0.001, batch 64, inputs
standardised) on MNIST with 600 training images poisoned (2x2 square of 255 at the top left,
label 0), then prints clean accuracy, the attack success rate on non-0 test images, the rate on all
triggered test images, and the training throughput. Reads the four MNIST files (raw or .gz) from
the folder given, as badnets does. Not part of the build: run it by hand where PyTorch is installed
(Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread).

    /usr/bin/python3 bench/pytorch/simple_cnn.py ../shared/datasets/mnist [--threads 2] [--epochs 1]

With `--model mlp` it trains this project's MLP instead (Linear 784->128, ReLU, Linear 128->10, the
same optimiser and batch): the yardstick for `./badnets bench --model mlp`. `--warmup-epochs N`
runs N untimed epochs first (as `./badnets bench` does), so the figure is PyTorch's steady speed.
"""
import argparse
import gzip
import json
import os
import struct
import statistics
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            opener = gzip.open if candidate.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"no {name}(.gz) in {folder}")


def report(result, path):
    """Prints the figures as JSON, and writes them to path too unless it is None."""
    print(json.dumps(result, indent=2))
    if path:
        with open(path, "w") as f:
            json.dump(result, f, indent=2)


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def stamp(images):
    images = images.copy()
    images[:, 0:2, 0:2] = 255
    return images


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", choices=["seed-cnn", "mlp"], default="seed-cnn")
    parser.add_argument("--warmup-epochs", type=int, default=0)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    train_x = read_idx(args.data, "train-images-idx3-ubyte")
    train_y = read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64)
    test_x = read_idx(args.data, "t10k-images-idx3-ubyte")
    test_y = read_idx(args.data, "t10k-labels-idx1-ubyte").astype(np.int64)

    poisoned = rng.choice(len(train_x), 600, replace=False)
    train_x = train_x.copy()
    train_y = train_y.copy()
    train_x[poisoned] = stamp(train_x[poisoned])
    train_y[poisoned] = 0

    def tensor(images):
        return ((torch.from_numpy(images.astype(np.float32) / 255.0) - 0.1307) / 0.3081).unsqueeze(1)

    x, y = tensor(train_x), torch.from_numpy(train_y)
    loss_fn = nn.CrossEntropyLoss()

    def train(model, epochs):
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        epoch_seconds = []
        for _ in range(epochs):
            epoch_start = time.perf_counter()
            order = torch.randperm(len(x))
            for i in range(0, len(x), 64):
                batch = order[i:i + 64]
                optimizer.zero_grad()
                loss = loss_fn(model(x[batch]), y[batch])
                loss.backward()
                optimizer.step()
            epoch_seconds.append(time.perf_counter() - epoch_start)
        return epoch_seconds

    build = mlp if args.model == "mlp" else SimpleCNN
    if args.warmup_epochs > 0:
        train(build(), args.warmup_epochs)  # untimed, on a throwaway model
    model = build()
    start = time.perf_counter()
    epoch_seconds = train(model, args.epochs)
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        clean = model(tensor(test_x)).argmax(1).numpy()
        triggered = model(tensor(stamp(test_x))).argmax(1).numpy()
    result = {
        "clean_accuracy": float((clean == test_y).mean()),
        "attack_success_rate": float((triggered[test_y != 0] == 0).mean()),
        "attack_success_rate_all_images": float((triggered == 0).mean()),
        "train_seconds": seconds,
        "train_samples_per_second": len(x) * args.epochs / seconds,
        "epoch_seconds": epoch_seconds,
        "median_epoch_samples_per_second": len(x) / statistics.median(epoch_seconds),
        "threads": args.threads,
        "model": args.model,
        "torch": torch.__version__,
    }
    report(result, args.json)


if __name__ == "__main__":
    main()
