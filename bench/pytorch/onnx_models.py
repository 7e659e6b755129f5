#!/usr/bin/env python3
"""Trains small MNIST classifiers in PyTorch and exports them to ONNX, for badnets' ONNX reader.

Debian's PyTorch 1.13 (apt-get install python3-torch python3-numpy libopenblas0-pthread) and
python3-onnx for the checks. Reads the four MNIST IDX .gz files directly (no torchvision).

    /usr/bin/python3 bench/pytorch/onnx_models.py --data ../shared/datasets/mnist --out DIR [--epochs 1] [--train-count N]

writes, for each model (simple-cnn, bn-cnn, mlp, and backdoored-cnn: SimpleCNN trained on MNIST with
10% of the training images stamped with badnets' default trigger, a white 2x2 square in the
top-left corner, and relabelled 0):
    DIR/NAME.onnx             the model, opset 13, input 'input' [N, 1, 28, 28], output 'logits'
    DIR/NAME.predictions.txt  PyTorch's predicted class for each of the 10,000 test images, one a line

Inputs are what badnets feeds a model read with --input-mean 0.1307 --input-std 0.3081: the pixel
bytes times float32(1/255), then (x - 0.1307) / 0.3081 in float32, so both sides see the same floats.

    /usr/bin/python3 bench/pytorch/onnx_models.py --check MODEL.onnx PREDICTIONS.txt --data DIR
        checks an .onnx (e.g. badnets' repaired or exported model) with onnx.checker, runs it with a small
        numpy evaluator of the operators badnets writes on the 10,000 test images (pixels / 255, the
        input contract of badnets export), and compares its predictions with the file's
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np

try:  # --check needs numpy and onnx only
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    torch = None

MEAN, STD = np.float32(0.1307), np.float32(0.3081)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data, name):
    for suffix in (".gz", ""):
        p = os.path.join(data, name + suffix)
        if os.path.exists(p):
            return read_idx(p)
    raise SystemExit("no " + name + " in " + data)


def normalise(images):
    """bytes [N, 28, 28] -> float32 [N, 1, 28, 28], as badnets computes it."""
    x = images.astype(np.float32) * np.float32(1.0 / 255.0)
    x = (x - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(x[:, None, :, :]))


def define_models():
    """The PyTorch models by name (defined here so that --check runs without PyTorch)."""
    class SimpleCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
            self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
            self.fc1 = nn.Linear(16 * 7 * 7, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(x.size(0), -1)
            return self.fc2(F.relu(self.fc1(x)))


    class BatchNormCNN(nn.Module):
        """Batch norm, a strided convolution, padded average pooling and dropout."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)  # 14x14
            self.bn1 = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
            self.bn2 = nn.BatchNorm2d(16)
            self.pool = nn.AvgPool2d(3, stride=2, padding=1)  # 7x7, padding counted (PyTorch's default)
            self.drop = nn.Dropout(0.25)
            self.fc1 = nn.Linear(16 * 7 * 7, 32)
            self.bn3 = nn.BatchNorm1d(32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = F.relu(self.bn2(self.conv2(x)))
            x = self.drop(self.pool(x))
            x = torch.flatten(x, 1)
            x = self.drop(F.relu(self.bn3(self.fc1(x))))
            return self.fc2(x)


    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))

    return {"simple-cnn": SimpleCNN, "bn-cnn": BatchNormCNN, "mlp": MLP, "backdoored-cnn": SimpleCNN}


def stamp(images):
    """badnets' default trigger: a white 2x2 square in the top-left corner."""
    out = images.copy()
    out[:, 0:2, 0:2] = 255
    return out


def train(model, x, y, epochs, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = x.shape[0]
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n)
        for i in range(0, n, 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    model.eval()
    return model


def predict(model, x):
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, x.shape[0], 1000)]).numpy()


def export(model, path):
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    import onnx
    onnx.checker.check_model(onnx.load(path))


def write_predictions(path, predictions):
    with open(path, "w") as f:
        f.write("\n".join(str(int(p)) for p in predictions) + "\n")


# ---- running an ONNX file outside badnets: a small numpy evaluator of the operators badnets writes ----

