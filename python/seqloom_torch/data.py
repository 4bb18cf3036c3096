"""
Reading `seqloom prepare`'s id shards (the layout of src/train/prepared/format.ts): a 64-byte header
(magic "SLB1", version, task, epoch, batch count, the vocabulary's sha256) and then every batch of
one epoch as little-endian int32, in training order. seqloom's CLI checks the whole folder before
training starts; these checks are a second line, naming the file.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import List, Union

import numpy as np

from .loader import UserError

HEADER_BYTES = 64
MAGIC = b'SLB1'
REDO = 'prepare it again: seqloom prepare SPEC --data <raw data> --out DIR --overwrite'


@dataclass
class Seq2SeqBatch:
    src: np.ndarray       # [B, T_src] int64
    src_len: np.ndarray   # [B]
    tgt_in: np.ndarray    # [B, T_tgt]
    tgt_out: np.ndarray   # [B, T_tgt]
    tgt_len: np.ndarray   # [B]

    @property
    def rows(self) -> int:
        return self.src.shape[0]

    @property
    def tokens(self) -> int:
        return int(self.tgt_len.sum())

    def slice(self, start: int, end: int) -> 'Seq2SeqBatch':
        return Seq2SeqBatch(self.src[start:end], self.src_len[start:end], self.tgt_in[start:end], self.tgt_out[start:end], self.tgt_len[start:end])


@dataclass
class LmBatch:
    x: np.ndarray  # [B, T] int64
    y: np.ndarray  # [B, T]

    @property
    def rows(self) -> int:
        return self.x.shape[0]

    @property
    def tokens(self) -> int:
        return int(self.y.size)

    def slice(self, start: int, end: int) -> 'LmBatch':
        return LmBatch(self.x[start:end], self.y[start:end])


Batch = Union[Seq2SeqBatch, LmBatch]


def read_shard(path: str, epoch: int, vocab_sha256: str, expected_bytes: int) -> List[Batch]:
    """One epoch's batches, every record checked against the file's size."""
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        blob = f.read()
    if len(blob) < HEADER_BYTES or blob[:4] != MAGIC:
        raise UserError(f'{path}: not a seqloom data shard' if len(blob) >= HEADER_BYTES else f'{path}: truncated: {size} of {expected_bytes} bytes', REDO)
    version, task, shard_epoch, count = struct.unpack('<iiii', blob[4:20])
    if blob[20:52].hex() != vocab_sha256:
        raise UserError(f'{path} was prepared with another vocabulary: shards of different prepare runs were mixed', REDO)
    if shard_epoch != epoch:
        raise UserError(f'{path} holds epoch {shard_epoch}, expected {epoch}', REDO)
    if size != expected_bytes:
        raise UserError(f'{path} is truncated: {size} of {expected_bytes} bytes' if size < expected_bytes else f'{path} is longer than written', REDO)
    words = np.frombuffer(blob, dtype='<i4', offset=HEADER_BYTES)
    at = 0

    def take(n: int) -> np.ndarray:
        nonlocal at
        if at + n > words.size:
            raise UserError(f'{path}: a batch runs past the end of the file', REDO)
        out = words[at:at + n].astype(np.int64)
        at += n
        return out

    batches: List[Batch] = []
    for _ in range(count):
        if task == 1:
            b, ts, tt = (int(v) for v in take(3))
            batches.append(Seq2SeqBatch(take(b * ts).reshape(b, ts), take(b), take(b * tt).reshape(b, tt), take(b * tt).reshape(b, tt), take(b)))
        else:
            b, t = (int(v) for v in take(2))
            batches.append(LmBatch(take(b * t).reshape(b, t), take(b * t).reshape(b, t)))
    if at != words.size:
        raise UserError(f'{path}: {4 * (words.size - at)} bytes follow the last batch', REDO)
    return batches


def rows_of(rank: int, world: int, rows: int) -> range:
    """The rows of a global batch that `rank` of `world` processes takes: contiguous, sizes differ by ≤ 1."""
    base, extra = divmod(rows, world)
    start = rank * base + min(rank, extra)
    return range(start, start + base + (1 if rank < extra else 0))
