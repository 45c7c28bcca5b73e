/**
 * Kubernetes resource quantities ("500m", "256Mi", "1.5", "129e6", "30770604Ki") as numbers: cores
 * for CPU, bytes for memory. The grammar is resource.Quantity's: a signed decimal, then a binary
 * suffix (Ki … Ei), a decimal SI suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E-2).
 * client-node 1.4 has such a parser but does not export it.
 */
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The quantity's value, or undefined when the text is not a quantity. */
export function parseQuantity(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  const scale = binary[suffix] ?? decimal[suffix] ?? (/^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : undefined);
  if (scale === undefined) return undefined;
  const value = number * scale;
  return Number.isFinite(value) ? value : undefined;
}
