#!/usr/bin/env python3
"""One MS-ResNet training step in PyTorch 1.13 (CPU): the baseline for the JVM benchmark
model/src/test/java/io/spikestream/model/train/bench/TrainingStepBenchmark.java.

Semantics as ../shared/fixtures/msresnet/README.md: layout [T, N, C, H, W] (merged to
[T*N, C, H, W] for conv / tdBN), LIF u[t] = decay*u[t-1]*(1-s[t-1]) + I[t], s = u > v_th
(strict), reset factor detached, rectangular surrogate 1/(2 lens) on |u - v_th| < lens; tdBN =
BatchNorm per channel over (T, N, H, W); membrane-shortcut blocks; head LIF -> spatial mean ->
mean over T -> fc. Parameter names are those of the official state_dict. Written in the style
of the official MS-ResNet code (Python loop over the timesteps in the LIF, nn.Conv2d /
BatchNorm on the T*N-merged tensors).

Modes:
  --check-fixture DIR   float64: loss and every grad.* of DIR/grad.* (and the logits of the
                        forward fixtures) must match to ~1e-6 relative (exit 1 if not).
  --config bundled|ms18 float32 training-step benchmark (see --help).
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BUNDLED_CARD = "pipeline/src/main/resources/io/spikestream/bundled/gesture-msresnet.card.json"
MS18_CARD = {"arch": "ms-resnet", "in_channels": 2, "num_classes": 11,
             "stem": {"type": "conv7", "channels": 64},
             "stages": [[64, 2], [128, 2], [256, 2], [512, 2]],
             "shortcut": "conv", "lif": {"v_th": 0.5, "decay": 0.25}, "bn_eps": 1e-05,
             "surrogate": {"type": "rectangular", "lens": 0.5}}
# config -> (card, input size, T, batch), as TrainingStepBenchmark (the bundled model's input is
# 64x64 since it was retrained at that size; --size 32 gives the earlier 32x32 configuration)
CONFIGS = {"bundled": (None, 64, 8, 16), "ms18": (MS18_CARD, 64, 8, 8)}


# ---------------------------------------------------------------- model

class SpikeFn(torch.autograd.Function):
    """Heaviside spike with the rectangular surrogate gradient (dtype preserving)."""

    @staticmethod
    def forward(ctx, u, v_th, lens):
        ctx.save_for_backward(u)
        ctx.v_th = v_th
        ctx.lens = lens
        return u.gt(v_th).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_out):
        u, = ctx.saved_tensors
        window = ((u - ctx.v_th).abs() < ctx.lens).to(grad_out.dtype) / (2 * ctx.lens)
        return grad_out * window, None, None


class LIF(nn.Module):
    """mem_update: x [T*N, ...] (time-major) -> spikes of the same shape, zero initial state."""

    def __init__(self, v_th, decay, lens):
        super().__init__()
        self.v_th, self.decay, self.lens = v_th, decay, lens
        self.timesteps = 1

    def forward(self, x):
        xs = x.view(self.timesteps, -1, *x.shape[1:])
        mem = xs[0]
        spike = SpikeFn.apply(mem, self.v_th, self.lens)
        out = [spike]
        for t in range(1, self.timesteps):
            mem = mem * self.decay * (1 - spike.detach()) + xs[t]
            spike = SpikeFn.apply(mem, self.v_th, self.lens)
            out.append(spike)
        return torch.stack(out).view_as(x)


class TdBN(nn.Module):
    """tdBN: BatchNorm3d over the [N, C, T, H, W] view == BatchNorm2d over [T*N, C, H, W]."""

    def __init__(self, channels, eps):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, eps=eps)

    def forward(self, x):
        return self.bn(x)


def conv(cin, cout, k, stride, pad, bias=False):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=bias)


class MSBlock(nn.Module):
    def __init__(self, cin, cout, stride, shortcut, lif, eps):
        super().__init__()
        self.residual_function = nn.Sequential(
            LIF(*lif), conv(cin, cout, 3, stride, 1), TdBN(cout, eps),
            LIF(*lif), conv(cout, cout, 3, 1, 1), TdBN(cout, eps))
        if stride == 1 and cin == cout:
            self.shortcut = nn.Sequential()
        elif shortcut == "conv":
            self.shortcut = nn.Sequential(conv(cin, cout, 1, stride, 0), TdBN(cout, eps))
        else:
            self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), conv(cin, cout, 1, 1, 0), TdBN(cout, eps))

    def forward(self, x):
        return self.residual_function(x) + self.shortcut(x)


class MSResNet(nn.Module):
    def __init__(self, card):
        super().__init__()
        lif = (card["lif"]["v_th"], card["lif"]["decay"], card["surrogate"]["lens"])
        eps = card["bn_eps"]
        c0 = card["stem"]["channels"]
        cin = card["in_channels"]
        if card["stem"]["type"] == "conv7":
            self.conv1 = nn.Sequential(conv(cin, c0, 7, 2, 3), TdBN(c0, eps))
        else:
            self.conv1 = nn.Sequential(conv(cin, c0, 3, 2, 1, True), conv(c0, c0, 3, 1, 1, True),
                                       conv(c0, c0, 3, 1, 1, True), TdBN(c0, eps))
        ch = c0
        for i, (cout, blocks) in enumerate(card["stages"]):
            layers = []
            for b in range(blocks):
                layers.append(MSBlock(ch, cout, 2 if b == 0 else 1, card["shortcut"], lif, eps))
                ch = cout
            setattr(self, "conv%d_x" % (i + 2), nn.Sequential(*layers))
        self.n_stages = len(card["stages"])
        self.mem_update = LIF(*lif)
        self.fc = nn.Linear(ch, card["num_classes"])
        self.timesteps = None

    def set_timesteps(self, t):
        if t != self.timesteps:
            for m in self.modules():
                if isinstance(m, LIF):
                    m.timesteps = t
            self.timesteps = t

    def forward(self, x):
        """x [T, N, C, H, W] -> logits [N, K] (mean over T of the per-timestep logits)."""
        t, n = x.shape[0], x.shape[1]
        self.set_timesteps(t)
        h = self.conv1(x.reshape(t * n, *x.shape[2:]))
        for i in range(self.n_stages):
            h = getattr(self, "conv%d_x" % (i + 2))(h)
        s = self.mem_update(h)
        pooled = s.mean(dim=(2, 3)).view(t, n, -1)
        return self.fc(pooled.sum(dim=0) / t)

    def last_residual_norms(self):
        return [m.residual_function[5].bn for m in self.modules() if isinstance(m, MSBlock)]


def paper_init(model, v_th):
    """As io.spikestream.model.train.Initializer.paper: Kaiming-normal convs, BN gamma = v_th,
    beta = 0, gamma = 0 on the BN closing each residual branch, fc PyTorch default."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, v_th)
            nn.init.zeros_(m.bias)
    for bn in model.last_residual_norms():
        nn.init.zeros_(bn.weight)


