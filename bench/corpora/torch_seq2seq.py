#!/usr/bin/env python3
"""The PyTorch side of bench/corpora/real-result.ts: the same encoder-decoder (GRU with the context
vector, or GRU with Bahdanau attention, d2l-style) on the same encoded data (ids exported by the
TypeScript side with seqloom's own vocabularies, BPE included), with the same batching (a seeded
shuffle sorted by target then source length, filled up to a budget of padded tokens, batches
shuffled), loss (masked cross-entropy per valid token), Adam, global-norm clipping, lr warmup and
reduce-on-plateau, validation as seqloom's (loss over the held-out split, BLEU of `bleu_sentences`
greedy translations spread over it, the best weights by `keep_best`, a last look where the budget
stops) and the same wall budget; then greedy decoding of the test sources with the best weights.

    python3 bench/corpora/torch_seq2seq.py --data WORK/torch-data.json --out WORK/torch-result.json \
        [--minutes 20] [--threads 1] [--probe-steps 0]

--probe-steps N trains N steps and prints tokens/s only (the driver picks the fastest thread
setting of torch × OPENBLAS_NUM_THREADS with it). Reads int32 little-endian arrays named in the
manifest; writes {"steps", "epochs", "best_step", "best_value", "tokens_per_second",
"test_hyps": [[ids]], ...} as JSON.
"""
import argparse
import copy
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def read_split(manifest, name, folder):
    split = manifest['splits'][name]
    def arr(key):
        return np.fromfile(os.path.join(folder, split[key]), dtype='<i4')
    out = {'count': split['count'], 'src_off': arr('src_off'), 'src': arr('src')}
    if 'tgt' in split:
        out['tgt_off'], out['tgt'] = arr('tgt_off'), arr('tgt')
    return out


