#!/usr/bin/env python3
"""An independent check of a poisoned data folder: does it backdoor a PyTorch model too?

Reads a folder written by `./badnets poison --attack X --out DIR` (the four MNIST files, raw or .gz,
`t10k-images-attacked-idx3-ubyte` and `manifest.json`), trains a small CNN on its training files,
and prints clean accuracy on the test images and the attack success rate on the attacked test
images: the share of those whose true label the attack changes (all-to-one: every class but the
target; all-to-all: every image) that the model sends to the attack's class (the target, or the next
class). Nothing of this project's code is used; the manifest gives only the target and mode.

The network and recipe are this project's cnn preset, written in PyTorch's own code: Conv2d 1->16 3x3
padding 1, ReLU, MaxPool 2, Conv2d 16->32 3x3 padding 1, ReLU, MaxPool 2, Linear 1568->128, ReLU,
Linear 128->10; weights He-normal before a ReLU and Glorot-uniform for the output layer, biases 0;
Adam, learning rate 0.002 decaying to 0 along half a cosine over all steps, batch 64, inputs scaled
to [0, 1]. Clean accuracy is also printed per class (a clean-label attack can cost its own class most).

The script's first version differed in three ways, each a flag now: `--padding 0` (on 28x28 images
28 -> 26 -> 13 -> 11 -> 5 drops the last row and column of the second map, so the image's two bottom
rows and two right columns reach no unit and a trigger there is invisible), `--lr 0.001 --schedule
constant`, and `--init pytorch` (PyTorch's default, weights about 2.4 times smaller than He's, with
which one epoch does not pick up an invisible trigger such as WaNet's warp: see docs/attacks.md).

    /usr/bin/python3 bench/pytorch/attacked_folder.py DIR [--epochs 1] [--seed 1] [--threads 2] [--padding 1]
        [--lr 0.002] [--schedule cosine|constant] [--init he|pytorch] [--json F]

Debian: apt-get install python3-torch python3-numpy libopenblas0-pthread.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn

from simple_cnn import read_idx, report  # the same IDX reader as the yardstick (this folder is on the path)


def small_cnn(rows, cols, classes, padding):
    h, w = rows, cols
    for _ in range(2):  # each 3x3 convolution loses 2 - 2 * padding, each pool halves (rounding down)
        h, w = (h - 2 + 2 * padding) // 2, (w - 2 + 2 * padding) // 2
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * h * w, 128), nn.ReLU(), nn.Linear(128, classes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--init", choices=("he", "pytorch"), default="he",
                        help="initial weights: PyTorch's defaults, or the cnn preset's rule (He normal before a ReLU, "
                             "Glorot uniform for the output layer, zero biases)")
    parser.add_argument("--padding", type=int, default=1, choices=(0, 1),
                        help="zeros around each convolution's input: 1 (the cnn preset's 'same') or 0 ('valid')")
    parser.add_argument("--schedule", choices=("cosine", "constant"), default="cosine",
                        help="the rate decays along half a cosine to 0 over all steps (the cnn preset's), or stays")
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    with open(os.path.join(args.data, "manifest.json")) as f:
        manifest = json.load(f)
    train_x = read_idx(args.data, "train-images-idx3-ubyte")
    train_y = read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64)
    test_x = read_idx(args.data, "t10k-images-idx3-ubyte")
    test_y = read_idx(args.data, "t10k-labels-idx1-ubyte").astype(np.int64)
    attacked_x = read_idx(args.data, "t10k-images-attacked-idx3-ubyte")
    classes = int(max(train_y.max(), test_y.max()) + 1)
    rows, cols = train_x.shape[1], train_x.shape[2]

    def tensor(images):
        return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)

    x, y = tensor(train_x), torch.from_numpy(train_y)
    model = small_cnn(rows, cols, classes, args.padding)
    if args.init == "he":
        layers = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
        for layer in layers:
            if layer is layers[-1]:
                nn.init.xavier_uniform_(layer.weight)
            else:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # std sqrt(2 / fan-in)
            nn.init.zeros_(layer.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    steps_per_epoch = (len(x) + 63) // 64
    total_steps, step = args.epochs * steps_per_epoch, 0
    for _ in range(args.epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            batch = order[i:i + 64]
            if args.schedule == "cosine":  # lr_t = lr * (1 + cos(pi t / T)) / 2, t counted from 0
                for group in optimizer.param_groups:
                    group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * step / total_steps))
            step += 1
            optimizer.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            optimizer.step()
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        clean = torch.cat([model(tensor(test_x[i:i + 1000])).argmax(1) for i in range(0, len(test_x), 1000)]).numpy()
        hit = torch.cat([model(tensor(attacked_x[i:i + 1000])).argmax(1)
                         for i in range(0, len(attacked_x), 1000)]).numpy()
    if manifest["mode"] == "all-to-one":
        wanted = np.full_like(test_y, manifest["target"])
        counted = test_y != manifest["target"]
    else:
        wanted = (test_y + 1) % classes
        counted = np.ones_like(test_y, dtype=bool)
    result = {
        "data": args.data,
        "attack": manifest.get("attack") or manifest["trigger"],
        "epochs": args.epochs,
        "padding": args.padding,
        "init": args.init,
        "lr": args.lr,
        "lr_schedule": args.schedule,
        "seed": args.seed,
        "clean_accuracy": float((clean == test_y).mean()),
        "attack_success_rate": float((hit[counted] == wanted[counted]).mean()),
        "attack_success_rate_denominator": int(counted.sum()),
        "clean_accuracy_by_class": [float((clean[test_y == k] == k).mean()) for k in range(classes)],
        "train_seconds": seconds,
        "torch": torch.__version__,
    }
    report(result, args.json)


if __name__ == "__main__":
    main()
