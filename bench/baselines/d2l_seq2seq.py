#!/usr/bin/env python3
"""The PyTorch side of the benchmark: d2l 0.17's seq2seq (ch. 9.7 "Sequence to Sequence Learning"),
written out here so the benchmark needs no d2l package: preprocess_nmt, tokenize_nmt, Vocab,
build_array_nmt, Seq2SeqEncoder/Seq2SeqDecoder (GRU), EncoderDecoder, sequence_mask,
MaskedSoftmaxCELoss, grad_clipping, and train_seq2seq's loop (xavier init, Adam, clip 1).

It runs as a worker so the benchmark can interleave it with seqloom: after loading the data and
building the model it prints one JSON line ({"ready": ...}), then reads commands from stdin:
  train K   run K more epochs; prints {"epochs": K, "seconds": wall, "loss": last epoch's loss/token}
  quit      exit
Usage: d2l_seq2seq.py --data fra.txt --pairs 600 --threads 1 [--seed 0]

One deliberate difference: d2l's tokenize_nmt stops at `i > num_examples`, so num_examples=600
yields 601 pairs; here exactly --pairs pairs are read, the same 600 seqloom trains on.

Two more ways to run it:
  --epochs E          the whole command as a user runs it: load, train E epochs, print one JSON line, exit
  --batches FILE      train on the batches seqloom wrote (bench/torch-side.ts: the very same token ids),
                      with the model the flags describe: --model seq2seq|attention (d2l 10.4's
                      Seq2SeqAttentionDecoder, Bahdanau), --cell gru|lstm, --embed, --hidden, --layers,
                      --src-vocab, --tgt-vocab. Command: steps N -> {"steps", "seconds", "tokens"}
The ready line names the BLAS library torch's products run on (the file mapped into this process
after a product, symlinks resolved), so the benchmark can refuse a ratio against the reference BLAS.
"""
import argparse
import collections
import json
import os
import sys
import time

import torch
from torch import nn
from torch.utils import data


# ---- data (d2l.read_data_nmt … d2l.load_data_nmt) ------------------------------------------

def preprocess_nmt(text):
    def no_space(char, prev_char):
        return char in set(',.!?') and prev_char != ' '
    text = text.replace('\u202f', ' ').replace('\xa0', ' ').lower()
    out = [' ' + char if i > 0 and no_space(char, text[i - 1]) else char for i, char in enumerate(text)]
    return ''.join(out)


def tokenize_nmt(text, num_examples):
    source, target = [], []
    for i, line in enumerate(text.split('\n')):
        if i >= num_examples:
            break
        parts = line.split('\t')
        if len(parts) == 2:
            source.append(parts[0].split(' '))
            target.append(parts[1].split(' '))
    return source, target


def count_corpus(tokens):
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [token for line in tokens for token in line]
    return collections.Counter(tokens)


class Vocab:
    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        tokens = tokens or []
        reserved_tokens = reserved_tokens or []
        counter = count_corpus(tokens)
        self._token_freqs = sorted(counter.items(), key=lambda x: x[1], reverse=True)
        self.idx_to_token = ['<unk>'] + reserved_tokens
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, 0)
        return [self.__getitem__(token) for token in tokens]


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


def build_array_nmt(lines, vocab, num_steps):
    lines = [vocab[l] for l in lines]
    lines = [l + [vocab['<eos>']] for l in lines]
    array = torch.tensor([truncate_pad(l, num_steps, vocab['<pad>']) for l in lines])
    valid_len = (array != vocab['<pad>']).type(torch.int32).sum(1)
    return array, valid_len


def load_data_nmt(path, batch_size, num_steps, num_examples):
    with open(path, 'r', encoding='utf-8') as f:
        # Only the lines used are preprocessed (d2l preprocesses the whole file; same result).
        head = '\n'.join(f.read().split('\n')[:num_examples])
    source, target = tokenize_nmt(preprocess_nmt(head), num_examples)
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=['<pad>', '<bos>', '<eos>'])
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    dataset = data.TensorDataset(src_array, src_valid_len, tgt_array, tgt_valid_len)
    return data.DataLoader(dataset, batch_size, shuffle=True), src_vocab, tgt_vocab


# ---- model (d2l 9.7) ------------------------------------------------------------------------

class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, cell='gru'):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = make_rnn(cell, embed_size, num_hiddens, num_layers, dropout)

    def forward(self, X, *args):
        X = self.embedding(X)
        X = X.permute(1, 0, 2)
        output, state = self.rnn(X)
        return output, state


