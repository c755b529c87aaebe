"""Key-driver weights per period and segment: Johnson's relative weights and the Shapley
decomposition of R² of overall satisfaction regressed on the driver attributes, with
seeded bootstrap intervals, the model's R², the minimum-n rule and collinearity diagnostics.
Method, edge cases and why: docs/methodology.md, "Key drivers".

A Python model because SQL cannot do it: the weights need each period's whole correlation
matrix, its eigen-decomposition and a regression per subset of drivers, a thousand times
over for the intervals. The functions above `model` are pure numpy, so that
tests/test_key_driver_weights.py checks them against an independent implementation.
"""

import hashlib
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pyarrow as pa

# Percentile intervals need about a thousand resamples for stable 2.5% and 97.5% points
# (Efron and Tibshirani 1993, ch. 13); more barely narrows the Monte Carlo error (it falls
# with the square root) and costs build time in every period and segment.
RESAMPLES = 1000
CONFIDENCE = 0.95
MIN_N_FLOOR = 30
MIN_N_PER_DRIVER = 10
# A smallest eigenvalue below 1e-12 of the largest: the drivers are linearly dependent and
# the weights are not identified (the inverse square root of the matrix blows up).
SINGULAR_CONDITION = 1e6
# 2^p regressions per Shapley decomposition: above this many drivers only relative weights.
SHAPLEY_MAX_DRIVERS = 12
# Resamples per batch: bounds memory to about BATCH x n x (drivers + 1) doubles.
BATCH = 100

KEYS = ["grain", "period_start", "segment"]
SCHEMA = pa.schema(
    [
        ("grain", pa.string()),
        ("period_start", pa.date32()),
        ("segment", pa.string()),
        ("attribute", pa.string()),
        ("model_n", pa.int64()),
        ("model_drivers", pa.int64()),
        ("min_n", pa.int64()),
        ("model_r2", pa.float64()),
        ("model_r2_ci_low", pa.float64()),
        ("model_r2_ci_high", pa.float64()),
        ("relative_weight", pa.float64()),
        ("relative_weight_ci_low", pa.float64()),
        ("relative_weight_ci_high", pa.float64()),
        ("relative_weight_share", pa.float64()),
        ("shapley_value", pa.float64()),
        ("shapley_ci_low", pa.float64()),
        ("shapley_ci_high", pa.float64()),
        ("vif", pa.float64()),
        ("condition_number", pa.float64()),
        ("bootstrap_resamples", pa.int64()),
        ("weights_reason", pa.string()),
    ]
)


def minimum_n(drivers: int) -> int:
    return max(MIN_N_FLOOR, MIN_N_PER_DRIVER * drivers)


