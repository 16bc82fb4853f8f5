"""Verify mode from Python: hpk.Context(verify=True) and the verify
property, results and the profile's verify_s, hpk.MismatchError.  (A device
fault itself is injected and caught in the C tests, tests/test_cl_verify.c,
through the library's internal test hook.)"""
import numpy as np
import pytest

import hpk

from conftest import strided


def test_mismatch_error_class():
    assert issubclass(hpk.MismatchError, hpk.Error) and issubclass(hpk.MismatchError, RuntimeError)
    assert hpk.MismatchError.status == -7
    with pytest.raises(hpk.MismatchError) as info:
        hpk._hpk._raise_status(-7, "hpk_ddot: device and CPU differ at the result: device 0x1, CPU 0x2")
    assert info.value.status == -7 and "device and CPU differ" in str(info.value)
    with pytest.raises(hpk.MismatchError) as info:
        hpk._hpk._raise_status(-7)
    assert str(info.value) == "device and CPU results differ"


def test_cpu_contexts_refuse_verify():
    with pytest.raises(ValueError, match="verify is for backend='opencl' only"):
        hpk.Context("serial", verify=True)
    with pytest.raises(TypeError, match="verify must be a bool"):
        hpk.Context("serial", verify=1)
    with hpk.Context("serial") as ctx:
        assert ctx.verify is False
        with pytest.raises(hpk.InvalidArgumentError, match="hpk_ctx_set_verify"):
            ctx.verify = True
    with pytest.raises(ValueError, match="closed"):
        ctx.verify = True


def _opencl(**kwargs):
    if not hpk.have_opencl:
        pytest.skip("this build of hpk has no OpenCL backend")
    try:
        return hpk.Context("opencl", **kwargs)
    except (hpk.NoDeviceError, hpk.DeviceError) as e:
        pytest.skip(f"no OpenCL device: {e}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_verified_calls_give_the_cpu_bits(rng, dtype):
    ctx = _opencl(verify=True)
    with ctx, hpk.Context("serial") as cpu:
        assert ctx.verify is True
        x, y = strided(rng, 5000, -2, dtype), strided(rng, 5000, 1, dtype)
        for name in ("sum", "asum", "nrm2", "iamax"):
            got, want = getattr(hpk, name)(x, ctx=ctx), getattr(hpk, name)(x, ctx=cpu)
            assert np.asarray(got).tobytes() == np.asarray(want).tobytes(), name
            assert ctx.last_profile.verify_s > 0, name
        assert np.asarray(hpk.dot(x, y, ctx=ctx)).tobytes() == np.asarray(hpk.dot(x, y, ctx=cpu)).tobytes()
        a = rng.uniform(-1, 1, size=(40, 300)).astype(dtype)
        v = rng.uniform(-1, 1, size=300).astype(dtype)
        out_dev, out_cpu = rng.uniform(-1, 1, size=40).astype(dtype), None
        out_cpu = out_dev.copy()
        hpk.gemv(a, v, out_dev, alpha=1.5, beta=0.5, ctx=ctx)
        hpk.gemv(a, v, out_cpu, alpha=1.5, beta=0.5, ctx=cpu)
        assert out_dev.tobytes() == out_cpu.tobytes()
        assert ctx.last_profile.verify_s > 0
        assert "verify_s=" in repr(ctx.last_profile)


def test_verify_property_and_cost(rng):
    ctx = _opencl()
    with ctx:
        x = strided(rng, 3000, 1, np.float64)
        ctx.verify = False
        hpk.sum(x, ctx=ctx)
        assert ctx.last_profile.verify_s == 0.0  # no CPU work when off
        ctx.verify = True
        assert ctx.verify is True
        hpk.sum(x, ctx=ctx)
        assert ctx.last_profile.verify_s > 0
        ctx.verify = False
        assert ctx.verify is False


def test_verify_from_the_environment(monkeypatch):
    monkeypatch.setenv("HPK_CL_VERIFY", "on")
    with _opencl() as ctx:
        assert ctx.verify is True
    with _opencl(verify=False) as ctx:  # the argument wins
        assert ctx.verify is False
    monkeypatch.setenv("HPK_CL_VERIFY", "sometimes")
    with pytest.raises(hpk.InvalidArgumentError, match="HPK_CL_VERIFY"):
        hpk.Context("opencl")