def blas_library():
    """The BLAS this process loaded (checked after a product): the bench must run on OpenBLAS."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open('/proc/self/maps') as f:
        libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
    return sorted(os.path.basename(x) for x in libs)


def lengths(off):
    return off[1:] - off[:-1]


class Seq2Seq(nn.Module):
    def __init__(self, vs, vt, embed, hidden, layers, dropout, attention, attn_hidden):
        super().__init__()
        self.attention = attention
        self.src_emb = nn.Embedding(vs, embed)
        self.encoder = nn.GRU(embed, hidden, layers, dropout=dropout, batch_first=True)
        self.tgt_emb = nn.Embedding(vt, embed)
        if attention:
            self.W_q = nn.Linear(hidden, attn_hidden, bias=False)
            self.W_k = nn.Linear(hidden, attn_hidden, bias=False)
            self.w_v = nn.Linear(attn_hidden, 1, bias=False)
        self.decoder = nn.GRU(embed + hidden, hidden, layers, dropout=dropout, batch_first=True)
        self.dense = nn.Linear(hidden, vt)

    def encode(self, src, src_len):
        packed = pack_padded_sequence(self.src_emb(src), src_len, batch_first=True, enforce_sorted=False)
        out, state = self.encoder(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        mask = torch.arange(src.shape[1])[None, :] < src_len[:, None]
        keys = self.W_k(out) if self.attention else None
        return out, state, mask, keys

    def step(self, enc, tokens, state):
        """One decoder step for [B] tokens: logits [B, V] and the new state."""
        out, _, mask, keys = enc
        emb = self.tgt_emb(tokens)
        if self.attention:
            scores = self.w_v(torch.tanh(keys + self.W_q(state[-1]).unsqueeze(1))).squeeze(2)
            weights = torch.softmax(scores.masked_fill(~mask, -1e6), dim=1)
            context = torch.bmm(weights.unsqueeze(1), out).squeeze(1)
            x = torch.cat([context, emb], 1)
        else:
            x = torch.cat([emb, self.context], 1)
        o, state = self.decoder(x.unsqueeze(1), state)
        return self.dense(o.squeeze(1)), state

    def forward(self, src, src_len, tgt_in):
        enc = self.encode(src, src_len)
        state = enc[1]
        if not self.attention:
            context = state[-1].unsqueeze(1).expand(-1, tgt_in.shape[1], -1)
            out, _ = self.decoder(torch.cat([self.tgt_emb(tgt_in), context], 2), state)
            return self.dense(out)
        logits = []
        for t in range(tgt_in.shape[1]):
            step_logits, state = self.step(enc, tgt_in[:, t], state)
            logits.append(step_logits)
        return torch.stack(logits, 1)

    @torch.no_grad()
    def greedy(self, src, src_len, max_len, bos, eos):
        enc = self.encode(src, src_len)
        state = enc[1]
        if not self.attention:
            self.context = state[-1]
        tokens = torch.full((src.shape[0],), bos, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out = []
        for _ in range(max_len):
            logits, state = self.step(enc, tokens, state)
            logits[:, 0] = -1e9  # <pad> and <bos> are never generated
            logits[:, bos] = -1e9
            tokens = logits.argmax(1)
            out.append(tokens)
            done = done | (tokens == eos)
            if bool(done.all()):
                break
        rows = torch.stack(out, 1).tolist()
        return [r[: r.index(eos) + 1] if eos in r else r for r in rows]


def pad(rows, pad_id=0):
    width = max(1, max(len(r) for r in rows))
    return torch.tensor([list(r) + [pad_id] * (width - len(r)) for r in rows], dtype=torch.long)


def batch_plan(src_len, tgt_len, budget, rng):
    """Shuffle, stable sort by (target, source) length, fill up to `budget` padded tokens, shuffle batches."""
    order = rng.permutation(len(src_len))
    order = order[np.lexsort((src_len[order], tgt_len[order]))]
    batches, start, longest = [], 0, 0
    for k, i in enumerate(order):
        width = max(longest, src_len[i], tgt_len[i])
        if k > start and (k - start + 1) * width > budget:
            batches.append(order[start:k])
            start, longest = k, max(src_len[i], tgt_len[i])
        else:
            longest = width
    batches.append(order[start:])
    rng.shuffle(batches)
    return batches


class Data:
    def __init__(self, split, bos):
        self.count = split['count']
        so, to = split['src_off'], split['tgt_off']
        self.src = [split['src'][so[i]:so[i + 1]] for i in range(self.count)]
        self.tgt = [split['tgt'][to[i]:to[i + 1]] for i in range(self.count)]
        self.src_len, self.tgt_len = lengths(so), lengths(to)
        self.bos = bos

    def tensors(self, rows):
        src = pad([self.src[i] for i in rows])
        tgt = pad([self.tgt[i] for i in rows])
        tgt_in = torch.cat([torch.full((len(rows), 1), self.bos, dtype=torch.long), tgt[:, :-1]], 1)
        return src, torch.tensor(self.src_len[rows], dtype=torch.long), tgt_in, tgt, torch.tensor(self.tgt_len[rows], dtype=torch.long)


def masked_loss(logits, tgt, tgt_len):
    mask = torch.arange(tgt.shape[1])[None, :] < tgt_len[:, None]
    ce = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), reduction='none').reshape(tgt.shape)
    return (ce * mask).sum(), int(mask.sum())


def ngram_counts(words, n):
    counts = {}
    for i in range(len(words) - n + 1):
        g = tuple(words[i:i + n])
        counts[g] = counts.get(g, 0) + 1
    return counts


def corpus_bleu(hyps, refs, max_n=4):
    """seqloom's corpus BLEU (src/runtime/metrics/corpus-bleu.ts: sacreBLEU's, exp smoothing), for
    choosing the best weights; the reported test BLEU is computed by seqloom itself."""
    matches, totals = [0] * max_n, [0] * max_n
    sys_len = ref_len = 0
    for h, r in zip(hyps, refs):
        sys_len, ref_len = sys_len + len(h), ref_len + len(r)
        for n in range(1, max_n + 1):
            hc, rc = ngram_counts(h, n), ngram_counts(r, n)
            matches[n - 1] += sum(min(c, rc.get(g, 0)) for g, c in hc.items())
            totals[n - 1] += max(0, len(h) - n + 1)
    if sum(matches) == 0:
        return 0.0
    bp = 1.0 if sys_len >= ref_len else (math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0)
    precisions, smooth = [0.0] * max_n, 1.0
    for n in range(max_n):
        if totals[n] == 0:
            break
        if matches[n] == 0:
            smooth *= 2
            precisions[n] = 100 / (smooth * totals[n])
        else:
            precisions[n] = 100 * matches[n] / totals[n]
    return bp * math.exp(sum(math.log(p) if p > 0 else -9999999999 for p in precisions) / max_n)


def to_words(ids, manifest):
    """Generated ids to words, as seqloom's Vocab.decodeWords: stop at <eos>, drop <pad>/<bos>, join subwords."""
    tokens = []
    for i in ids:
        if i == manifest['eos']:
            break
        if i in (manifest['pad'], manifest['bos']):
            continue
        tokens.append(manifest['tgt_tokens'][i])
    if not manifest['tgt_subwords']:
        return tokens
    words, pending = [], ''
    for t in tokens:
        if t.endswith('@@'):
            pending += t[:-2]
        else:
            words.append(pending + t)
            pending = ''
    if pending:
        words.append(pending)
    return words