def correlations(data: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrices of the columns of `data` (n x k), one per row of `counts` (B x n,
    how often each observation is drawn in a resample; None: the sample itself). NaN where a
    column does not vary."""
    if counts is None:
        counts = np.ones((1, data.shape[0]))
    # Centred first: moments of ratings far from zero would lose digits to cancellation.
    centred = data - data.mean(axis=0)
    k = data.shape[1]
    rows, cols = np.triu_indices(k)
    # Every mean and cross-product of every resample in one matrix product (BLAS), rather
    # than a k x k product per resample.
    features = np.column_stack([centred, centred[:, rows] * centred[:, cols]])
    moments = counts @ features / counts.sum(axis=1)[:, None]
    mean = moments[:, :k]
    second = np.empty((counts.shape[0], k, k))
    second[:, rows, cols] = moments[:, k:]
    second[:, cols, rows] = moments[:, k:]
    cov = second - mean[:, :, None] * mean[:, None, :]
    variance = np.diagonal(cov, axis1=1, axis2=2)
    sd = np.sqrt(np.clip(variance, 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    corr[~varies(variance, centred).all(axis=1)] = np.nan
    return corr


def varies(variance: np.ndarray, centred: np.ndarray) -> np.ndarray:
    """Whether each variance is more than rounding noise (a constant column's computed
    variance is a few ulps of the squared values, not zero)."""
    return variance > 1e-10 * max(1.0, float(np.abs(centred).max()) ** 2)


def eigen(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors of the drivers' block of each matrix."""
    return np.linalg.eigh(corr[..., :-1, :-1])


def condition_numbers(corr: np.ndarray) -> np.ndarray:
    """sqrt(largest / smallest eigenvalue) of the drivers' correlation matrix."""
    values = eigen(corr)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(values[..., -1] / np.clip(values[..., 0], 0, None))


def variance_inflation(corr: np.ndarray) -> np.ndarray:
    """VIF of each driver: the diagonal of the inverse of the drivers' correlation matrix."""
    return np.diagonal(np.linalg.inv(corr[..., :-1, :-1]), axis1=-2, axis2=-1)


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights from correlation matrices (drivers first, outcome
    last): with Rxx = Q D Q', Lambda = Q D^1/2 Q' relates the drivers to their closest
    orthogonal counterparts, beta = Lambda^-1 rxy regresses the outcome on those, and
    weight_j = sum_k Lambda_jk^2 beta_k^2. The weights sum to R²."""
    values, vectors = eigen(corr)
    root = np.matmul(
        vectors * np.sqrt(np.clip(values, 0, None))[..., None, :], np.swapaxes(vectors, -1, -2)
    )
    beta = np.linalg.solve(root, corr[..., :-1, -1:])[..., 0]
    return np.matmul(root**2, (beta**2)[..., None])[..., 0]


def subset_r_squared(corr: np.ndarray, subset: tuple[int, ...]) -> np.ndarray:
    """R² of the outcome on the drivers in `subset`: r_S' R_SS^-1 r_S."""
    if not subset:
        return np.zeros(corr.shape[:-2])
    index = list(subset)
    r = corr[..., index, -1]
    solved = np.linalg.solve(corr[..., index, :][..., :, index], r[..., None])[..., 0]
    return (r * solved).sum(axis=-1)


def shapley_values(corr: np.ndarray) -> np.ndarray:
    """Shapley decomposition of R² (Lipovetsky and Conklin 2001): driver j gets the mean, over
    the subsets S of the other drivers weighted |S|! (p - |S| - 1)! / p!, of the R² it adds to
    S. The values sum to the full model's R²."""
    drivers = corr.shape[-1] - 1
    r2 = {
        subset: subset_r_squared(corr, subset)
        for size in range(drivers + 1)
        for subset in combinations(range(drivers), size)
    }
    values = np.zeros(corr.shape[:-2] + (drivers,))
    for subset, base in r2.items():
        size = len(subset)
        if size == drivers:
            continue
        weight = factorial(size) * factorial(drivers - size - 1) / factorial(drivers)
        for j in set(range(drivers)) - set(subset):
            values[..., j] += weight * (r2[tuple(sorted(subset + (j,)))] - base)
    return values


def group_seed(*key: object) -> int:
    """A resampling seed of the period and segment alone: the same rows give the same
    intervals whatever else the build contains or in which order it runs."""
    digest = hashlib.sha256("|".join(str(part) for part in key).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def bootstrap(data: np.ndarray, seed: int, resamples: int = RESAMPLES):
    """R², relative weights and Shapley values of `resamples` resamples (rows drawn with
    replacement); resamples where a column does not vary or the drivers are singular are
    left out. Returns the three arrays over the resamples kept."""
    rng = np.random.default_rng(seed)
    n, drivers = data.shape[0], data.shape[1] - 1
    kept_r2, kept_rw, kept_sv = [], [], []
    for start in range(0, resamples, BATCH):
        size = min(BATCH, resamples - start)
        draws = rng.integers(0, n, size=(size, n))
        # Row by row: each count vector stays in cache, where one bincount over the whole
        # batch scatters into B x n cells at random.
        counts = np.stack([np.bincount(row, minlength=n) for row in draws]).astype(float)
        corr = correlations(data, counts)
        usable = ~np.isnan(corr).any(axis=(1, 2))
        usable[usable] = condition_numbers(corr[usable]) < SINGULAR_CONDITION
        corr = corr[usable]
        rw = relative_weights(corr)
        kept_rw.append(rw)
        kept_r2.append(rw.sum(axis=-1))
        if drivers <= SHAPLEY_MAX_DRIVERS:
            kept_sv.append(shapley_values(corr))
    r2 = np.concatenate(kept_r2)
    rw = np.concatenate(kept_rw)
    sv = np.concatenate(kept_sv) if kept_sv else np.full_like(rw, np.nan)
    return r2, rw, sv


def interval(samples: np.ndarray, resamples: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over the first axis; NaN when fewer than half the `resamples`
    were usable (an interval from the few that happened to vary would be too narrow)."""
    tail = (1 - CONFIDENCE) / 2
    if samples.shape[0] < resamples / 2:
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan
    low, high = np.quantile(samples, [tail, 1 - tail], axis=0)
    return low, high


def driver_weights(data: np.ndarray, seed: int, resamples: int = RESAMPLES) -> dict:
    """Everything the mart publishes about one period and segment. `data`: one row per
    complete response, the drivers' ratings then the outcome. Arrays are per driver."""
    n, drivers = data.shape[0], data.shape[1] - 1
    blank = np.full(drivers, np.nan)
    result = {
        "model_n": n,
        "model_drivers": drivers,
        "min_n": minimum_n(drivers),
        "model_r2": np.nan,
        "model_r2_ci_low": np.nan,
        "model_r2_ci_high": np.nan,
        "relative_weight": blank,
        "relative_weight_ci_low": blank,
        "relative_weight_ci_high": blank,
        "relative_weight_share": blank,
        "shapley_value": blank,
        "shapley_ci_low": blank,
        "shapley_ci_high": blank,
        "vif": blank,
        "condition_number": np.nan,
        "bootstrap_resamples": None,
        "weights_reason": None,
    }
    centred = data - data.mean(axis=0) if n else data
    column_varies = varies(centred.var(axis=0), centred) if n >= 2 else np.zeros(drivers + 1, bool)
    outcome_varies, drivers_vary = bool(column_varies[-1]), bool(column_varies[:-1].all())
    corr = correlations(data)[0] if column_varies.all() else None
    if corr is not None:
        result["condition_number"] = float(condition_numbers(corr))
        if result["condition_number"] < SINGULAR_CONDITION:
            result["vif"] = variance_inflation(corr)
    if n < result["min_n"]:
        result["weights_reason"] = "below minimum n"
    elif not outcome_varies:
        result["weights_reason"] = "overall satisfaction does not vary"
    elif not drivers_vary:
        result["weights_reason"] = "a driver does not vary"
    elif result["condition_number"] >= SINGULAR_CONDITION:
        result["weights_reason"] = "drivers collinear"
    if result["weights_reason"]:
        return result
    weights = relative_weights(corr)
    r2 = float(weights.sum())
    result["model_r2"] = r2
    result["relative_weight"] = weights
    result["relative_weight_share"] = weights / r2 if r2 > 0 else blank
    if drivers <= SHAPLEY_MAX_DRIVERS:
        result["shapley_value"] = shapley_values(corr)
    boot_r2, boot_rw, boot_sv = bootstrap(data, seed, resamples)
    result["bootstrap_resamples"] = int(boot_r2.shape[0])
    low, high = interval(boot_r2[:, None], resamples)
    result["model_r2_ci_low"], result["model_r2_ci_high"] = float(low[0]), float(high[0])
    result["relative_weight_ci_low"], result["relative_weight_ci_high"] = interval(
        boot_rw, resamples
    )
    if drivers <= SHAPLEY_MAX_DRIVERS:
        result["shapley_ci_low"], result["shapley_ci_high"] = interval(boot_sv, resamples)
    return result


def _nullable(value) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def weights_rows(ratings) -> list[dict]:
    """Rows of the model from one row per period, segment, response and attribute rated
    (pandas). A period's and segment's drivers are the attributes its responses rated; its
    model uses the responses that rated every one of them (listwise deletion)."""
    rows = []
    for key, group in ratings.groupby(KEYS, sort=True):
        wide = group.pivot(index="response_id", columns="attribute", values="rating")
        attributes = list(wide.columns)
        outcome = group.groupby("response_id")["overall_satisfaction"].first()
        complete = wide.dropna()
        data = np.column_stack(
            [complete.to_numpy(dtype=float), outcome.loc[complete.index].to_numpy(dtype=float)]
        )
        result = driver_weights(data, group_seed(*key))
        per_driver = {name: v for name, v in result.items() if isinstance(v, np.ndarray)}
        for j, attribute in enumerate(attributes):
            row = dict(zip(KEYS, key, strict=True), attribute=attribute)
            for name, value in result.items():
                value = per_driver[name][j] if name in per_driver else value
                row[name] = _nullable(float(value) if isinstance(value, np.floating) else value)
            rows.append(row)
    return rows


def model(dbt, session):
    # The same periods as mart_key_drivers: int_driver_periods applies periods_of and adds
    # the 'all' segment, so a day, week or month holds the same responses in both.
    ratings = dbt.ref("int_driver_periods").df()
    ratings["period_start"] = pd.to_datetime(ratings["period_start"]).dt.date
    return pa.Table.from_pylist(weights_rows(ratings), schema=SCHEMA)
