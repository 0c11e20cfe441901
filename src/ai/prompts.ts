import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Prompts are files named <name>.v<N>.md; the highest N is used and `<name>@v<N>` is recorded
// with every call and every draft, so a change of prompt is visible in the data.
const folder = fileURLToPath(new URL('./prompts', import.meta.url));

export type PromptName = 'classify' | 'draft' | 'summarize' | 'assess';

export interface Prompt {
  name: PromptName;
  version: string;
  text: string;
}

export function loadPrompt(name: PromptName, dir = folder): Prompt {
  const versions = readdirSync(dir)
    .map((file) => file.match(new RegExp(`^${name}\\.v(\\d+)\\.md$`)))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  const latest = versions[0];
  if (latest === undefined) throw new Error(`no prompt file ${name}.v<N>.md in ${dir}`);
  return { name, version: `${name}@v${latest}`, text: readFileSync(path.join(dir, `${name}.v${latest}.md`), 'utf8').trim() };
}
