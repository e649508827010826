/** Checks the `incoming` options share: each reports a problem by its option path, never its value. */

export type Add = (path: string, problem: string) => void;

/** A store given in the options: an object with these methods, or undefined (the default is used). */
export function storeOption(value: unknown, path: string, methods: string[], add: Add): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || methods.some((m) => typeof (value as Record<string, unknown>)[m] !== 'function')) {
    add(path, `must implement ${methods.join(', ')}`);
    return undefined;
  }
  return value;
}

/** A whole number from `min` to `max`; `fallback` when absent (or, with a problem reported, when bad). */
export function int(value: unknown, path: string, min: number, max: number, fallback: number, add: Add): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    add(path, `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return value;
}
