// Adding up rows that are sums (a rollup's part and an edge's part of one group): rows with the
// same values in `keys` become one, their other numeric fields summed. Pure.

export function sumRows<T extends object>(rows: T[], keys: readonly (keyof T)[]): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const key = JSON.stringify(keys.map((k) => row[k]));
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...row });
      continue;
    }
    for (const field of Object.keys(row) as (keyof T)[]) {
      if (keys.includes(field)) continue;
      const value = row[field];
      if (typeof value === 'number') (seen[field] as number) = (seen[field] as number) + value;
    }
  }
  return [...byKey.values()];
}
