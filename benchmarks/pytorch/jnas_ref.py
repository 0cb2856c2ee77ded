#!/usr/bin/python3
"""jnas_ref.py: PyTorch eager twins of jnas's two networks, for a side-by-side benchmark.

The networks are written from jnas's C++ sources (native/graph/supernet.cpp, final_net.cpp,
ops.cpp, tape.cpp and the kernels under native/cpu/), op for op:

  Supernet  the ENAS micro search supernet (melodyguan/enas micro_child.py, search mode):
            only the sampled path runs; a forward takes the normal and the reduce arc
            (4 ints per node: input, op, input, op; op ids index the candidate list).
  FinalNet  a genotype's final network (DARTS NetworkCIFAR, quark0/darts cnn/model.py),
            with the auxiliary head and drop-path.

Every parameter carries jnas's own name (e.g. "layer3.node2.in1.sep3.0.pw"), so the weights
jnas writes map one to one; the forwards use torch.nn.functional on those parameters, which
is what nn.Conv2d / nn.BatchNorm2d call underneath.

The commands read a folder that io.jnas.bench.VsPyTorch writes (spec.json + raw
little-endian float32/int32 files, see the driver's class comment):

  jnas_ref.py run DIR --round R   one warm-up and S timed training steps on the round's
                                  architectures; prints one JSON line (images/s, threads)
  jnas_ref.py pick DIR            for each check case folder DIR/case*: replaces its batch by
                                  the first seeded draw whose float64 forward has no near-kink
                                  (see KINKS), so that no float32 evaluation can cross one
  jnas_ref.py check DIR           for each case folder DIR/case*: the same weights and batch,
                                  one forward+backward (no dropout or drop-path) here in
                                  float64 (the definition without rounding) and in float32;
                                  compares jnas's loss and every gradient with the float64
                                  ones; applies PyTorch's clip + Nesterov SGD to jnas's
                                  gradients and compares with jnas's training step; compares
                                  the BN running statistics; prints the largest relative
                                  error per tensor kind. Exit status 0 passed, 1 failed,
                                  3 inconclusive (failures only where a float32 evaluation
                                  may cross a ReLU or max-pool kink: see KINKS)

Run it with OMP_WAIT_POLICY=PASSIVE on a shared machine (libgomp's spinning threads slow
PyTorch down several times when the cores are busy); the driver sets it.
"""

import argparse
import json
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# The op registry's ids (native/graph/ops.h, io.jnas.genotype.Op).
OPS = ["none", "skip_connect", "avg_pool_3x3", "max_pool_3x3", "sep_conv_3x3", "sep_conv_5x5",
       "sep_conv_7x7", "dil_conv_3x3", "dil_conv_5x5", "conv_7x1_1x7"]

# Relative error allowed per tensor: max|jnas - ref| / max|ref|, ref the float64 evaluation
# (jnas computes in float32, in other summation orders; measured: 3e-5 at worst).
TOL = 1e-3

BN_EPS, BN_MOMENTUM = 1e-5, 0.1


# ------------------------------------------------------------------------------ kinks
# ReLU and max pooling are where a gradient is discontinuous: a ReLU input within rounding of
# 0, or a max-pool window whose two largest values are within rounding, can send a whole
# gradient element elsewhere under a float32 evaluation, and in these deep batch-statistics
# networks that moves every gradient upstream of it by up to a few percent. (Exact ties are no
# hazard: they are exact in float32 too, and jnas and PyTorch both route the gradient to the
# first maximum in row-major window order.) The check counts such near-kinks in
# its float64 run (KINKS, when not None); "pick" draws a batch that has none.

KINKS = None     # None, or [ReLU near-zeros, max-pool near-ties] accumulated by the ops
KINK_TOL = 1e-6  # "near": within KINK_TOL * max|x| of the tensor


def relu(x):
    if KINKS is not None:
        with torch.no_grad():
            a = x.abs()
            KINKS[0] += int(((a > 0) & (a <= KINK_TOL * a.max())).sum())
    return F.relu(x)


def max_pool(x, k, stride, pad):
    if KINKS is not None:
        with torch.no_grad():
            xp = F.pad(x, (pad, pad, pad, pad), value=float("-inf"))
            win = xp.unfold(2, k, stride).unfold(3, k, stride).flatten(-2)  # (B, C, OH, OW, k*k)
            top = win.topk(2, dim=-1).values
            gap = top[..., 0] - top[..., 1]  # an exact tie is no hazard: both sides take the first
            KINKS[1] += int(((gap > 0) & (gap <= KINK_TOL * x.abs().max())).sum())
    return F.max_pool2d(x, k, stride, pad)


# ----------------------------------------------------------------------------- parameters

