/** The named fields that are present, in the given order (stored items come back unordered). */
export function pick<T extends object>(source: T, order: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const key of order) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<T>;
}
