/**
 * Runs `work` over `items` with at most `limit` calls in flight, started in the items' order; the
 * one concurrency helper of the scripts and the load test. Rejects with the first failure.
 */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
