"""
`torchrun … -m seqloom_torch.train CONFIG.json` — the torch engine of `seqloom train --engine torch`.

Each process takes its rows of every global batch (a contiguous share, src/train/prepared's batches in
their prepared order), runs the generated module's masked loss under DistributedDataParallel (gloo on
CPU, nccl on CUDA) and takes seqloom's optimizer step (optim.py). The loss each process
differentiates is its sum over valid tokens divided by the GLOBAL batch's valid-token count (known
from the batch itself, every process reads all of it) times the world size, so DDP's gradient
average is exactly the gradient of the global mean loss: N processes equal one.

Rank 0 talks to seqloom's CLI on stdout, one JSON object a line after `@seqloom `: `start`,
`epoch_start`, `batch` (the global batch's mean loss, gradient norm, tokens), `epoch_end` (with the
weights and optimizer state staged as safetensors for the CLI to commit as a checkpoint). The CLI
writes every file of the checkpoint folder and metrics.jsonl; this process writes only the staged
files. A user error is one `seqloom-torch: error: …` line on stderr and exit status 2.

CONFIG.json: module, vocab, task, prepared (folder), shards [{file, bytes}], vocab_sha256,
epochs, start_epoch, start_step, init_weights, init_optimizer (or null), optimizer {name, lr},
clip_norm, carry_state, seed, threads, device (auto | cpu | cuda), staging (folder).
"""
from __future__ import annotations

import json
import math
import os
import sys
import time
from datetime import timedelta
from typing import Any, Dict, Optional

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .data import Batch, LmBatch, Seq2SeqBatch, read_shard, rows_of
from .loader import UserError, build_model, report_error
from .optim import clip_scale, create_optimizer, global_norm
from .safetensors import read_safetensors, write_safetensors


class LossOf(nn.Module):
    """What DDP wraps: the generated module's loss on this process's rows, scaled for the global mean."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: Optional[Batch], scale: float, state: Any = None):
        if batch is None:                      # no rows here this step: a zero that touches every parameter
            return sum(p.sum() for p in self.model.parameters()) * 0.0, 0.0, state
        device = next(self.model.parameters()).device
        t = lambda a: torch.from_numpy(a).to(device)  # noqa: E731
        if isinstance(batch, Seq2SeqBatch):
            total, _ = self.model.loss(t(batch.src), t(batch.src_len), t(batch.tgt_in), t(batch.tgt_out), t(batch.tgt_len))
            return total * scale, total.detach(), None
        total, _, next_state = self.model.loss(t(batch.x), t(batch.y), state)
        return total * scale, total.detach(), next_state


def emit(event: Dict[str, Any]) -> None:
    sys.stdout.write('@seqloom ' + json.dumps(event, separators=(',', ':')) + '\n')
    sys.stdout.flush()


def detach_state(state: Any) -> Any:
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, tuple):
        return tuple(detach_state(s) for s in state)
    return type(state)(**{k: detach_state(v) for k, v in vars(state).items()})


def train(cfg: Dict[str, Any]) -> None:
    rank, world = int(os.environ.get('RANK', '0')), int(os.environ.get('WORLD_SIZE', '1'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    want = cfg.get('device', 'auto')
    cuda = torch.cuda.is_available() and want != 'cpu'
    if want == 'cuda' and not torch.cuda.is_available():
        raise UserError('--device cuda: this machine has no CUDA device PyTorch can use', 'use --device cpu (or auto)')
    device = torch.device(f'cuda:{local_rank}') if cuda else torch.device('cpu')
    if cuda:
        torch.cuda.set_device(device)
    torch.set_num_threads(int(cfg['threads']))
    backend = 'nccl' if cuda else 'gloo'
    distributed = world > 1 or 'MASTER_ADDR' in os.environ
    if distributed:
        dist.init_process_group(backend, timeout=timedelta(minutes=30))
    torch.manual_seed(int(cfg['seed']) * 1_000_003 + rank)      # dropout masks differ per process

    model = build_model(cfg['module'], cfg['vocab'], cfg['init_weights']).to(device)
    model.train()
    named = [(n, p) for n, p in model.named_parameters()]
    optimizer = create_optimizer(cfg['optimizer']['name'], named, float(cfg['optimizer']['lr']))
    if cfg.get('init_optimizer'):
        tensors, meta = read_safetensors(cfg['init_optimizer'])
        optimizer.load(tensors, meta)
    wrapped = LossOf(model)
    runner = DistributedDataParallel(wrapped, device_ids=[local_rank] if cuda else None) if distributed else wrapped
    params = [p for _, p in named]
    clip = cfg.get('clip_norm')
    if rank == 0:
        emit({'event': 'start', 'world_size': world, 'device': str(device), 'backend': backend if distributed else 'none',
              'threads': torch.get_num_threads(), 'torch': torch.__version__})
    step = int(cfg['start_step'])
    for epoch in range(int(cfg['start_epoch']) + 1, int(cfg['epochs']) + 1):
        shard = cfg['shards'][epoch - 1]
        batches = read_shard(os.path.join(cfg['prepared'], shard['file']), epoch, cfg['vocab_sha256'], int(shard['bytes']))
        if rank == 0:
            emit({'event': 'epoch_start', 'epoch': epoch, 'batches': len(batches)})
        t0 = time.perf_counter()
        state = None
        for index, batch in enumerate(batches, 1):
            step += 1
            count = batch.tokens                                    # the GLOBAL batch's valid tokens
            mine = rows_of(rank, world, batch.rows)
            local = batch.slice(mine.start, mine.stop) if len(mine) > 0 else None
            for p in params:
                p.grad = None
            scaled, total, state = runner(local, world / max(count, 1), state if cfg.get('carry_state') else None)
            scaled.backward()
            state = detach_state(state)
            loss_sum = total.reshape(1).to(device, torch.float32) if torch.is_tensor(total) else torch.zeros(1, device=device)
            if distributed:
                dist.all_reduce(loss_sum)
            norm = global_norm(params)
            loss = float(loss_sum[0]) / max(count, 1)
            if not math.isfinite(loss) or not math.isfinite(norm):
                what = f'the loss is {loss}' if not math.isfinite(loss) else f'the gradient norm is {norm} (loss {loss:.4f})'
                raise UserError(f'training diverged at step {step} (epoch {epoch}, batch {index}): {what}',
                                'lower the learning rate (train.optimizer.lr) or set train.clip_norm')
            optimizer.step(clip_scale(norm, clip))
            if rank == 0:
                emit({'event': 'batch', 'epoch': epoch, 'batch': index, 'batches': len(batches), 'step': step,
                      'loss': loss, 'grad_norm': norm, 'tokens': count,
                      'seconds': time.perf_counter() - t0})
        if rank == 0:
            staging = cfg['staging']
            weights = os.path.join(staging, f'weights-{epoch}.safetensors')
            write_safetensors(weights, {n: t for n, t in model.state_dict().items()}, {'format': 'pt'})
            tensors, meta = optimizer.state()
            opt_file = os.path.join(staging, f'optimizer-{epoch}.safetensors')
            write_safetensors(opt_file, tensors, meta)
            emit({'event': 'epoch_end', 'epoch': epoch, 'step': step, 'seconds': time.perf_counter() - t0,
                  'weights': weights, 'optimizer': opt_file})
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


def main() -> int:
    with open(sys.argv[1], 'r', encoding='utf-8') as f:
        cfg = json.load(f)
    try:
        train(cfg)
    except UserError as e:
        report_error(e)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
