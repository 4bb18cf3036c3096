"""
safetensors without the `safetensors` package (Debian's python3-torch does not bring it): an 8-byte
little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}, "__metadata__": {…}}`,
then the raw little-endian data. seqloom's checkpoints (`model.safetensors`) are float32 with
PyTorch names and layouts, so they load into a generated module with `load_state_dict` as they are.
"""
from __future__ import annotations

import json
import os
import struct
from typing import Dict, Optional, Tuple

import numpy as np
import torch

_DTYPES = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16, 'I32': np.int32, 'I64': np.int64, 'U8': np.uint8}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


class SafetensorsError(ValueError):
    """A file that is not a well-formed safetensors file (names the file and what is wrong)."""


def read_safetensors(path: str) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """All tensors of a file (float ones as float32 CPU tensors) and its string metadata."""
    with open(path, 'rb') as f:
        blob = f.read()
    if len(blob) < 8:
        raise SafetensorsError(f'{path}: too short for a safetensors file ({len(blob)} bytes)')
    (size,) = struct.unpack('<Q', blob[:8])
    if 8 + size > len(blob):
        raise SafetensorsError(f'{path}: header of {size} bytes runs past the end of the file (truncated?)')
    try:
        header = json.loads(blob[8:8 + size].decode('utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f'{path}: unreadable header ({e})') from None
    meta = header.pop('__metadata__', None) or {}
    data = memoryview(blob)[8 + size:]
    tensors: Dict[str, torch.Tensor] = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info.get('dtype'))
        if dtype is None:
            raise SafetensorsError(f'{path}: tensor {name} has unsupported dtype {info.get("dtype")!r}')
        start, end = info['data_offsets']
        shape = [int(d) for d in info['shape']]
        count = int(np.prod(shape)) if shape else 1
        if end > len(data) or end - start != count * np.dtype(dtype).itemsize:
            raise SafetensorsError(f'{path}: tensor {name} does not fit the file (truncated?)')
        array = np.frombuffer(data[start:end], dtype=np.dtype(dtype).newbyteorder('<')).reshape(shape)
        tensors[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder('='), copy=True))
    return tensors, {str(k): str(v) for k, v in meta.items()}


def write_safetensors(path: str, tensors: Dict[str, torch.Tensor], metadata: Optional[Dict[str, str]] = None) -> None:
    """Writes tensors (contiguous CPU copies, little-endian) atomically: a temp file, then a rename."""
    header: Dict[str, object] = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        array = tensors[name].detach().to('cpu').contiguous().numpy()
        if array.dtype not in _NAMES:
            raise ValueError(f'cannot write tensor {name} of dtype {array.dtype}')
        raw = array.astype(array.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': _NAMES[array.dtype], 'shape': list(array.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