# ---------------------------------------------------------------- safetensors

DTYPES = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + hlen].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + hlen
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        a = np.frombuffer(raw, dtype=DTYPES[e["dtype"]], count=(end - b) // np.dtype(DTYPES[e["dtype"]]).itemsize,
                          offset=base + b)
        out[name] = torch.from_numpy(a.reshape(e["shape"]).copy())
    return out, meta


# ---------------------------------------------------------------- fixture check

def rel_err(a, b):
    scale = b.abs().max().item()
    return (a - b).abs().max().item() / (scale if scale > 0 else 1.0)


def load_model(fixdir, name):
    card = json.load(open(os.path.join(fixdir, name + ".card.json")))
    model = MSResNet(card).double()
    weights, _ = read_safetensors(os.path.join(fixdir, name + ".weights.safetensors"))
    model.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in weights.items()},
                          strict=True)
    return model


def check_fixture(fixdir, tol):
    worst = 0.0
    ok = True
    # gradient fixture: every tdBN in eval mode, plain cross-entropy, one call from zero state
    model = load_model(fixdir, "grad")
    model.eval()
    io, meta = read_safetensors(os.path.join(fixdir, "grad.io.safetensors"))
    x = io["input"].clone().requires_grad_(True)
    logits = model(x)
    loss = F.cross_entropy(logits, io["labels"])
    model.zero_grad()
    loss.backward()
    rows = [("logits", rel_err(logits.detach(), io["logits"])),
            ("loss", rel_err(loss.detach(), io["loss"])),
            ("grad.input", rel_err(x.grad, io["grad.input"]))]
    params = dict(model.named_parameters())
    missing = [k for k in params if "grad." + k not in io]
    extra = [k[5:] for k in io if k.startswith("grad.") and k != "grad.input" and k[5:] not in params]
    if missing or extra:
        print("parameter mismatch: missing %s, extra %s" % (missing, extra))
        ok = False
    for k, p in params.items():
        if "grad." + k in io:
            rows.append(("grad." + k, rel_err(p.grad, io["grad." + k])))
    print("grad fixture: loss %.12f (fixture %.12f), %d gradient tensors + grad.input"
          % (loss.item(), io["loss"].item(), len(params)))
    for name, e in rows:
        worst = max(worst, e)
        if e > tol:
            ok = False
            print("  FAIL %-50s rel err %.3e" % (name, e))
    print("  max relative error (logits, loss, all grad.*): %.3e" % max(e for _, e in rows))
    # forward fixtures: eval-mode logits
    for name in ("tiny", "tiny104", "ms18-64"):
        if not os.path.exists(os.path.join(fixdir, name + ".io.safetensors")):
            continue
        model = load_model(fixdir, name)
        model.eval()
        io, _ = read_safetensors(os.path.join(fixdir, name + ".io.safetensors"))
        with torch.no_grad():
            e = rel_err(model(io["input"]), io["logits"])
        worst = max(worst, e)
        ok &= e <= tol
        print("%s fixture: logits max relative error %.3e%s" % (name, e, "" if e <= tol else "  FAIL"))
    print("fixture check %s (tolerance %.0e, worst %.3e)" % ("PASSED" if ok else "FAILED", tol, worst))
    return ok


