#!/usr/bin/env python3
"""Trains small MNIST classifiers in PyTorch and exports them to ONNX, for badnets' ONNX reader.

Debian's PyTorch 1.13 (apt-get install python3-torch python3-numpy libopenblas0-pthread) and
python3-onnx for the checks. Reads the four MNIST IDX .gz files directly (no torchvision).

    /usr/bin/python3 bench/pytorch/onnx_models.py --data ../shared/datasets/mnist --out DIR [--epochs 1]

writes, for each model (simple-cnn, bn-cnn, mlp, and backdoored-cnn: SimpleCNN trained on MNIST with
10% of the training images stamped with badnets' default trigger, a white 2x2 square in the
top-left corner, and relabelled 0):
    DIR/NAME.onnx             the model, opset 13, input 'input' [N, 1, 28, 28], output 'logits'
    DIR/NAME.predictions.txt  PyTorch's predicted class for each of the 10,000 test images, one a line

Inputs are what badnets feeds a model read with --input-mean 0.1307 --input-std 0.3081: the pixel
bytes times float32(1/255), then (x - 0.1307) / 0.3081 in float32, so both sides see the same floats.

    /usr/bin/python3 bench/pytorch/onnx_models.py --check MODEL.onnx PREDICTIONS.txt --data DIR
        runs an .onnx (e.g. badnets' repaired or exported model) in PyTorch (onnx -> torch by a small
        converter of the operators badnets writes) on the 10,000 test images and compares predictions
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

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


# ---- running an ONNX file in PyTorch: the operators badnets' writer emits ----

def onnx_to_torch(path):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    onnx.checker.check_model(m)
    g = m.graph
    consts = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in g.initializer}

    def attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

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
                p = a.get("pads", [0, 0, 0, 0])
                y = F.conv2d(i[0], i[1], i[2], stride=tuple(a.get("strides", [1, 1])), padding=(p[0], p[1]))
            elif op == "MaxPool":
                y = F.max_pool2d(i[0], a["kernel_shape"], a.get("strides", [1, 1]))
            elif op == "AveragePool":
                p = a.get("pads", [0, 0, 0, 0])
                y = F.avg_pool2d(i[0], a["kernel_shape"], a.get("strides", [1, 1]), (p[0], p[1]),
                                 count_include_pad=bool(a.get("count_include_pad", 0)))
            elif op == "GlobalAveragePool":
                y = i[0].mean(dim=(2, 3), keepdim=True)
            elif op == "Flatten":
                y = torch.flatten(i[0], a.get("axis", 1))
            elif op == "Gemm":
                b = i[1].t() if a.get("transB", 0) else i[1]
                y = a.get("alpha", 1.0) * (i[0] @ b) + a.get("beta", 1.0) * i[2]
            elif op == "Relu":
                y = F.relu(i[0])
            elif op == "LeakyRelu":
                y = F.leaky_relu(i[0], a.get("alpha", 0.01))
            elif op == "Sigmoid":
                y = torch.sigmoid(i[0])
            elif op == "Tanh":
                y = torch.tanh(i[0])
            elif op == "Identity":
                y = i[0]
            else:
                raise SystemExit("operator " + op + " is not in this checker")
            env[node.output[0]] = y
        return env[g.output[0].name]

    return run


def check(path, predictions_path, data):
    images = load(data, "t10k-images-idx3-ubyte")
    x = torch.from_numpy(np.ascontiguousarray((images.astype(np.float32) * np.float32(1.0 / 255.0))[:, None]))
    run = onnx_to_torch(path)
    with torch.no_grad():
        ours = torch.cat([run(x[i:i + 1000]).argmax(1) for i in range(0, x.shape[0], 1000)]).numpy()
    theirs = np.loadtxt(predictions_path, dtype=np.int64)
    same = int((ours == theirs).sum())
    print("%s: onnx.checker passed; PyTorch's predictions equal the given ones on %d of %d test images"
          % (path, same, len(theirs)))
    return 0 if same == len(theirs) else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--models", default="simple-cnn,bn-cnn,mlp,backdoored-cnn")
    p.add_argument("--check", nargs=2, metavar=("MODEL", "PREDICTIONS"))
    args = p.parse_args()
    torch.set_num_threads(2)
    if args.check:
        sys.exit(check(args.check[0], args.check[1], args.data))
    os.makedirs(args.out, exist_ok=True)
    train_images, train_labels = load(args.data, "train-images-idx3-ubyte"), load(args.data, "train-labels-idx1-ubyte")
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
        model = {"simple-cnn": SimpleCNN, "bn-cnn": BatchNormCNN, "mlp": MLP, "backdoored-cnn": SimpleCNN}[name]()
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
