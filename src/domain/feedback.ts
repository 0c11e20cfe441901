/** A line-level diff of what the agent changed in the AI's draft: the feedback leads learn from. */
export function lineDiff(before: string, after: string) {
  const a = before.split('\n');
  const b = after.split('\n');
  return {
    removed: a.filter((line) => !b.includes(line)),
    added: b.filter((line) => !a.includes(line)),
    similarity: a.length + b.length === 0 ? 1 : (2 * a.filter((line) => b.includes(line)).length) / (a.length + b.length),
  };
}