def make_rnn(cell, input_size, num_hiddens, num_layers, dropout):
    return (nn.LSTM if cell == 'lstm' else nn.GRU)(input_size, num_hiddens, num_layers, dropout=dropout)


def top_h(state):
    """The top layer's h (an LSTM's state is (h, c))."""
    return (state[0] if isinstance(state, tuple) else state)[-1]


class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, cell='gru'):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = make_rnn(cell, embed_size + num_hiddens, num_hiddens, num_layers, dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = top_h(state).repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        output = self.dense(output).permute(1, 0, 2)
        return output, state


# ---- Bahdanau attention (d2l 10.3 masked_softmax, AdditiveAttention; 10.4 Seq2SeqAttentionDecoder) --

def masked_softmax(X, valid_lens):
    shape = X.shape
    valid_lens = torch.repeat_interleave(valid_lens, shape[1]) if valid_lens.dim() == 1 else valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)


class AdditiveAttention(nn.Module):
    def __init__(self, key_size, query_size, num_hiddens, dropout):
        super().__init__()
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens):
        queries, keys = self.W_q(queries), self.W_k(keys)
        features = torch.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class Seq2SeqAttentionDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, cell='gru'):
        super().__init__()
        self.attention = AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, enc_valid_lens, *args):
        outputs, hidden_state = enc_outputs
        return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

    def forward(self, X, state):
        enc_outputs, hidden_state, enc_valid_lens = state
        X = self.embedding(X).permute(1, 0, 2)
        outputs = []
        for x in X:
            query = torch.unsqueeze(hidden_state[-1], dim=1)
            context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
            x = torch.cat((context, torch.unsqueeze(x, dim=1)), dim=-1)
            out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
            outputs.append(out)
        outputs = self.dense(torch.cat(outputs, dim=0))
        return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]


