// `npm run setup-cluster`: makes a Temporal server (self-hosted or Temporal Cloud) ready for our runs:
// the namespace, if it is missing, and our custom search attributes (contracts/searchAttributes.ts),
// which a run sets and which the server refuses unless they are registered. It changes only what is
// missing, so running it again, or from every deployment, is harmless. The embedded dev server
// needs none of this: it is started with the attributes.
import { Command, InvalidArgumentError } from 'commander';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
// CommonJS package: only the default import works under both vitest and plain Node ESM (tsx).
import proto from '@temporalio/proto';
import { configOrExit, exitWith } from '../client/cli';
import { temporalTarget } from '../client/connect';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { ENVIRONMENT_HELP } from '../runtime/config';

const { IndexedValueType } = proto.temporal.api.enums.v1;
type IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

// gRPC status codes the answers below depend on.
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const UNAUTHENTICATED = 16;

/** A namespace or attribute just added may take a few seconds to be served by every frontend. */
const SETTLE_TIMEOUT_MS = 60_000;

const program = new Command('setup-cluster')
  .description('Register the namespace (if missing) and our search attributes on the configured Temporal server. Safe to run again: it changes only what is missing.')
  .option('--check', 'change nothing: say what is missing and exit 1 if anything is')
  .option('--retention-days <days>', 'history retention of a namespace this creates', parseDays, 7)
  .addHelpText(
    'after',
    `\nThe server comes from TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS* or a Temporal\n` +
      `envconfig profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE); the variables win.\n\n${ENVIRONMENT_HELP}`,
  );

function parseDays(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 3650) throw new InvalidArgumentError('must be a whole number of days from 1 to 3650');
  return value;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

function refusal(err: unknown, what: string, instead: string): never {
  const code = grpcCode(err);
  if (code === PERMISSION_DENIED || code === UNIMPLEMENTED || code === UNAUTHENTICATED) {
    exitWith('setup-cluster', `the server refused to ${what} (${(err as Error).message}). ${instead}`, 1);
  }
  throw err;
}

function wanted(): Map<string, IndexedValueType> {
  return new Map(MUSIC_SEARCH_ATTRIBUTES.map(({ name, type }) => [name, IndexedValueType[`INDEXED_VALUE_TYPE_${type satisfies SearchAttributeType}`]]));
}

const typeName = (type: IndexedValueType) => IndexedValueType[type]?.replace('INDEXED_VALUE_TYPE_', '') ?? String(type);

async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return false;
    throw err;
  }
}

async function customAttributes(connection: Connection, namespace: string): Promise<Record<string, IndexedValueType>> {
  try {
    const answer = await connection.operatorService.listSearchAttributes({ namespace });
    return (answer.customAttributes ?? {}) as Record<string, IndexedValueType>;
  } catch (err) {
    refusal(err, `list the search attributes of ${namespace}`, `On Temporal Cloud, add them in the namespace's settings or with tcld: ${tcldHint(namespace)}`);
  }
}

async function operatorKnows(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.operatorService.listSearchAttributes({ namespace });
    return true;
  } catch (err) {
    if (grpcCode(err) === NOT_FOUND) return false;
    throw err;
  }
}

function tcldHint(namespace: string): string {
  return `tcld namespace search-attributes add --namespace ${namespace} ${[...wanted()].map(([name, type]) => `--search-attribute "${name}=${typeName(type)[0]}${typeName(type).slice(1).toLowerCase()}"`).join(' ')}`;
}

async function waitFor(what: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!(await ready())) {
    if (Date.now() > deadline) exitWith('setup-cluster', `${what} was accepted but is still not served after ${SETTLE_TIMEOUT_MS / 1000} s; run this again in a minute`, 1);
    await sleep(500);
  }
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ check?: boolean; retentionDays: number }>();
  const config = configOrExit('setup-cluster');
  const { namespace, ...connectionOptions } = temporalTarget(config);
  const ns = namespace ?? 'default';
  const from = config.temporal.address ? (config.temporal.profileSource ? ` (${config.temporal.profileSource}, environment over it)` : '') : ' (no TEMPORAL_ADDRESS or profile: the embedded dev server\'s address)';
  say(`Temporal server ${connectionOptions.address}${from}, namespace ${ns}`);

  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions, connectTimeout: '10s' });
  } catch (err) {
    exitWith('setup-cluster', `no Temporal server answers at ${connectionOptions.address}: ${(err as Error).message}`, 1);
  }
  let missing = 0;
  let changed = 0;
  try {
    if (await namespaceExists(connection, ns)) {
      say(`  namespace ${ns}: exists`);
    } else if (opts.check) {
      say(`  namespace ${ns}: missing`);
      missing++;
    } else {
      try {
        await connection.workflowService.registerNamespace({ namespace: ns, workflowExecutionRetentionPeriod: msToTs(`${opts.retentionDays} days`) });
      } catch (err) {
        if (grpcCode(err) !== ALREADY_EXISTS) {
          refusal(err, `create namespace ${ns}`, 'On Temporal Cloud, namespaces are created in the Cloud UI or with tcld; then run this again.');
        }
      }
      // Describe answers first; the operator service learns of a new namespace a little later.
      await waitFor(`namespace ${ns}`, async () => (await namespaceExists(connection, ns)) && (await operatorKnows(connection, ns)));
      say(`  namespace ${ns}: created (retention ${opts.retentionDays} days)`);
      changed++;
    }

    if (missing === 0) {
      const present = await customAttributes(connection, ns);
      const toAdd: Record<string, IndexedValueType> = {};
      const conflicts: string[] = [];
      for (const [name, type] of wanted()) {
        const existing = present[name];
        if (existing === undefined) toAdd[name] = type;
        else if (existing !== type) conflicts.push(`${name} is registered as ${typeName(existing)}, but our runs set a ${typeName(type)}`);
        else say(`  search attribute ${name} (${typeName(type)}): registered`);
      }
      if (conflicts.length > 0) {
        exitWith('setup-cluster', `search attributes of namespace ${ns} conflict with ours; a type cannot be changed in place (remove the attribute, or use another namespace):\n  ${conflicts.join('\n  ')}`, 1);
      }
      const names = Object.keys(toAdd);
      if (names.length > 0 && opts.check) {
        for (const name of names) say(`  search attribute ${name} (${typeName(toAdd[name]!)}): missing`);
        missing += names.length;
      } else if (names.length > 0) {
        try {
          await connection.operatorService.addSearchAttributes({ namespace: ns, searchAttributes: toAdd });
        } catch (err) {
          // Another setup-cluster running at the same moment may have added them first.
          if (grpcCode(err) !== ALREADY_EXISTS) refusal(err, `add search attributes to ${ns}`, `On Temporal Cloud: ${tcldHint(ns)}`);
        }
        await waitFor(`search attributes ${names.join(', ')}`, async () => {
          const now = await customAttributes(connection, ns);
          return names.every((name) => now[name] === toAdd[name]);
        });
        for (const name of names) say(`  search attribute ${name} (${typeName(toAdd[name]!)}): added`);
        changed += names.length;
      }
    }
  } finally {
    await connection.close();
  }

  if (opts.check) {
    say(missing === 0 ? 'ready: nothing is missing' : `not ready: ${missing} missing (run npm run setup-cluster)`);
    process.exit(missing === 0 ? 0 : 1);
  }
  say(changed === 0 ? 'ready: nothing to change' : `ready: ${changed} change${changed === 1 ? '' : 's'} made`);
}

main().catch((err: Error) => exitWith('setup-cluster', err.message, 1));
