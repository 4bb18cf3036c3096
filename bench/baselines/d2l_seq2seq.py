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
"""
import argparse
import collections
import json
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
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X)
        X = X.permute(1, 0, 2)
        output, state = self.rnn(X)
        return output, state


class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = state[-1].repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        output = self.dense(output).permute(1, 0, 2)
        return output, state


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
    if type(m) == nn.GRU:
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
                optimizer.zero_grad()
                X, X_valid_len, Y, Y_valid_len = batch
                bos = torch.tensor([self.tgt_vocab['<bos>']] * Y.shape[0]).reshape(-1, 1)
                dec_input = torch.cat([bos, Y[:, :-1]], 1)
                Y_hat, _ = net(X, dec_input, X_valid_len)
                l = loss(Y_hat, Y, Y_valid_len)
                l.sum().backward()
                grad_clipping(net, 1)
                num_tokens = Y_valid_len.sum()
                optimizer.step()
                with torch.no_grad():
                    total += float(l.sum())
                    tokens += float(num_tokens)
            last = total / tokens
        return last


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', required=True)
    p.add_argument('--pairs', type=int, default=600)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    embed_size, num_hiddens, num_layers, dropout = 32, 32, 2, 0.1
    batch_size, num_steps, lr = 64, 10, 0.005
    data_iter, src_vocab, tgt_vocab = load_data_nmt(args.data, batch_size, num_steps, args.pairs)
    encoder = Seq2SeqEncoder(len(src_vocab), embed_size, num_hiddens, num_layers, dropout)
    decoder = Seq2SeqDecoder(len(tgt_vocab), embed_size, num_hiddens, num_layers, dropout)
    trainer = Trainer(EncoderDecoder(encoder, decoder), data_iter, lr, tgt_vocab)
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                      'src_vocab': len(src_vocab), 'tgt_vocab': len(tgt_vocab)}), flush=True)
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
