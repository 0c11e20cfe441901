/**
 * A throwaway PostgreSQL cluster of the test's own, so a test can stop it with
 * `pg_ctl -m immediate` (a crash, as far as clients can tell) without touching the shared server.
 *
 * PostgreSQL refuses to run as root, so every server binary runs as the `postgres` OS user
 * (via runuser) when the test runs as root; the data and socket directories belong to that user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../globalSetup';

const run = promisify(execFile);

export const postgresBinDir = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** True when this machine can host a private cluster (the binaries are installed). */
export const canRunPrivatePostgres = existsSync(path.join(postgresBinDir, 'initdb'));

export interface PrivatePostgres {
  /** postgres:// URL of the cluster's `postgres` database (trust auth, TCP on 127.0.0.1). */
  url: string;
  port: number;
  /** Starts the server again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: every backend dies at once, clients see their sockets close. */
  crash(): Promise<void>;
  /** Stops the server (fast mode) and deletes its directory. */
  destroy(): Promise<void>;
}

/** initdb + start on `port` (a free one when omitted); resolves once the server accepts connections. */
export async function startPrivatePostgres(port?: number): Promise<PrivatePostgres> {
  port ??= await freePort();
  const root = mkdtempSync(path.join(os.tmpdir(), 'tandem-pg-'));
  const dataDir = path.join(root, 'data');
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const { uid, gid } = await osUser('postgres');
    chownSync(root, uid, gid);
  }
  const asPostgres = (binary: string, args: string[]) => {
    const file = path.join(postgresBinDir, binary);
    return isRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
  };
  const pgCtl = (args: string[]) => asPostgres('pg_ctl', ['-D', dataDir, ...args]);

  // fsync off: `-m immediate` kills the server's processes, not the OS, so WAL written but not
  // synced still reaches crash recovery; syncing would only slow every stop on a shared machine.
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async () => {
    // -w waits until the server accepts connections, crash recovery included.
    await pgCtl(['-o', serverOptions, '-l', path.join(root, 'server.log'), '-w', '-t', '60', 'start']);
  };
  try {
    await asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await start();
  } catch (error) {
    await pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    crash: async () => {
      await pgCtl(['-m', 'immediate', '-w', 'stop']);
    },
    destroy: async () => {
      await pgCtl(['-m', 'fast', '-w', 'stop']).catch(() => {}); // already stopped is fine
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function osUser(name: string): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
