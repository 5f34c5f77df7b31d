#!/usr/bin/env python3
"""MS-ResNet inference in PyTorch 1.13 (CPU): the baseline for `spikestream bench model`.

The model is msresnet_train_step.py's (same semantics as ../shared/fixtures/msresnet/README.md,
official state_dict names, LIF as a Python loop over the timesteps), in eval mode under
torch.no_grad(), with every tdBN folded into its convolution (torch.nn.utils.fusion.fuse_conv_bn_eval),
as the engine folds it: the dense model at the same size, which costs the same on any input.
Input: sparse random event frames (5 % of the entries 1 or 2, the rest 0), [T, N, 2, H, W].

Timing: warm-up (>= 3 windows and --warmup-s seconds), then --reps repetitions of >= --rep-s
seconds; one JSON line per repetition (frames/s = T * N * windows / wall seconds, the 1-minute
load average at start and end), then a summary line with the best repetition.

  /usr/bin/python3 model/bench/pytorch/msresnet_infer.py --config bundled --size 64 --steps 8 --batch 1 --threads 2
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from msresnet_train_step import BUNDLED_CARD, MS18_CARD, MSResNet, TdBN, paper_init  # noqa: E402


def fold_bn(model):
    """Replaces every (Conv2d, TdBN) pair of a Sequential by the folded conv (and an identity)."""
    for m in model.modules():
        if isinstance(m, nn.Sequential):
            for i in range(len(m) - 1):
                if isinstance(m[i], nn.Conv2d) and isinstance(m[i + 1], TdBN):
                    m[i] = fuse_conv_bn_eval(m[i], m[i + 1].bn)
                    m[i + 1] = nn.Identity()
            # conv3x3x3 stem: three convs, then one BN after the last
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=["bundled", "ms18"], default="bundled")
    ap.add_argument("--card", help="model card JSON for --config bundled (default: the bundled card)")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup-s", type=float, default=5.0)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--rep-s", type=float, default=10.0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    card = MS18_CARD if args.config == "ms18" else json.load(open(args.card or BUNDLED_CARD))
    torch.manual_seed(1)
    model = MSResNet(card)
    paper_init(model, card["lif"]["v_th"])
    model.eval()
    fold_bn(model)
    g = torch.Generator().manual_seed(2)
    shape = (args.steps, args.batch, card["in_channels"], args.size, args.size)
    mask = torch.rand(shape, generator=g) < 0.05
    x = torch.where(mask, 1.0 + torch.randint(0, 2, shape, generator=g).float(), torch.zeros(shape))
    info = {"config": args.config, "size": args.size, "T": args.steps, "batch": args.batch,
            "threads": torch.get_num_threads(), "torch": torch.__version__,
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    print(json.dumps(info), flush=True)
    with torch.no_grad():
        t0 = time.perf_counter()
        n = 0
        while n < 3 or time.perf_counter() - t0 < args.warmup_s:
            model(x)
            n += 1
        rates = []
        for rep in range(args.reps):
            load0 = os.getloadavg()[0]
            w0, c0 = time.perf_counter(), time.process_time()
            windows = 0
            while windows < 1 or time.perf_counter() - w0 < args.rep_s:
                model(x)
                windows += 1
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            rate = windows * args.steps * args.batch / wall
            rates.append(rate)
            print(json.dumps({"rep": rep, "windows": windows, "ms_per_window": round(1e3 * wall / windows, 3),
                              "frames_per_s": round(rate, 1), "cpu_ms_per_window": round(1e3 * cpu / windows, 3),
                              "load1": [round(load0, 2), round(os.getloadavg()[0], 2)]}), flush=True)
    print(json.dumps({"config": args.config, "size": args.size, "T": args.steps, "batch": args.batch,
                      "frames_per_s_best": round(max(rates), 1)}), flush=True)


if __name__ == "__main__":
    main()