# ---------------------------------------------------------------- benchmark

def make_step(model, lr=1e-3, weight_decay=1e-4, clip=5.0, smoothing=0.1):
    # weight decay on conv and fc weights only, as io.spikestream.model.train.Parameter.decays
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    criterion = nn.CrossEntropyLoss(label_smoothing=smoothing)

    def step(x, y):
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        return loss.item()

    return step


def bench(args):
    torch.set_num_threads(args.threads)
    card, size, t, batch = CONFIGS[args.config]
    size = args.size or size
    batch = args.batch or batch
    if card is None:
        card = json.load(open(args.card or BUNDLED_CARD))
    torch.manual_seed(1)
    model = MSResNet(card)
    paper_init(model, card["lif"]["v_th"])
    model.train()
    # sparse event frames as TrainingStepBenchmark: 5 % of the entries 1 or 2, the rest 0
    g = torch.Generator().manual_seed(2)
    shape = (t, batch, card["in_channels"], size, size)
    mask = torch.rand(shape, generator=g) < 0.05
    x = torch.where(mask, 1.0 + torch.randint(0, 2, shape, generator=g).float(), torch.zeros(shape))
    y = torch.randint(0, card["num_classes"], (batch,), generator=g)
    step = make_step(model)
    info = {"config": args.config, "T": t, "batch": batch, "size": size, "threads": torch.get_num_threads(),
            "torch": torch.__version__, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    print(json.dumps(info), flush=True)
    t0 = time.perf_counter()
    n = 0
    while n < args.warmup_steps or time.perf_counter() - t0 < args.warmup_s:
        step(x, y)
        n += 1
    print(json.dumps({"warmup_steps": n, "warmup_s": round(time.perf_counter() - t0, 2)}), flush=True)
    rates = []
    for rep in range(args.reps):
        load0 = os.getloadavg()[0]
        w0, c0 = time.perf_counter(), time.process_time()
        steps = 0
        while steps < 1 or time.perf_counter() - w0 < args.rep_s:
            loss = step(x, y)
            steps += 1
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        rate = steps * batch / wall
        rates.append(rate)
        print(json.dumps({"rep": rep, "steps": steps, "wall_s": round(wall, 3), "ms_per_step": round(1e3 * wall / steps, 1),
                          "samples_per_s": round(rate, 3), "samples_per_cpu_s": round(steps * batch / cpu, 3),
                          "load1": [round(load0, 2), round(os.getloadavg()[0], 2)], "loss": round(loss, 4)}),
              flush=True)
    print(json.dumps({"config": args.config, "threads": torch.get_num_threads(),
                      "samples_per_s_mean": round(float(np.mean(rates)), 3),
                      "samples_per_s_min": round(float(np.min(rates)), 3),
                      "samples_per_s_max": round(float(np.max(rates)), 3)}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check-fixture", metavar="DIR", help="check against the fixtures in DIR and exit")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--config", choices=sorted(CONFIGS), default="bundled")
    ap.add_argument("--card", help="model card JSON for --config bundled (default: the bundled card)")
    ap.add_argument("--size", type=int, help="input height = width (default: the config's)")
    ap.add_argument("--batch", type=int, help="batch size (default: the config's)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup-steps", type=int, default=2)
    ap.add_argument("--warmup-s", type=float, default=10.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rep-s", type=float, default=15.0, help="minimum seconds per timed repetition")
    args = ap.parse_args()
    if args.check_fixture:
        torch.set_num_threads(args.threads)
        sys.exit(0 if check_fixture(args.check_fixture, args.tol) else 1)
    bench(args)


if __name__ == "__main__":
    main()