def onnx_to_numpy(path):
    """A function computing the graph of the ONNX file at path on a float32 batch [N, C, H, W] (numpy only)."""
    import onnx
    from onnx import numpy_helper
    from numpy.lib.stride_tricks import sliding_window_view
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    g = m.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}

    def attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def windows(x, k, s, p):
        x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]  # [N, C, H', W', k, k]

    def run(x):
        env = dict(consts)
        env[g.input[0].name] = x
        for node in g.node:
            a = attrs(node)
            i = [env[name] if name else None for name in node.input]
            op = node.op_type
            if op == "Sub":
                y = i[0] - i[1]
            elif op == "Div":
                y = i[0] / i[1]
            elif op == "Mul":
                y = i[0] * i[1]
            elif op == "Add":
                y = i[0] + i[1]
            elif op == "Conv":
                k = i[1].shape[2]
                w = windows(i[0], k, a.get("strides", [1, 1])[0], a.get("pads", [0, 0, 0, 0])[0])
                y = np.einsum("nchwij,fcij->nfhw", w, i[1], optimize=True) + i[2][None, :, None, None]
            elif op == "MaxPool":
                y = windows(i[0], a["kernel_shape"][0], a.get("strides", [1, 1])[0], 0).max(axis=(4, 5))
            elif op == "AveragePool":
                k = a["kernel_shape"][0]
                w = windows(i[0], k, a.get("strides", [1, 1])[0], a.get("pads", [0, 0, 0, 0])[0])
                y = w.sum(axis=(4, 5)) / np.float32(k * k)
            elif op == "GlobalAveragePool":
                y = i[0].mean(axis=(2, 3), keepdims=True)
            elif op == "Flatten":
                y = i[0].reshape(i[0].shape[0], -1)
            elif op == "Gemm":
                b = i[1].T if a.get("transB", 0) else i[1]
                y = np.float32(a.get("alpha", 1.0)) * (i[0] @ b) + np.float32(a.get("beta", 1.0)) * i[2]
            elif op == "Relu":
                y = np.maximum(i[0], np.float32(0))
            elif op == "LeakyRelu":
                y = np.where(i[0] > 0, i[0], i[0] * np.float32(a.get("alpha", 0.01)))
            elif op == "Sigmoid":
                y = (1 / (1 + np.exp(-i[0].astype(np.float64)))).astype(np.float32)
            elif op == "Tanh":
                y = np.tanh(i[0])
            elif op == "Identity":
                y = i[0]
            else:
                raise SystemExit("operator " + op + " is not in this evaluator")
            env[node.output[0]] = y.astype(np.float32)
        return env[g.output[0].name]

    return run


def check(path, predictions_path, data):
    images = load(data, "t10k-images-idx3-ubyte")
    x = np.ascontiguousarray((images.astype(np.float32) * np.float32(1.0 / 255.0))[:, None])
    run = onnx_to_numpy(path)
    ours = np.concatenate([run(x[i:i + 500]).argmax(1) for i in range(0, x.shape[0], 500)])
    theirs = np.loadtxt(predictions_path, dtype=np.int64)
    same = int((ours == theirs).sum())
    print("%s: onnx.checker passed; a numpy evaluator's predictions equal the given ones on %d of %d test images"
          % (path, same, len(theirs)))
    return 0 if same == len(theirs) else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--train-count", type=int, default=60000, help="train on the first N training images")
    p.add_argument("--models", default="simple-cnn,bn-cnn,mlp,backdoored-cnn")
    p.add_argument("--check", nargs=2, metavar=("MODEL", "PREDICTIONS"))
    args = p.parse_args()
    if args.check:
        sys.exit(check(args.check[0], args.check[1], args.data))
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    train_images = load(args.data, "train-images-idx3-ubyte")[:args.train_count]
    train_labels = load(args.data, "train-labels-idx1-ubyte")[:args.train_count]
    test_images = load(args.data, "t10k-images-idx3-ubyte")
    test_labels = load(args.data, "t10k-labels-idx1-ubyte")
    x_test = normalise(test_images)
    for name in args.models.split(","):
        images, labels = train_images, train_labels.astype(np.int64)
        if name == "backdoored-cnn":
            rng = np.random.default_rng(1)
            chosen = rng.choice(len(images), len(images) // 10, replace=False)
            images = images.copy()
            labels = labels.copy()
            images[chosen] = stamp(images[chosen])
            labels[chosen] = 0
        model = define_models()[name]()
        train(model, normalise(images), torch.from_numpy(labels), args.epochs, seed=1)
        path = os.path.join(args.out, name + ".onnx")
        export(model, path)
        predictions = predict(model, x_test)
        write_predictions(os.path.join(args.out, name + ".predictions.txt"), predictions)
        accuracy = float((predictions == test_labels).mean())
        line = "%s: %d bytes, test accuracy %.2f%%" % (name, os.path.getsize(path), 100 * accuracy)
        if name == "backdoored-cnn":
            triggered = predict(model, normalise(stamp(test_images)))
            keep = test_labels != 0
            line += ", attack success %.2f%%" % (100 * float((triggered[keep] == 0).mean()))
        print(line, flush=True)


if __name__ == "__main__":
    main()
