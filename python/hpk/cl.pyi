# Type stubs of hpk.cl (the docstrings are the manual).
from typing import Any, Optional, Sequence, Union

import numpy.typing as npt

from . import Context as Context
from . import MCResult
from . import Profile as Profile

_DeviceVector = Union[Any, Vector]  # pyopencl.array.Array (1-D) or Vector
_DeviceMatrix = Union[Any, Matrix]  # pyopencl.array.Array (2-D) or Matrix

class Vector:
    buffer: Any
    n: int
    dtype: Any
    offset: int
    inc: int
    def __init__(self, buffer: Any, n: int, dtype: npt.DTypeLike, offset: int = 0, inc: int = 1) -> None: ...

class Matrix:
    buffer: Any
    shape: tuple[int, int]
    dtype: Any
    offset: int
    ld: int
    order: str
    def __init__(
        self, buffer: Any, shape: tuple[int, int], dtype: npt.DTypeLike, offset: int = 0,
        ld: Optional[int] = None, order: str = "C",
    ) -> None: ...

def gemv(
    a: _DeviceMatrix,
    x: _DeviceVector,
    y: Optional[_DeviceVector] = None,
    *,
    alpha: float = 1.0,
    beta: float = 0.0,
    trans: bool = False,
    ctx: Context,
) -> _DeviceVector: ...
def sum(x: _DeviceVector, ctx: Context) -> float: ...
def asum(x: _DeviceVector, ctx: Context) -> float: ...
def nrm2(x: _DeviceVector, ctx: Context) -> float: ...
def dot(x: _DeviceVector, y: _DeviceVector, ctx: Context) -> float: ...
def iamax(x: _DeviceVector, ctx: Context) -> int: ...
def mc_integrate(
    source: str,
    lower: Sequence[float],
    upper: Sequence[float],
    samples: int,
    seed: int = 0,
    *,
    ctx: Context,
) -> MCResult: ...
