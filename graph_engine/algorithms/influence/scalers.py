"""Score scalers (GDS ``scaler`` option), applied after an algorithm's iterations."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from graph_engine.errors import ParameterError

__all__ = ["SCALERS", "scale"]

SCALERS = ("minmax", "mean", "center", "stdscore", "log", "log1p", "max", "l1", "l2")


def scale(x: npt.NDArray[np.float64], scaler: str | None) -> npt.NDArray[np.float64]:
    """Scale scores like GDS.

    ``minmax`` (x-min)/(max-min); ``mean`` (x-mean)/(max-min); ``center`` x-mean;
    ``stdscore``
    (x-mean)/σ (population); ``max`` x/max|x|; ``l1`` x/Σ|x|; ``l2`` x/‖x‖₂; ``log``
    ln(x) (GDS's Log scaler, whose offset defaults to 0: a zero score becomes -inf);
    ``log1p`` ln(x + 1) (a zero stays 0). A zero denominator gives all zeros, as in GDS.

    Examples
    --------
    >>> scale(np.array([1.0, 2.0, 3.0]), "minmax").tolist()
    [0.0, 0.5, 1.0]
    """
    if scaler is None or (isinstance(scaler, str) and scaler.lower() == "none"):
        return x
    name = scaler.lower() if isinstance(scaler, str) else scaler
    if name not in SCALERS:
        raise ParameterError(f"scaler must be one of None, {', '.join(SCALERS)}; got {scaler!r}")
    if x.size == 0:
        return x
    if name in ("log", "log1p"):
        with np.errstate(divide="ignore"):
            out: npt.NDArray[np.float64] = np.asarray(np.log(x) if name == "log" else np.log1p(x))
        return out
    if name == "center":
        return np.asarray(x - float(x.mean()), dtype=np.float64)
    if name in ("minmax", "mean"):
        spread = x.max() - x.min()
        centre = x.min() if name == "minmax" else x.mean()
        return (x - centre) / spread if spread else np.zeros_like(x)
    denominator = {
        "stdscore": x.std(),
        "max": np.abs(x).max(),
        "l1": np.abs(x).sum(),
        "l2": np.sqrt((x * x).sum()),
    }[name]
    centred = x - x.mean() if name == "stdscore" else x
    return centred / denominator if denominator else np.zeros_like(x)
