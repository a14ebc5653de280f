/**
 * The smallest and largest of a list of numbers, by a loop: `Math.min(...list)` passes every element
 * as an argument and throws "Maximum call stack size exceeded" past about 100,000 of them, a size a
 * week of a busy host's connections reaches.
 */
export function minOf(values: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min;
}

export function maxOf(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return max;
}