class Net(nn.Module):
    """Parameters registered under jnas's names, in jnas's order (ParamStore::add)."""

    def __init__(self, running_stats):
        super().__init__()
        self.plist = nn.ParameterList()
        self.by_name = {}        # jnas name -> Parameter
        self.running_stats = running_stats
        self.bn_running = []     # (mean, var) buffers in registration order (jnas buffer 3)

    def add(self, name, shape, fill=None):
        if name in self.by_name:
            raise ValueError("parameter " + name + " registered twice")
        t = torch.empty(shape)
        if fill is None:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            nn.init.normal_(t, 0.0, (2.0 / fan_in) ** 0.5)  # He normal (jnas copies over it)
        else:
            t.fill_(fill)
        p = nn.Parameter(t)
        self.plist.append(p)
        self.by_name[name] = p
        return p

    def bn(self, prefix, C):
        """Net::bn: prefix.gamma, prefix.beta and, where the network keeps them, running statistics."""
        g = self.add(prefix + ".gamma", (C,), 1.0)
        b = self.add(prefix + ".beta", (C,), 0.0)
        rm = rv = None
        if self.running_stats:
            k = len(self.bn_running)
            rm, rv = torch.zeros(C), torch.ones(C)
            self.register_buffer("bn_rm%d" % k, rm)
            self.register_buffer("bn_rv%d" % k, rv)
            self.bn_running.append((rm, rv))
        return (g, b, rm, rv)

    def norm(self, x, bn):
        """Net::norm: batch statistics in training and always without running ones (the supernet)."""
        g, b, rm, rv = bn
        training = self.training or rm is None
        return F.batch_norm(x, rm, rv, g, b, training, BN_MOMENTUM, BN_EPS)


# ------------------------------------------------------------------ ops (native/graph/ops.cpp)

def fr_bn_make(net, wprefix, bn_name, C_in, C_out):
    c1 = C_out // 2
    return (net.add(wprefix + "w1", (c1, C_in, 1, 1)), net.add(wprefix + "w2", (C_out - c1, C_in, 1, 1)),
            net.bn(bn_name, C_out))


def factorized_reduce(x, w1, w2):
    """ReLU, then two stride-2 1x1 convs, the second on x shifted by one pixel (zero past an odd edge)."""
    x = relu(x)
    H, W = x.shape[2], x.shape[3]
    xs = x[:, :, 1:, 1:]
    if H % 2 or W % 2:
        xs = F.pad(xs, (0, W % 2, 0, H % 2))
    return torch.cat([F.conv2d(x, w1, stride=2), F.conv2d(xs, w2, stride=2)], dim=1)


def fr_bn(net, p, x):
    w1, w2, bn = p
    return net.norm(factorized_reduce(x, w1, w2), bn)


def relu_conv_bn_make(net, prefix, C_in, C_out):
    return (net.add(prefix + "conv.w", (C_out, C_in, 1, 1)), net.bn(prefix + "bn", C_out))


def relu_conv_bn(net, p, x):
    w, bn = p
    return net.norm(F.conv2d(relu(x), w), bn)


def op_make(net, op, prefix, C, stride):
    name = OPS[op]
    if name == "skip_connect":
        return fr_bn_make(net, prefix + "fr.", prefix + "fr.bn", C, C) if stride != 1 else None
    if name.startswith("sep_conv"):
        K = int(name[-1])
        out = []
        for k in range(2):
            q = "%ssep%d.%d." % (prefix, K, k)
            out.append((net.add(q + "dw", (C, 1, K, K)), net.add(q + "pw", (C, C, 1, 1)), net.bn(q + "bn", C)))
        return out
    if name.startswith("dil_conv"):
        K = int(name[-1])
        q = "%sdil%d." % (prefix, K)
        return (net.add(q + "dw", (C, 1, K, K)), net.add(q + "pw", (C, C, 1, 1)), net.bn(q + "bn", C))
    if name == "conv_7x1_1x7":
        return (net.add(prefix + "conv1x7.w", (C, C, 1, 7)), net.add(prefix + "conv7x1.w", (C, C, 7, 1)),
                net.bn(prefix + "conv7.bn", C))
    return None  # none, pools


