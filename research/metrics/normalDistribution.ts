const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * Standard normal CDF Φ(x), by Hart's double-precision rational approximation (algorithm 5666, as given in
 * G. West, "Better approximations to cumulative normal functions", Wilmott 2005): absolute error below 1e-14,
 * and the lower tail computed directly (not as 1 − Φ) keeps a relative error below 1e-8 down to Φ(−37) ≈ 6e-300.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x);
  const density = Math.exp((-z * z) / 2);
  let tail: number;
  if (z < 7.07106781186547) {
    let num = 3.52624965998911e-2 * z + 0.700383064443688;
    num = num * z + 6.37396220353165;
    num = num * z + 33.912866078383;
    num = num * z + 112.079291497871;
    num = num * z + 221.213596169931;
    num = num * z + 220.206867912376;
    let den = 8.83883476483184e-2 * z + 1.75566716318264;
    den = den * z + 16.064177579207;
    den = den * z + 86.7807322029461;
    den = den * z + 296.564248779674;
    den = den * z + 637.333633378831;
    den = den * z + 793.826512519948;
    den = den * z + 440.413735824752;
    tail = (density * num) / den;
  } else {
    // Continued fraction for the far tail.
    const fraction = z + 1 / (z + 2 / (z + 3 / (z + 4 / (z + 0.65))));
    tail = density / fraction / SQRT_2PI;
  }
  return x > 0 ? 1 - tail : tail;
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

const poly = (coefficients: readonly number[], x: number): number => coefficients.reduce((acc, c) => acc * x + c, 0);

/**
 * Inverse standard normal CDF Φ⁻¹(p) for p in (0, 1); −∞ and +∞ at 0 and 1, NaN outside.
 * P. J. Acklam's rational approximation (relative error 1.15e-9) followed by one Halley step on Φ, which brings
 * it to about machine precision, as Acklam suggests.
 */
export function inverseNormalCdf(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(C, q) / (poly(D, q) * q + 1);
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(A, r) * q) / (poly(B, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(C, q) / (poly(D, q) * q + 1);
  }
  const error = normalCdf(x) - p;
  const u = error * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
