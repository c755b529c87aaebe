"""Independent implementations of the benchmark tests (docs/methodology.md, "Benchmarks and
significance"), written from the textbook formulas in pure Python so that they share no code
with scipy, which the warehouse's SQL functions use: Student t through the regularised
incomplete beta function (Lentz's continued fraction), the exact binomial and Fisher tests
by enumerating every outcome with exact integer binomial coefficients, Benjamini-Hochberg
by its step-up definition."""

from __future__ import annotations

import math
from fractions import Fraction


def _beta_fraction(a: float, b: float, x: float) -> float:
    # Continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz).
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-16:
            return h
    raise ArithmeticError("continued fraction did not converge")


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)."""
    return incomplete_beta(df / 2, 0.5, df / (df + t * t))


def t_quantile(p: float, df: float) -> float:
    """The p-quantile (p > 0.5) by bisection on the two-sided tail."""
    low, high = 0.0, 1e6
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if t_two_sided_p(mid, df) / 2 > 1 - p else (low, mid)
    return (low + high) / 2


def normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def binomial_two_sided_p(k: int, n: int, p0: Fraction) -> float:
    """Sum of the probabilities of every outcome no more likely than k (exact fractions; ties
    within a relative 1e-7, the usual allowance for floating-point probabilities)."""
    probs = [math.comb(n, i) * p0**i * (1 - p0) ** (n - i) for i in range(n + 1)]
    limit = probs[k] * Fraction(1 + 10**-7)
    return float(min(sum(q for q in probs if q <= limit), 1))


def fisher_two_sided_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Tables with the margins of [[k1, n1 - k1], [k2, n2 - k2]] no more likely than it."""
    successes = k1 + k2
    first = range(max(0, successes - n2), min(n1, successes) + 1)
    probs = {a: Fraction(math.comb(n1, a) * math.comb(n2, successes - a)) for a in first}
    limit = probs[k1] * Fraction(1 + 10**-7)
    total = math.comb(n1 + n2, successes)
    return float(min(sum(q for q in probs.values() if q <= limit) / total, 1))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """q of the i-th smallest of m p-values: min over j >= i of m p(j) / j, at most 1."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = running
    return q