def op_apply(net, op, p, x, stride):
    name = OPS[op]
    if name == "none":
        H, W = x.shape[2], x.shape[3]
        if stride != 1:
            H, W = (H + 1) // 2, (W + 1) // 2
        return x.new_zeros((x.shape[0], x.shape[1], H, W))
    if name == "skip_connect":
        return x if stride == 1 else fr_bn(net, p, x)
    if name == "avg_pool_3x3":
        return F.avg_pool2d(x, 3, stride, 1, count_include_pad=False)
    if name == "max_pool_3x3":
        return max_pool(x, 3, stride, 1)
    if name.startswith("sep_conv"):
        K = int(name[-1])
        C = x.shape[1]
        for k, (dw, pw, bn) in enumerate(p):
            x = relu(x)
            x = F.conv2d(x, dw, stride=stride if k == 0 else 1, padding=K // 2, groups=C)
            x = net.norm(F.conv2d(x, pw), bn)
        return x
    if name.startswith("dil_conv"):
        K = int(name[-1])
        dw, pw, bn = p
        x = F.conv2d(relu(x), dw, stride=stride, padding=K - 1, dilation=2, groups=x.shape[1])
        return net.norm(F.conv2d(x, pw), bn)
    if name == "conv_7x1_1x7":
        # DARTS's form: 1x7 at stride (1, s), 7x1 at stride (s, 1). jnas runs the 1x7 at stride 1
        # and the 7x1 at (s, s): the same numbers (ops.h), for less work here.
        w17, w71, bn = p
        x = F.conv2d(relu(x), w17, stride=(1, stride), padding=(0, 3))
        x = F.conv2d(x, w71, stride=(stride, 1), padding=(3, 0))
        return net.norm(x, bn)
    raise ValueError("op %d" % op)


# --------------------------------------------------------- the supernet (native/graph/supernet.cpp)

def enas_pool_layer(l, L):
    return l == L // 3 or l == 2 * (L // 3) + 1


class Supernet(Net):
    """ENAS micro supernet: stem conv3x3 (-> 3C) + BN; L+2 layers, layers L/3 and 2(L/3)+1 first
    reduce the previous output (FR + BN, channels doubled); a cell calibrates its inputs
    (FR + BN where the size differs, ReLU-conv1x1-BN where the channels do), runs the sampled
    op on each of a node's two inputs (stride 1) and sums them; the unused states are
    ReLU'd, concatenated and mapped back to C by one 1x1 conv (the weight slices final.w<k>
    of the used-nowhere states), then BN. Head: ReLU, global average pool, dropout, linear
    without bias. BN always uses batch statistics."""

    def __init__(self, in_ch, H, W, classes, L, C, N, ops):
        super().__init__(running_stats=False)
        self.L, self.C0, self.N, self.ops = L, C, N, list(ops)
        C3 = 3 * C
        self.stem_w = self.add("stem.w", (C3, in_ch, 3, 3))
        self.stem_bn = self.bn("stem.bn", C3)
        s0 = (C3, H, W)
        s1 = (C3, H, W)
        c = C
        self.layers = []
        for l in range(L + 2):
            d = {}
            p = "layer%d." % l
            d["reduction"] = enas_pool_layer(l, L)
            if d["reduction"]:
                c *= 2
                d["reduce"] = fr_bn_make(self, p + "reduce.", p + "reduce.bn", s1[0], c)
                s0 = s1
                s1 = (c, (s1[1] + 1) // 2, (s1[2] + 1) // 2)
            d["C"] = c
            d["cal0"] = self._calib(p + "calib0.", s0, c, s0[1] != s1[1])
            d["cal1"] = self._calib(p + "calib1.", s1, c, False)
            d["ops"] = []  # [node][input][candidate]
            for j in range(N):
                ins = []
                for i in range(j + 2):
                    q = "%snode%d.in%d." % (p, j, i)
                    ins.append([op_make(self, op, q, c, 1) for op in self.ops])
                d["ops"].append(ins)
            d["final_w"] = [self.add("%sfinal.w%d" % (p, k), (c, c, 1, 1)) for k in range(N + 2)]
            d["final_bn"] = self.bn(p + "final.bn", c)
            self.layers.append(d)
            s0 = s1
            s1 = (c, s1[1], s1[2])
        self.fc_w = self.add("fc.w", (classes, c))

    def _calib(self, p, shape, C, reduce):
        if reduce:
            return ("fr", fr_bn_make(self, p + "fr.", p + "bn", shape[0], C))
        if shape[0] != C:
            return ("rcb", relu_conv_bn_make(self, p, shape[0], C))
        return None

    def _calibrate(self, cb, x):
        if cb is None:
            return x
        return fr_bn(self, cb[1], x) if cb[0] == "fr" else relu_conv_bn(self, cb[1], x)

    def _cell(self, d, arc, in0, in1):
        states = [self._calibrate(d["cal0"], in0), self._calibrate(d["cal1"], in1)]
        used = [0] * (self.N + 2)
        for j in range(self.N):
            h = []
            for k in range(2):
                i, choice = arc[4 * j + 2 * k], arc[4 * j + 2 * k + 1]
                h.append(op_apply(self, self.ops[choice], d["ops"][j][i][choice], states[i], 1))
                used[i] += 1
            states.append(h[0] + h[1])
        out = [k for k in range(self.N + 2) if not used[k]]
        if len(out) == 1:
            x, w = relu(states[out[0]]), d["final_w"][out[0]]
        else:
            x = torch.cat([relu(states[k]) for k in out], dim=1)
            w = torch.cat([d["final_w"][k] for k in out], dim=1)
        return self.norm(F.conv2d(x, w), d["final_bn"])

    def forward(self, x, normal, reduce, keep=1.0):
        x = self.norm(F.conv2d(x, self.stem_w, padding=1), self.stem_bn)
        prev0 = prev1 = x
        for d in self.layers:
            if d["reduction"]:
                r = fr_bn(self, d["reduce"], prev1)
                prev0, prev1 = prev1, r
            out = self._cell(d, reduce if d["reduction"] else normal, prev0, prev1)
            prev0, prev1 = prev1, out
        x = relu(prev1).mean((2, 3))
        if self.training and keep < 1.0:
            x = F.dropout(x, 1.0 - keep, True)
        return F.linear(x, self.fc_w), None


# ------------------------------------------------------ the final network (native/graph/final_net.cpp)

def parse_cell(a):
    """[nodes, (op, input) x 2*nodes, n_concat, concat...] -> (ops, inputs, concat)."""
    n = a[0]
    ops = [a[1 + 2 * e] for e in range(2 * n)]
    ins = [a[2 + 2 * e] for e in range(2 * n)]
    nc = a[1 + 4 * n]
    return ops, ins, list(a[2 + 4 * n:2 + 4 * n + nc])


def darts_reduction_cell(l, L):
    return l == L // 3 or l == 2 * L // 3


class FinalNet(Net):
    """DARTS NetworkCIFAR: stem conv3x3 (-> 3C) + BN; L cells, cells L/3 and 2L/3 reduce;
    preprocess0 = FR+BN after a reduction cell else ReLU-conv1x1-BN, preprocess1 =
    ReLU-conv1x1-BN; node = op(state) + op(state), ops reading a cell input of a reduction cell
    at stride 2; output = concat of the genotype's concat states (a reduction cell's cell input
    brought down by FR+BN); drop-path on every op output except identities and none; head:
    global average pool, dropout, linear with bias; auxiliary head on the output of cell 2L/3."""

    def __init__(self, normal, reduce, C, L, classes, in_ch, H, W, aux):
        super().__init__(running_stats=True)
        self.L, self.C0, self.aux = L, C, aux
        self.genos = {False: parse_cell(normal), True: parse_cell(reduce)}
        C3 = 3 * C
        self.stem_w = self.add("stem.w", (C3, in_ch, 3, 3))
        self.stem_bn = self.bn("stem.bn", C3)
        Cpp, Cp, Cc = C3, C3, C
        h, w = H, W
        red_prev = False
        self.aux_layer = 2 * L // 3
        self.cells = []
        aux_C = aux_H = aux_W = 0
        for l in range(L):
            d = {}
            p = "cell%d." % l
            d["reduction"] = darts_reduction_cell(l, L)
            if d["reduction"]:
                Cc *= 2
            d["reduction_prev"] = red_prev
            ops, ins, concat = self.genos[d["reduction"]]
            d["geno"] = (ops, ins, concat)
            d["pre0"] = (fr_bn_make(self, p + "pre0.fr.", p + "pre0.fr.bn", Cpp, Cc) if red_prev
                         else relu_conv_bn_make(self, p + "pre0.", Cpp, Cc))
            d["pre1"] = relu_conv_bn_make(self, p + "pre1.", Cp, Cc)
            d["stride"], d["edges"] = [], []
            for e in range(len(ops)):
                stride = 2 if d["reduction"] and ins[e] < 2 else 1
                d["stride"].append(stride)
                d["edges"].append(op_make(self, ops[e], "%sedge%d." % (p, e), Cc, stride))
            d["concat_fr"] = []
            for k, c in enumerate(concat):
                if d["reduction"] and c < 2:
                    q = "%sconcat%d." % (p, k)
                    d["concat_fr"].append(fr_bn_make(self, q + "fr.", q + "fr.bn", Cc, Cc))
                else:
                    d["concat_fr"].append(None)
            if d["reduction"]:
                h, w = (h + 1) // 2, (w + 1) // 2
            self.cells.append(d)
            red_prev = d["reduction"]
            Cpp, Cp = Cp, len(concat) * Cc
            if l == self.aux_layer:
                aux_C, aux_H, aux_W = Cp, h, w
        self.fc_w = self.add("classifier.w", (classes, Cp))
        self.fc_b = self.add("classifier.b", (classes,), 0.0)
        if aux:
            self.aux_pool = min(5, aux_H, aux_W)
            PH, PW = (aux_H - self.aux_pool) // 3 + 1, (aux_W - self.aux_pool) // 3 + 1
            self.aux_w1 = self.add("aux.conv1.w", (128, aux_C, 1, 1))
            self.aux_bn1 = self.bn("aux.bn1", 128)
            self.aux_w2 = self.add("aux.conv2.w", (768, 128, PH, PW))
            self.aux_bn2 = self.bn("aux.bn2", 768)
            self.aux_fc_w = self.add("aux.classifier.w", (classes, 768))
            self.aux_fc_b = self.add("aux.classifier.b", (classes,), 0.0)

    def _cell(self, d, l, s0, s1, drop_path_keep, progress):
        states = [fr_bn(self, d["pre0"], s0) if d["reduction_prev"] else relu_conv_bn(self, d["pre0"], s0),
                  relu_conv_bn(self, d["pre1"], s1)]
        keep = 1.0
        if self.training and drop_path_keep < 1.0:
            keep_l = 1.0 - (l + 1) / self.L * (1.0 - drop_path_keep)
            keep = 1.0 - min(progress, 1.0) * (1.0 - keep_l)
        ops, ins, concat = d["geno"]
        for j in range(len(ops) // 2):
            h = []
            for k in range(2):
                e = 2 * j + k
                y = op_apply(self, ops[e], d["edges"][e], states[ins[e]], d["stride"][e])
                identity = OPS[ops[e]] == "skip_connect" and d["stride"][e] == 1
                if keep < 1.0 and not identity and OPS[ops[e]] != "none":
                    mask = torch.empty((y.shape[0], 1, 1, 1)).bernoulli_(keep)
                    y = y * (mask / keep)
                h.append(y)
            states.append(h[0] + h[1])
        parts = [states[c] if fr is None else fr_bn(self, fr, states[c]) for c, fr in zip(concat, d["concat_fr"])]
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

    def _aux_head(self, x):
        x = F.avg_pool2d(relu(x), self.aux_pool, 3, 0)
        x = relu(self.norm(F.conv2d(x, self.aux_w1), self.aux_bn1))
        x = relu(self.norm(F.conv2d(x, self.aux_w2), self.aux_bn2))
        return F.linear(x.flatten(1), self.aux_fc_w, self.aux_fc_b)

    def forward(self, x, keep=1.0, drop_path_keep=1.0, progress=0.0):
        x = self.norm(F.conv2d(x, self.stem_w, padding=1), self.stem_bn)
        s0 = s1 = x
        aux_in = None
        for l, d in enumerate(self.cells):
            s0, s1 = s1, self._cell(d, l, s0, s1, drop_path_keep, progress)
            if l == self.aux_layer:
                aux_in = s1
        x = s1.mean((2, 3))
        if self.training and keep < 1.0:
            x = F.dropout(x, 1.0 - keep, True)
        logits = F.linear(x, self.fc_w, self.fc_b)
        aux = self._aux_head(aux_in) if self.training and self.aux and aux_in is not None else None
        return logits, aux


# ------------------------------------------------------------------- the exchange folder

AUX_WEIGHT = 0.4


def read_f32(path, n=None):
    a = np.fromfile(path, dtype="<f4")
    if n is not None and a.size != n:
        raise ValueError("%s holds %d floats, expected %d" % (path, a.size, n))
    return a


def load_case(folder):
    with open(os.path.join(folder, "spec.json")) as f:
        spec = json.load(f)
    cfg = spec["config"]
    if spec["net"] == "supernet":
        net = Supernet(cfg["in_channels"], cfg["height"], cfg["width"], cfg["classes"], cfg["layers"],
                       cfg["channels"], cfg["nodes"], cfg["ops"])
    elif spec["net"] == "final":
        net = FinalNet(cfg["normal"], cfg["reduce"], cfg["channels"], cfg["layers"], cfg["classes"],
                       cfg["in_channels"], cfg["height"], cfg["width"], cfg["auxiliary"])
    else:
        raise ValueError("unknown net " + repr(spec["net"]))
    index = spec["tensors"]
    mine = set(net.by_name)
    theirs = {t["name"] for t in index}
    if mine != theirs:
        raise ValueError("parameter names differ: only in jnas %s; only here %s"
                         % (sorted(theirs - mine)[:8], sorted(mine - theirs)[:8]))
    weights = read_f32(os.path.join(folder, spec["weights"]), spec["buffer_floats"])
    with torch.no_grad():
        for t in index:
            p = net.by_name[t["name"]]
            if p.numel() != t["size"]:
                raise ValueError("%s: %d floats in jnas, %d here (shape %s)" % (t["name"], t["size"], p.numel(), tuple(p.shape)))
            p.copy_(torch.from_numpy(weights[t["offset"]:t["offset"] + t["size"]].copy()).view_as(p))
    B, C, H, W = spec["images_shape"]
    images = torch.from_numpy(read_f32(os.path.join(folder, spec["images"]), B * C * H * W).copy()).view(B, C, H, W)
    images = images.to(torch.get_default_dtype())
    labels = torch.from_numpy(np.fromfile(os.path.join(folder, spec["labels"]), dtype="<i4").astype(np.int64))
    return spec, net, images, labels


def set_threads(n):
    torch.set_num_threads(n)
    return torch.get_num_threads()


class Trainer:
    """One training step as jnas's (net.cpp run + ParamStore::clip_and_sgd): zero every gradient,
    forward, loss (+ 0.4 aux), backward, clip the global norm, Nesterov SGD with weight decay
    on EVERY parameter (jnas updates the whole store: unsampled supernet paths get decay and
    momentum too, so their gradients are kept as zeros rather than None)."""

    def __init__(self, net, hyper):
        self.net, self.h = net, hyper
        self.params = list(net.plist)
        for p in self.params:
            p.grad = torch.zeros_like(p)
        kw = dict(lr=hyper["lr"], momentum=hyper["momentum"], weight_decay=hyper["weight_decay"], nesterov=True)
        try:
            self.opt = torch.optim.SGD(self.params, foreach=True, **kw)
        except TypeError:  # PyTorch before foreach
            self.opt = torch.optim.SGD(self.params, **kw)

    def forward_loss(self, images, labels, normal=None, reduce=None, keep=1.0, drop_path_keep=1.0, progress=0.0):
        if normal is not None:
            logits, aux = self.net(images, normal, reduce, keep)
        else:
            logits, aux = self.net(images, keep, drop_path_keep, progress)
        loss = F.cross_entropy(logits, labels)
        aux_loss = F.cross_entropy(aux, labels) if aux is not None else None
        return loss, aux_loss

    def step(self, images, labels, normal=None, reduce=None, keep=None, drop_path_keep=None, progress=None):
        h = self.h
        keep = h["dropout_keep"] if keep is None else keep
        drop_path_keep = h["drop_path_keep"] if drop_path_keep is None else drop_path_keep
        progress = h["progress"] if progress is None else progress
        self.opt.zero_grad(set_to_none=False)
        loss, aux_loss = self.forward_loss(images, labels, normal, reduce, keep, drop_path_keep, progress)
        total = loss if aux_loss is None else loss + AUX_WEIGHT * aux_loss
        total.backward()
        self.update()
        return loss

    def update(self):
        """Clip the gradients' global norm, then the SGD step."""
        if self.h["grad_clip"] > 0:
            clip_global_norm(self.params, self.h["grad_clip"])
        self.opt.step()


def clip_global_norm(params, max_norm):
    """jnas's rule (optim.cpp): scale by max_norm / norm where norm > max_norm. (PyTorch's
    clip_grad_norm_ divides by norm + 1e-6 and is a loop over the tensors in 1.13.)"""
    grads = [p.grad for p in params]
    if hasattr(torch, "_foreach_norm"):
        norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    else:
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    n = float(norm)
    if n > max_norm:
        if hasattr(torch, "_foreach_mul_"):
            torch._foreach_mul_(grads, max_norm / n)
        else:
            for g in grads:
                g.mul_(max_norm / n)
    return n


def arcs_of(spec, rnd):
    """The round's architectures: S+1 (normal, reduce) pairs, the first for the warm-up step."""
    if spec["net"] != "supernet":
        return [(None, None)] * (spec["steps"] + 1)
    return [(a["normal"], a["reduce"]) for a in spec["arcs"][rnd]]


# ---------------------------------------------------------------------------------- run

def cmd_run(args):
    spec, net, images, labels = load_case(args.dir)
    threads = set_threads(spec["threads"])
    torch.manual_seed(spec.get("seed", 0) + args.round)
    net.train()
    tr = Trainer(net, spec["hyper"])
    arcs = arcs_of(spec, args.round)
    tr.step(images, labels, *arcs[0])  # warm-up: allocations, oneDNN primitive creation
    t0 = time.perf_counter()
    loss = None
    for normal, reduce in arcs[1:]:
        loss = tr.step(images, labels, normal, reduce)
    secs = time.perf_counter() - t0
    steps = len(arcs) - 1
    out = {"round": args.round, "threads": threads, "torch": torch.__version__, "steps": steps,
           "batch": images.shape[0], "seconds": secs, "images_per_s": steps * images.shape[0] / secs,
           "loss": float(loss) if loss is not None else None}
    print(json.dumps(out), flush=True)


# -------------------------------------------------------------------------------- check

def kind_of(name):
    """A tensor's kind: its name without the layer/cell/node/input/edge/concat indices."""
    parts = [q for q in name.split(".") if not re.fullmatch(r"(layer|cell|node|in|edge|concat)\d+|\d+", q)]
    parts = [re.sub(r"^(calib)\d$", r"\1", q) for q in parts]
    if len(parts) >= 2 and parts[-2] == "final" and parts[-1].startswith("w"):
        parts[-1] = "w"
    return ".".join(parts)


def rel_err(a, ref):
    """max|a - ref| / max|ref| (0 where both are zero; inf where only a is not)."""
    d = float(np.max(np.abs(a - ref))) if a.size else 0.0
    s = float(np.max(np.abs(ref))) if ref.size else 0.0
    if s == 0.0:
        return 0.0 if d == 0.0 else float("inf")
    return d / s


def forward_backward(folder, dtype, count_kinks=False):
    """One forward+backward of a case (dropout and drop-path off) in dtype:
    (spec, net, loss, aux loss, near-kinks [ReLU, max pool] or None)."""
    global KINKS
    torch.set_default_dtype(dtype)
    try:
        spec, net, images, labels = load_case(folder)
    finally:
        torch.set_default_dtype(torch.float32)
    chk = spec["check"]
    net.train()
    tr = Trainer(net, spec["hyper"])
    tr.opt.zero_grad(set_to_none=False)
    KINKS = [0, 0] if count_kinks else None
    try:
        loss, aux_loss = tr.forward_loss(images, labels, chk.get("normal"), chk.get("reduce"), 1.0, 1.0, 0.0)
        kinks = KINKS
    finally:
        KINKS = None
    total = loss if aux_loss is None else loss + AUX_WEIGHT * aux_loss
    total.backward()
    return spec, net, float(loss), None if aux_loss is None else float(aux_loss), kinks


class Table:
    """The largest relative error per tensor kind and column over every case, and the failures."""
    COLS = ("jnas", "torch32", "update")

    def __init__(self):
        self.kinds, self.worst, self.fails = {}, {c: (0.0, "") for c in self.COLS}, []

    def note(self, label, name, col, err, nonzero=None, check=True):
        e = self.kinds.setdefault(kind_of(name), {"tensors": 0, "nonzero": 0, "worst": "", **{c: 0.0 for c in self.COLS}})
        if nonzero is not None:
            e["tensors"] += 1
            e["nonzero"] += bool(nonzero)
        if err > e[col] or err != err:
            e[col] = err
            if col == "jnas":
                e["worst"] = label + ": " + name
        if err > self.worst[col][0] or err != err:
            self.worst[col] = (err, label + ": " + name)
        if check and not err <= TOL:
            self.fail(label, "%s %s: relative error %.3g" % (col, name, err))

    def fail(self, label, what):
        self.fails.append((label, what))


def check_case(folder, table):
    """Compares one case folder, prints its line, notes every tensor in table; returns its near-kinks."""
    # 1. the gradients: jnas (float32) against this network evaluated in float64, the
    #    definition without rounding; PyTorch's own float32 against the same, for scale
    spec, net64, loss64, aux64, kinks = forward_backward(folder, torch.float64, count_kinks=True)
    _, net32, loss32, _, _ = forward_backward(folder, torch.float32)
    set_threads(spec["threads"])
    chk, index, n, label = spec["check"], spec["tensors"], spec["buffer_floats"], spec["check"]["label"]
    g_jnas = read_f32(os.path.join(folder, chk["grads"]), n)
    for t in index:
        ref = net64.by_name[t["name"]].grad.reshape(-1).numpy()
        mine = g_jnas[t["offset"]:t["offset"] + t["size"]].astype(np.float64)
        table.note(label, t["name"], "jnas", rel_err(mine, ref), nonzero=np.any(ref != 0))
        table.note(label, t["name"], "torch32", rel_err(net32.by_name[t["name"]].grad.reshape(-1).double().numpy(), ref),
                   check=False)

    def rel(a, b):
        return abs(a - b) / max(abs(b), 1e-12)

    line = "%-16s loss jnas %.6f float64 %.6f (rel %.1e; torch32 %.1e)" % (
        label, chk["loss"], loss64, rel(chk["loss"], loss64), rel(loss32, loss64))
    if rel(chk["loss"], loss64) > TOL:
        table.fail(label, "loss: relative error %.3g" % rel(chk["loss"], loss64))
    if aux64 is not None:
        line += "; aux %.6f / %.6f (%.1e)" % (chk["aux_loss"], aux64, rel(chk["aux_loss"], aux64))
        if rel(chk["aux_loss"], aux64) > TOL:
            table.fail(label, "aux loss: relative error %.3g" % rel(chk["aux_loss"], aux64))
    # 2. the BN running statistics after one training step: moved once from (0, 1) by the batch
    #    statistics (unbiased variance), as the float64 forward above moved them
    if net64.running_stats and chk.get("running_after"):
        rs = read_f32(os.path.join(folder, chk["running_after"]))
        mine = np.concatenate([np.concatenate([m.numpy(), v.numpy()]) for m, v in net64.bn_running])
        if rs.size != mine.size:
            table.fail(label, "running statistics: %d floats in jnas, %d here" % (rs.size, mine.size))
        else:
            e = rel_err(rs.astype(np.float64), mine)
            line += "; BN running stats %.1e" % e
            if e > TOL:
                table.fail(label, "running statistics: relative error %.3g" % e)
    # 3. the update rule: PyTorch's clip + Nesterov SGD (float32) applied to jnas's own
    #    gradients and weights must give jnas's weights after its training step (jnas's step
    #    recomputes the same gradients: deterministic at a fixed thread count)
    _, net, _, _ = load_case(folder)
    tr = Trainer(net, spec["hyper"])
    w_before = read_f32(os.path.join(folder, spec["weights"]), n)
    with torch.no_grad():
        for t in index:
            p = net.by_name[t["name"]]
            p.grad.copy_(torch.from_numpy(g_jnas[t["offset"]:t["offset"] + t["size"]].copy()).view_as(p))
    norm = clip_global_norm(tr.params, float("inf"))
    tr.update()
    w_jnas = read_f32(os.path.join(folder, chk["weights_after"]), n)
    for t in index:
        sl = slice(t["offset"], t["offset"] + t["size"])
        upd_jnas = (w_jnas[sl] - w_before[sl]).astype(np.float64)
        upd_torch = (net.by_name[t["name"]].detach().reshape(-1).numpy() - w_before[sl]).astype(np.float64)
        table.note(label, t["name"], "update", rel_err(upd_jnas, upd_torch))
    line += "; grad norm %.4g, clip %.4g; near-kinks %d ReLU, %d max pool" % (
        norm, spec["hyper"]["grad_clip"], kinks[0], kinks[1])
    print(line, flush=True)
    return kinks[0] + kinks[1]


def count_kinks(net, spec, images):
    """Near-kinks of one float64 forward (training mode, dropout and drop-path off)."""
    global KINKS
    chk = spec["check"]
    KINKS = [0, 0]
    try:
        with torch.no_grad():
            if spec["net"] == "supernet":
                net(images, chk.get("normal"), chk.get("reduce"), 1.0)
            else:
                net(images, 1.0, 1.0, 0.0)
        return KINKS[0] + KINKS[1]
    finally:
        KINKS = None


def cmd_pick(args):
    """For each case folder: keep its batch if its float64 forward has no near-kink, else draw
    seeded batches (standard normal images, uniform labels) until one has none (or keep the one
    with the fewest after --tries), and write it over images.f32 / labels.i32."""
    cases = sorted(d for d in os.listdir(args.dir) if d.startswith("case"))
    for ci, c in enumerate(cases):
        folder = os.path.join(args.dir, c)
        torch.set_default_dtype(torch.float64)
        try:
            spec, net, images, labels = load_case(folder)
        finally:
            torch.set_default_dtype(torch.float32)
        set_threads(spec["threads"])
        net.train()
        B, C, H, W = spec["images_shape"]
        classes = spec["config"]["classes"]
        best = (count_kinks(net, spec, images), 0, None, None)
        t = 1
        while best[0] > 0 and t < args.tries:
            rng = np.random.default_rng([args.seed, ci, t])
            im = rng.standard_normal((B, C, H, W), dtype=np.float32)
            lab = rng.integers(0, classes, B, dtype=np.int32)
            k = count_kinks(net, spec, torch.from_numpy(im).double())
            if k < best[0]:
                best = (k, t, im, lab)
            t += 1
        if best[2] is not None:
            for name, arr in ((spec["images"], best[2]), (spec["labels"], best[3])):
                tmp = os.path.join(folder, "." + name + ".tmp")
                arr.astype("<f4" if arr.dtype == np.float32 else "<i4").tofile(tmp)
                os.replace(tmp, os.path.join(folder, name))
        print("%-16s batch draw %d of %d tried: %d near-kinks (ReLU inputs within %.0e of 0, max-pool gaps within %.0e,"
              " relative to the tensor's max)" % (spec["check"]["label"], best[1], t, best[0], KINK_TOL, KINK_TOL),
              flush=True)
    return 0


def cmd_check(args):
    """Exit status: 0 passed; 1 a difference in a case free of near-kinks; 3 differences only in
    cases with near-kinks (inconclusive: a float32 rounding may have crossed a kink; the driver
    then redraws the batch)."""
    cases = sorted(d for d in os.listdir(args.dir) if d.startswith("case"))
    if not cases:
        print("jnas_ref.py check: no case folders in " + args.dir, file=sys.stderr)
        return 2
    table, kinks = Table(), {}
    for c in cases:
        with open(os.path.join(args.dir, c, "spec.json")) as f:
            label = json.load(f)["check"]["label"]
        kinks[label] = check_case(os.path.join(args.dir, c), table)
    print()
    print("PyTorch %s, %d threads. Relative error = max|x - ref| / max|ref| per tensor, ref = the network in float64;"
          % (torch.__version__, torch.get_num_threads()))
    print("jnas: jnas's float32 gradient; torch32: PyTorch's float32 gradient (for scale, not checked); update: jnas's")
    print("training step against PyTorch's clip + Nesterov SGD on jnas's gradients. Tolerance %.0e." % TOL)
    print("%-24s %7s %7s %10s %10s %10s  %s" % ("tensor kind", "tensors", "nonzero", "jnas", "torch32", "update",
                                              "worst jnas gradient"))
    for k in sorted(table.kinds):
        e = table.kinds[k]
        print("%-24s %7d %7d %10.2e %10.2e %10.2e  %s" % (k, e["tensors"], e["nonzero"], e["jnas"], e["torch32"],
                                                          e["update"], e["worst"]))
    w = table.worst
    print("largest: jnas %.2e (%s); torch32 %.2e (%s); update %.2e (%s)"
          % (w["jnas"][0], w["jnas"][1], w["torch32"][0], w["torch32"][1], w["update"][0], w["update"][1]))
    if not table.fails:
        print("PASSED: %d cases; every loss, gradient, update and running statistic of jnas within %.0e"
              % (len(cases), TOL))
        return 0
    failed = sorted({label for label, _ in table.fails})
    first = "; ".join("%s %s" % f for f in table.fails[:4])
    if all(kinks[label] > 0 for label in failed):
        print("INCONCLUSIVE: %d comparisons over %.0e, all in cases with near-kinks (%s): a float32 evaluation"
              " can send a gradient element across a ReLU or max-pool kink there. First: %s"
              % (len(table.fails), TOL, ", ".join(failed), first))
        return 3
    print("FAILED: %d comparisons over %.0e (cases %s). First: %s" % (len(table.fails), TOL, ", ".join(failed), first))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="timed training steps of one round")
    r.add_argument("dir")
    r.add_argument("--round", type=int, default=0)
    c = sub.add_parser("check", help="compare losses, gradients and updates with jnas's")
    c.add_argument("dir")
    k = sub.add_parser("pick", help="give each check case a batch without near-kinks")
    k.add_argument("dir")
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--tries", type=int, default=100)
    args = ap.parse_args()
    if args.cmd == "run":
        cmd_run(args)
        return 0
    if args.cmd == "pick":
        return cmd_pick(args)
    return cmd_check(args)


if __name__ == "__main__":
    sys.exit(main())
