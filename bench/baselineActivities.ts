export async function noop(n: number): Promise<number> {
  return n;
}
