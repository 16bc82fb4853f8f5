# Type stubs of hpk.mpi (the docstrings are the manual).
import ctypes
from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

from . import Context, MCResult, _Array

class Times(NamedTuple):
    total_s: float
    compute_s: float
    comm_s: float

def block_range(n: int, comm: Any = None) -> tuple[int, int]: ...
def gemv(
    a: _Array,
    x: _Array,
    y: Optional[_Array] = None,
    *,
    alpha: float = 1.0,
    beta: float = 0.0,
    trans: bool = False,
    gathered: bool = False,
    comm: Any = None,
    ctx: Optional[Context] = None,
) -> _Array: ...
def sum(x: _Array, comm: Any = None, ctx: Optional[Context] = None) -> float: ...
def asum(x: _Array, comm: Any = None, ctx: Optional[Context] = None) -> float: ...
def nrm2(x: _Array, comm: Any = None, ctx: Optional[Context] = None) -> float: ...
def dot(x: _Array, y: _Array, comm: Any = None, ctx: Optional[Context] = None) -> float: ...
def iamax(x: _Array, comm: Any = None, ctx: Optional[Context] = None) -> int: ...
def mc_pi(samples: int, seed: int = 0, comm: Any = None, ctx: Optional[Context] = None) -> MCResult: ...
def mc_integrate(
    f: Union[Callable[[tuple[float, ...]], float], ctypes._CFuncPtr, int],
    lower: Sequence[float],
    upper: Sequence[float],
    samples: int,
    seed: int = 0,
    *,
    ctx: Optional[Context] = None,
    comm: Any = None,
    user_data: Union[None, int, ctypes._CData] = None,
) -> MCResult: ...
def last_times() -> Times: ...
