import { parseArgs } from 'node:util';
import { ConfigError } from '../shared/errors/index.ts';
import type { RoleName } from '../shared/role.ts';

/** Roles a `start` command can run. */
export type Role = RoleName;

/** A command with its own options. */
type Command =
  | { command: 'start'; roles: Role[]; configPath: string; workers?: number }
  | { command: 'dev'; configPath: string | undefined; traffic: boolean }
  | { command: 'schema-print'; configPath: string; out: string | undefined; check: string | undefined }
  | { command: 'rebuild'; configPath: string }
  | { command: 'config-check'; configPath: string }
  | { command: 'demo'; rpcHttp: string }
  | { command: 'help' };

/** A parsed command line: the command, plus `--log-format` when given (checked by resolveLogFormat). */
export type CommandLine = Command & { logFormat?: string };

/** Usage text printed by `blockwire help` and on a usage error. */
export const usage = `Usage: blockwire <command> [options]

Commands:
  start  --role all|ingest|process|gateway [--config FILE]   run roles against real infrastructure
         [--workers N]                                         the gateway in N processes sharing its port (gateway.workers)
  dev    [--config FILE] [--no-traffic]                        local stack, demo contracts, all roles, demo traffic
  schema print [--config FILE] [--out FILE] [--check FILE]     print the GraphQL SDL (or check a file against it)
  rebuild [--config FILE]                                       delete the epoch marker: running processors wipe the projection and replay Kafka
  config check [--config FILE]                                  validate a config file
  demo   --rpc URL                                              deploy the demo contracts on a fresh dev chain and send traffic

Options of every command:
  --log-format json|pretty   log lines as JSON (one object per line) or readable; default: readable on a
                             terminal, JSON otherwise (pipes, files, log collectors). Also LOG_FORMAT.

The config file defaults to $BLOCKWIRE_CONFIG, else ./blockwire.yaml.`;

const roles = ['ingest', 'process', 'gateway'] as const;

/** Parses argv (without node and script) into a command; throws ConfigError naming the bad option. */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string', multiple: true },
      config: { type: 'string', short: 'c' },
      out: { type: 'string' },
      check: { type: 'string' },
      'no-traffic': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      rpc: { type: 'string' },
      'log-format': { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const command = parseCommand(values, positionals, env);
  const logFormat = values['log-format'];
  return logFormat === undefined ? command : { ...command, logFormat };
}

type ParsedOptions = {
  role?: string[] | undefined;
  config?: string | undefined;
  out?: string | undefined;
  check?: string | undefined;
  'no-traffic'?: boolean | undefined;
  help?: boolean | undefined;
  rpc?: string | undefined;
  workers?: string | undefined;
};

function parseCommand(values: ParsedOptions, positionals: string[], env: NodeJS.ProcessEnv): Command {
  const defaultConfig = env.BLOCKWIRE_CONFIG ?? 'blockwire.yaml';
  const [command, sub] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  switch (command) {
    case 'start': {
      const requested = (values.role ?? ['all']).flatMap((role) => role.split(','));
      const selected = new Set<Role>();
      for (const role of requested) {
        if (role === 'all') for (const each of roles) selected.add(each);
        else if ((roles as readonly string[]).includes(role)) selected.add(role as Role);
        else throw new ConfigError(`--role must be all, ingest, process or gateway. Got ${role}.`);
      }
      const start: Command = {
        command: 'start',
        roles: roles.filter((role) => selected.has(role)),
        configPath: values.config ?? defaultConfig,
      };
      if (values.workers === undefined) return start;
      const workers = Number(values.workers);
      if (!/^\d+$/.test(values.workers) || workers < 1 || workers > 64)
        throw new ConfigError(`--workers must be a whole number from 1 to 64. Got ${values.workers}.`);
      return { ...start, workers };
    }
    case 'dev':
      return { command: 'dev', configPath: values.config, traffic: !values['no-traffic'] };
    case 'schema':
      if (sub !== 'print')
        throw new ConfigError(`Unknown command "schema ${sub ?? ''}": expected "schema print".`);
      return {
        command: 'schema-print',
        configPath: values.config ?? env.BLOCKWIRE_CONFIG ?? 'examples/blockwire.yaml',
        out: values.out,
        check: values.check,
      };
    case 'rebuild':
      return { command: 'rebuild', configPath: values.config ?? defaultConfig };
    case 'config':
      if (sub !== 'check')
        throw new ConfigError(`Unknown command "config ${sub ?? ''}": expected "config check".`);
      return { command: 'config-check', configPath: values.config ?? defaultConfig };
    case 'demo':
      if (!values.rpc)
        throw new ConfigError('demo needs --rpc URL: the HTTP endpoint of a Hardhat dev chain.');
      return { command: 'demo', rpcHttp: values.rpc };
    default:
      throw new ConfigError(`Unknown command "${command}". Run "blockwire help" for the list.`);
  }
}