def spread(n, count):
    """seqloom's spreadIndices: `count` indices spread evenly over 0..n-1."""
    return list(range(n)) if count >= n else [i * n // count for i in range(count)]


def greedy_all(model, srcs, manifest):
    """Greedy hypotheses (ids) for source rows, decoded in chunks of similar length."""
    hyps = [None] * len(srcs)
    order = sorted(range(len(srcs)), key=lambda i: len(srcs[i]))
    for k in range(0, len(order), 256):
        rows = order[k:k + 256]
        out = model.greedy(pad([srcs[i] for i in rows]), torch.tensor([len(srcs[i]) for i in rows]), manifest['max_len'], manifest['bos'], manifest['eos'])
        for i, h in zip(rows, out):
            hyps[i] = h
    return hyps


@torch.no_grad()
def validation_bleu(model, data, refs, count, manifest):
    model.eval()
    rows = spread(data.count, count)
    hyps = greedy_all(model, [data.src[i] for i in rows], manifest)
    model.train()
    return corpus_bleu([to_words(h, manifest) for h in hyps], [refs[i] for i in rows])


@torch.no_grad()
def validation_loss(model, data):
    model.eval()
    order = np.lexsort((data.src_len, data.tgt_len))
    total, count = 0.0, 0
    for k in range(0, len(order), 64):
        src, src_len, tgt_in, tgt, tgt_len = data.tensors(order[k:k + 64])
        s, n = masked_loss(model(src, src_len, tgt_in), tgt, tgt_len)
        total, count = total + float(s), count + n
    model.train()
    return total / max(count, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--out')
    p.add_argument('--minutes', type=float, default=20)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--probe-steps', type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    manifest = json.load(open(args.data))
    folder = os.path.dirname(os.path.abspath(args.data))
    m, t = manifest['model'], manifest['settings']
    torch.manual_seed(t['seed'])
    rng = np.random.RandomState(t['seed'])
    bos, eos = manifest['bos'], manifest['eos']
    train, valid = Data(read_split(manifest, 'train', folder), bos), Data(read_split(manifest, 'valid', folder), bos)
    model = Seq2Seq(manifest['src_vocab'], manifest['tgt_vocab'], m['embed'], m['hidden'], m['layers'], m['dropout'], m['attention'], m['attn_hidden'])
    opt = torch.optim.Adam(model.parameters(), lr=t['lr'])
    with open(os.path.join(folder, manifest['valid_refs']), encoding='utf-8') as f:
        refs = [line.rstrip('\n').split(' ') if line.strip() else [] for line in f]
    keep = t['keep_best'] or 'loss'
    plateau = t.get('plateau')
    base_lr, scale, stall = t['lr'], 1.0, 0
    best = {'bleu': (-math.inf, 0), 'loss': (math.inf, 0)}
    best_weights = None
    every = t['validate_every']

    def validate(final):
        """One validation as seqloom's: loss over all, BLEU of bleu_sentences spread sentences; the
        best weights by keep_best's metric; the plateau rule (not on the last look at the budget's end)."""
        nonlocal scale, stall, best_weights
        loss = validation_loss(model, valid)
        bleu = validation_bleu(model, valid, refs, t['bleu_sentences'], manifest) if t['bleu_sentences'] > 0 else None
        improved = []
        if loss < best['loss'][0]:
            best['loss'] = (loss, step)
            improved.append('loss')
        if bleu is not None and bleu > best['bleu'][0]:
            best['bleu'] = (bleu, step)
            improved.append('bleu')
        if keep in improved:
            best_weights = copy.deepcopy(model.state_dict())
        if plateau and not final:
            stall = 0 if plateau['metric'] in improved else stall + 1
            if stall >= plateau['patience'] and base_lr * scale > plateau['min_lr']:
                scale, stall = scale * plateau['factor'], 0
        print(json.dumps({'step': step, 'epoch': epoch - 1 + (b + 1) / len(batches), 'valid_loss': loss, 'valid_bleu': bleu,
                          'seconds': time.perf_counter() - started, 'final': final}), flush=True)

    started = time.perf_counter()
    budget = args.minutes * 60
    step, epoch, tokens, stop, validated_at = 0, 0, 0, False, -1
    while not stop:
        epoch += 1
        batches = batch_plan(train.src_len, train.tgt_len, t['batch_tokens'], rng)
        for b, rows in enumerate(batches):
            warm = min(1.0, (step + 1) / t['warmup_steps']) if t['warmup_steps'] > 0 else 1.0
            lr = base_lr * scale * warm
            for g in opt.param_groups:
                g['lr'] = max(lr, plateau['min_lr']) if plateau and scale < 1 else lr
            src, src_len, tgt_in, tgt, tgt_len = train.tensors(rows)
            opt.zero_grad()
            s, n = masked_loss(model(src, src_len, tgt_in), tgt, tgt_len)
            (s / n).backward()
            nn.utils.clip_grad_norm_(model.parameters(), t['clip_norm'])
            opt.step()
            step, tokens = step + 1, tokens + n
            if args.probe_steps and step >= args.probe_steps:
                print(json.dumps({'tokens_per_second': tokens / (time.perf_counter() - started), 'threads': args.threads,
                                  'openblas': os.environ.get('OPENBLAS_NUM_THREADS'), 'blas': blas_library()}), flush=True)
                return
            last = b + 1 == len(batches)
            if (every == 'epoch' and last) or (isinstance(every, int) and step % every == 0):
                validate(False)
                validated_at = step
            if time.perf_counter() - started >= budget:
                if every != 'none' and validated_at != step:
                    validate(True)  # as seqloom: a last look where the budget stops
                stop = True
                break
    seconds = time.perf_counter() - started
    if best_weights is not None:  # as seqloom's bench: the best validated weights (best/)
        model.load_state_dict(best_weights)
    model.eval()
    test = read_split(manifest, 'test', folder)
    so = test['src_off']
    hyps = greedy_all(model, [test['src'][so[i]:so[i + 1]] for i in range(test['count'])], manifest)
    result = {'steps': step, 'epochs': epoch - 1 + (b + 1) / len(batches), 'batches_per_epoch': len(batches), 'train_seconds': seconds,
              'tokens_per_second': tokens / seconds, 'keep_best': keep, 'best_step': best[keep][1], 'best_value': best[keep][0] if best[keep][1] > 0 else None,
              'threads': args.threads, 'openblas': os.environ.get('OPENBLAS_NUM_THREADS'), 'blas': blas_library(), 'torch': torch.__version__,
              'test_hyps': hyps}
    with open(args.out, 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    main()