class EncoderDecoder(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = torch.ones_like(label)
        weights = sequence_mask(weights, valid_len)
        self.reduction = 'none'
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        weighted_loss = (unweighted_loss * weights).mean(dim=1)
        return weighted_loss


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


def xavier_init_weights(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)
    if type(m) in (nn.GRU, nn.LSTM):
        for param in m._flat_weights_names:
            if "weight" in param:
                nn.init.xavier_uniform_(m._parameters[param])


class Trainer:
    """train_seq2seq, cut into calls of K epochs."""

    def __init__(self, net, data_iter, lr, tgt_vocab):
        net.apply(xavier_init_weights)
        self.net, self.data_iter, self.tgt_vocab = net, data_iter, tgt_vocab
        self.optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        self.loss = MaskedSoftmaxCELoss()
        net.train()

    def epochs(self, count):
        net, loss, optimizer = self.net, self.loss, self.optimizer
        last = float('nan')
        for _ in range(count):
            total, tokens = 0.0, 0.0
            for batch in self.data_iter:
                X, X_valid_len, Y, Y_valid_len = batch
                bos = torch.tensor([self.tgt_vocab['<bos>']] * Y.shape[0]).reshape(-1, 1)
                dec_input = torch.cat([bos, Y[:, :-1]], 1)
                l = self.step(X, X_valid_len, dec_input, Y, Y_valid_len)
                total += l
                tokens += float(Y_valid_len.sum())
            last = total / tokens
        return last

    def step(self, X, X_valid_len, dec_input, Y, Y_valid_len):
        """One training step of train_seq2seq; returns the summed loss."""
        net, optimizer = self.net, self.optimizer
        optimizer.zero_grad()
        Y_hat, _ = net(X, dec_input, X_valid_len)
        l = self.loss(Y_hat, Y, Y_valid_len)
        l.sum().backward()
        grad_clipping(net, 1)
        optimizer.step()
        with torch.no_grad():
            return float(l.sum())


# ---- which BLAS runs torch's products -----------------------------------------------------

def blas_in_use():
    """The BLAS files mapped into this process after a product (resolved), and the family they are."""
    a = torch.ones(64, 64)
    (a @ a).sum().item()
    files = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ''
            name = os.path.basename(path)
            if any(k in name for k in ('blas', 'mkl', 'blis')):
                files.add(os.path.realpath(path))
    files = sorted(files)
    joined = ' '.join(files).lower()
    if 'openblas' in joined:
        kind = 'openblas'
    elif 'mkl' in joined:
        kind = 'mkl'
    elif 'blis' in joined:
        kind = 'blis'
    elif files:
        kind = 'reference'          # Debian's libblas3 (/usr/lib/<arch>/blas/libblas.so.3)
    else:
        kind = 'unknown'
    return {'blas': kind, 'blas_files': files, 'openblas_threads': os.environ.get('OPENBLAS_NUM_THREADS')}


# ---- training on seqloom's batches ----------------------------------------------------------

def load_batches(path):
    with open(path) as f:
        doc = json.load(f)
    out = []
    for b in doc['batches']:
        n, ts, tt = b['batch'], b['srcT'], b['tgtT']
        out.append((torch.tensor(b['src'], dtype=torch.long).reshape(n, ts),
                    torch.tensor(b['srcLen'], dtype=torch.long),
                    torch.tensor(b['tgtIn'], dtype=torch.long).reshape(n, tt),
                    torch.tensor(b['tgtOut'], dtype=torch.long).reshape(n, tt),
                    torch.tensor(b['tgtLen'], dtype=torch.long)))
    return out


def batches_worker(args):
    batches = load_batches(args.batches)
    dec_class = Seq2SeqAttentionDecoder if args.model == 'attention' else Seq2SeqDecoder
    encoder = Seq2SeqEncoder(args.src_vocab, args.embed, args.hidden, args.layers, args.dropout, args.cell)
    decoder = dec_class(args.tgt_vocab, args.embed, args.hidden, args.layers, args.dropout, args.cell)
    trainer = Trainer(EncoderDecoder(encoder, decoder), None, args.lr, None)
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'batches': len(batches), **blas_in_use()}), flush=True)
    done = 0
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        if cmd[0] == 'steps':
            k = int(cmd[1])
            tokens = 0
            t0 = time.perf_counter()
            for _ in range(k):
                X, X_valid_len, dec_input, Y, Y_valid_len = batches[done % len(batches)]
                trainer.step(X, X_valid_len, dec_input, Y, Y_valid_len)
                tokens += int(Y_valid_len.sum())
                done += 1
            print(json.dumps({'steps': k, 'seconds': time.perf_counter() - t0, 'tokens': tokens}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data')
    p.add_argument('--pairs', type=int, default=600)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--epochs', type=int, default=0, help='train this many epochs, print one line, exit')
    p.add_argument('--batches', help="seqloom's batches (JSON) to train on")
    p.add_argument('--model', choices=['seq2seq', 'attention'], default='seq2seq')
    p.add_argument('--cell', choices=['gru', 'lstm'], default='gru')
    p.add_argument('--embed', type=int, default=32)
    p.add_argument('--hidden', type=int, default=32)
    p.add_argument('--layers', type=int, default=2)
    p.add_argument('--dropout', type=float, default=0.1)
    p.add_argument('--lr', type=float, default=0.005)
    p.add_argument('--src-vocab', type=int, default=0)
    p.add_argument('--tgt-vocab', type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.batches:
        batches_worker(args)
        return
    if not args.data:
        p.error('--data is needed (or --batches)')
    embed_size, num_hiddens, num_layers, dropout = 32, 32, 2, 0.1
    batch_size, num_steps, lr = 64, 10, 0.005
    data_iter, src_vocab, tgt_vocab = load_data_nmt(args.data, batch_size, num_steps, args.pairs)
    encoder = Seq2SeqEncoder(len(src_vocab), embed_size, num_hiddens, num_layers, dropout)
    decoder = Seq2SeqDecoder(len(tgt_vocab), embed_size, num_hiddens, num_layers, dropout)
    trainer = Trainer(EncoderDecoder(encoder, decoder), data_iter, lr, tgt_vocab)
    if args.epochs > 0:
        last = trainer.epochs(args.epochs)
        print(json.dumps({'epochs': args.epochs, 'loss': last, **blas_in_use()}), flush=True)
        return
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'src_vocab': len(src_vocab), 'tgt_vocab': len(tgt_vocab), **blas_in_use()}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == 'quit':
            break
        if cmd[0] == 'train':
            k = int(cmd[1])
            t0 = time.perf_counter()
            last = trainer.epochs(k)
            print(json.dumps({'epochs': k, 'seconds': time.perf_counter() - t0, 'loss': last}), flush=True)


if __name__ == '__main__':
    main()
