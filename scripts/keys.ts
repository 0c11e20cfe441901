// API keys: `npm run keys -- create --role agent --name alice` prints a new key once.
//   create --role <service|agent|lead|admin> --name <name> [--scope own|all]
//   list
//   revoke <key id>
import { parseArgs } from 'node:util';
import { createApiKey, listApiKeys, revokeApiKey } from '../src/api/auth';
import { ConfigError, loadConfig } from '../src/config';
import { DatabaseInUseError, openDatabase } from '../src/db/client';
import { apiKeyRoles, type ApiKeyRole } from '../src/db/schema';

const usage = `usage:
  npm run keys -- create --role <${apiKeyRoles.join('|')}> --name <agent or service name> [--scope own|all]
      a service key sees and writes only the tickets it starts; --scope all grants every ticket (an internal backend)
  npm run keys -- list
  npm run keys -- revoke <key id>`;

async function main() {
  const { positionals, values } = (() => {
    try {
      return parseArgs({
        allowPositionals: true,
        options: { role: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' } },
      });
    } catch (err) {
      throw new UsageError((err as Error).message); // an unknown or incomplete option
    }
  })();
  const [command, arg] = positionals;
  if (!command || !['create', 'list', 'revoke'].includes(command)) throw new UsageError(`unknown command ${command ?? '(none)'}`);
  if (command === 'create') {
    if (!values.role || !apiKeyRoles.includes(values.role as ApiKeyRole))
      throw new UsageError(`--role must be one of ${apiKeyRoles.join(', ')}`);
    if (!values.name?.trim() || values.name.length > 100) throw new UsageError('--name is required (at most 100 characters)');
    if (values.scope !== undefined && !['own', 'all'].includes(values.scope)) throw new UsageError('--scope must be own or all');
    if (values.scope !== undefined && values.role !== 'service') throw new UsageError('--scope applies to service keys only');
  }
  if (command === 'revoke' && !arg) throw new UsageError('revoke needs a key id (see `npm run keys -- list`)');

  const config = loadConfig();
  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  try {
    await database.migrate();
    if (command === 'create') {
      const scope = values.scope === 'all' ? 'all' : 'own';
      const { id, key } = await createApiKey(database.db, { role: values.role as ApiKeyRole, name: values.name!.trim(), scope });
      const reach = values.role === 'service' ? ` (scope ${scope}: ${scope === 'all' ? 'every ticket' : 'the tickets it starts'})` : '';
      console.log(`created ${values.role} key ${id} for ${values.name}${reach}. It is shown only this once:\n\n  ${key}\n`);
    } else if (command === 'list') {
      const keys = await listApiKeys(database.db);
      if (keys.length === 0) console.log('no keys yet');
      for (const k of keys) {
        console.log(
          `${k.id}  ${k.role.padEnd(7)}  ${(k.role === 'service' ? k.scope : '').padEnd(4)}  ${k.name.padEnd(24)}  created ${k.createdAt.toISOString()}${k.revokedAt ? `  REVOKED ${k.revokedAt.toISOString()}` : ''}`,
        );
      }
    } else if (!(await revokeApiKey(database.db, arg!))) {
      throw new UsageError(`no active key ${arg}`);
    } else {
      console.log(`revoked ${arg}`);
    }
  } finally {
    await database.close();
  }
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  if (err instanceof UsageError) console.error(`${err.message}\n${usage}`);
  else console.error(err instanceof ConfigError || err instanceof DatabaseInUseError ? err.message : err);
  process.exit(1);
});
