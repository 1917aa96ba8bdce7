import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../shared/config/index.ts';
import { parseCommandLine } from './parseCommandLine.ts';

// No Docker engine runs where the tests run, so no image can be built and `docker compose up` cannot
// be tried; these checks read the Dockerfile, .dockerignore and docker-compose.yml and keep them
// consistent with each other and with the code they start. That the runtime image's contents run
// every role is what test/ship/packedInstall.test.ts proves (the packed files with `--omit=dev`).
const root = join(import.meta.dirname, '../..');

type Instruction = { keyword: string; args: string };
type Stage = { name: string; from: string; instructions: Instruction[] };

/** The Dockerfile's stages, with global `ARG` defaults substituted in `FROM`. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [image = '', as, name] = rest
        .replace(/\$\{(\w+)\}/g, (_, arg: string) => args.get(arg) ?? '')
        .split(/\s+/);
      stages.push({
        name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length),
        from: image,
        instructions: [],
      });
    } else if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args: rest });
    }
  }
  return stages;
}

/** A `COPY`: its `--from` stage (undefined for the build context), sources and destination. */
function parseCopy(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}

/** `.dockerignore` rules as Docker applies them: a path is excluded by the last rule matching it or a parent. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+/, '');
      const source = pattern
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?';
          if (part === '**') return '.*';
          if (part === '*') return '[^/]*';
          if (part === '?') return '[^/]';
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { negated, regex: new RegExp(`^${source}$`) };
    });
  return (path) => {
    const parts = path.split('/');
    const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of rules)
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negated;
    return excluded;
  };
}

type Service = {
  build?: string | { context: string; target?: string };
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
};

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const stage = (name: string): Stage => {
  const found = stages.find((each) => each.name === name);
  if (!found) throw new Error(`The Dockerfile has no stage ${name}`);
  return found;
};
const instructions = (name: string, keyword: string) =>
  stage(name).instructions.filter((instruction) => instruction.keyword === keyword);
/** The stage and the stages it is built `FROM`, base first. */
const lineage = (name: string): Stage[] => {
  const current = stage(name);
  return stages.some((each) => each.name === current.from) ? [...lineage(current.from), current] : [current];
};
const composeConfig = (env: Record<string, string> = {}) =>
  loadConfig(join(root, 'docker/blockwire.compose.yaml'), env);
const roles = ['ingest', 'process', 'gateway'];

describe('Dockerfile', () => {
  it('builds in stages on Node 22, the runtime image last so that a plain `docker build` gives it', () => {
    expect(stages.map((each) => each.name)).toEqual(['deps', 'build', 'prod-deps', 'dev', 'runtime']);
    for (const name of ['deps', 'prod-deps', 'runtime'])
      expect(stage(name).from, name).toBe('node:22-bookworm-slim');
    expect(lineage('build').map((each) => each.name)).toEqual(['deps', 'build']);
    expect(lineage('dev').map((each) => each.name)).toEqual(['deps', 'dev']);
    expect(instructions('deps', 'RUN').map((run) => run.args)).toEqual(['npm ci --no-audit --no-fund']);
    expect(instructions('build', 'RUN').map((run) => run.args)).toEqual(['npm run build']);
  });

  it('gives the runtime image production dependencies only: it installs nothing itself and starts from a fresh Node image', () => {
    expect(stages.some((each) => each.name === stage('runtime').from)).toBe(false);
    for (const { args } of instructions('runtime', 'RUN')) expect(args).not.toMatch(/\bnpm\b/);
    const prodInstall = instructions('prod-deps', 'RUN').map((run) => run.args);
    expect(prodInstall).toHaveLength(1);
    expect(prodInstall[0]).toMatch(/^npm ci .*--omit=dev/);
    const fromStages = instructions('runtime', 'COPY')
      .map(({ args }) => parseCopy(args))
      .filter((copy) => copy.from !== undefined)
      .map(({ from, sources }) => `${from}:${sources.join(' ')}`);
    expect(fromStages.sort()).toEqual(['build:/app/dist', 'prod-deps:/app/node_modules']);
  });

  it('copies into the runtime image only what the npm package ships, plus the compose config', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
    const shipped = manifest.files.map((entry) => entry.replace(/\/$/, ''));
    const sources = instructions('runtime', 'COPY')
      .map(({ args }) => parseCopy(args))
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources);
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      const allowed =
        source === 'package.json' ||
        source === 'docker/blockwire.compose.yaml' ||
        shipped.some((entry) => source === entry || source.startsWith(`${entry}/`));
      expect(allowed, source).toBe(true);
    }
    expect(sources).not.toContain('src');
  });

  it('runs the built CLI as the unprivileged node user in the runtime image', () => {
    const runtime = stage('runtime').instructions;
    const users = runtime.filter((instruction) => instruction.keyword === 'USER');
    expect(users.map((user) => user.args)).toEqual(['node']);
    const userAt = runtime.indexOf(users[0]!);
    expect(
      runtime.slice(userAt + 1).some((instruction) => ['COPY', 'RUN'].includes(instruction.keyword)),
    ).toBe(false);
    expect(JSON.parse(instructions('runtime', 'ENTRYPOINT')[0]!.args)).toEqual(['node', 'bin/blockwire.js']);
    // Without src/ in the image, bin/blockwire.js runs dist/cli/main.js, which the build compiles
    // from src/cli/main.ts (tsconfig.build.json: rootDir src, outDir dist).
    expect(readFileSync(join(root, 'bin/blockwire.js'), 'utf8')).toContain("'../dist/cli/main.js'");
    const build = readFileSync(join(root, 'tsconfig.build.json'), 'utf8');
    expect(build).toMatch(/"rootDir": "src"/);
    expect(build).toMatch(/"outDir": "dist"/);
    expect(existsSync(join(root, 'src/cli/main.ts'))).toBe(true);
    const cmd = JSON.parse(instructions('runtime', 'CMD')[0]!.args) as string[];
    expect(parseCommandLine(cmd, {})).toMatchObject({ command: 'start', configPath: 'blockwire.yaml' });
  });

  it('checks health on /healthz of the operations port of the config it ships, and exposes both ports', () => {
    const config = composeConfig();
    const [healthcheck] = instructions('runtime', 'HEALTHCHECK');
    expect(healthcheck?.args).toContain(`process.env.METRICS_PORT || ${config.ops.port}`);
    expect(healthcheck?.args).toContain("/healthz'");
    expect(instructions('runtime', 'EXPOSE')[0]?.args.split(/\s+/).sort()).toEqual(
      [String(config.gateway.port), String(config.ops.port)].sort(),
    );
  });

  it('gives the dev image every dependency and the sources the dev chain and the demo deployer need', () => {
    expect(
      lineage('dev')[0]!.instructions.some(
        (instruction) => instruction.args === 'npm ci --no-audit --no-fund',
      ),
    ).toBe(true);
    const sources = instructions('dev', 'COPY').flatMap(({ args }) => parseCopy(args).sources);
    for (const needed of ['bin', 'src', 'test/contracts', 'tsconfig.json'])
      expect(sources, needed).toContain(needed);
  });

  it('copies only files that exist into the images', () => {
    const sources = stages.flatMap((each) =>
      each.instructions
        .filter((instruction) => instruction.keyword === 'COPY')
        .map(({ args }) => parseCopy(args))
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources),
    );
    expect(sources.length).toBeGreaterThan(10);
    for (const source of sources) expect(existsSync(join(root, source)), source).toBe(true);
  });
});

describe('.dockerignore', () => {
  const excluded = dockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));

  it('keeps installs, builds, local state and test output out of the build context', () => {
    for (const path of [
      'node_modules/zod/package.json',
      'examples/node_modules/x/index.js',
      'dist/cli/main.js',
      '.stack/redis/data/dump.rdb',
      'test-results/report.json',
      'coverage/index.html',
      '.env',
      'kafka.log',
    ])
      expect(excluded(path), path).toBe(true);
  });

  it('sends every committed file a COPY takes (src/dashboard/dist included)', () => {
    const sources = stages.flatMap((each) =>
      each.instructions
        .filter((instruction) => instruction.keyword === 'COPY')
        .map(({ args }) => parseCopy(args))
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources),
    );
    const tracked = execFileSync('git', ['ls-files', '-z', '--', ...new Set(sources)], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((path) => path !== '');
    expect(tracked).toContain('src/dashboard/dist/dashboard.js');
    expect(tracked.filter(excluded)).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('runs Kafka, Redis, a dev chain, the demo deployer, the three roles and the monitoring kit as separate services', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'chain',
      'demo',
      'gateway',
      'grafana',
      'ingest',
      'kafka',
      'process',
      'prometheus',
      'redis',
    ]);
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:3\.9/);
  });

  it('builds the roles from the runtime target and the dev chain and demo deployer from the dev target', () => {
    const targets = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, service]) => service.build !== undefined)
        .map(([name, service]) => [name, service.build]),
    );
    expect(targets).toEqual({
      chain: { context: '.', target: 'dev' },
      demo: { context: '.', target: 'dev' },
      ingest: { context: '.', target: 'runtime' },
      process: { context: '.', target: 'runtime' },
      gateway: { context: '.', target: 'runtime' },
    });
  });

  it('starts every blockwire service with a command the CLI accepts', () => {
    for (const name of [...roles, 'demo']) {
      const parsed = parseCommandLine(compose.services[name]!.command!, {});
      expect(parsed.command).toBe(name === 'demo' ? 'demo' : 'start');
      if (parsed.command === 'start') {
        expect(parsed.roles).toEqual([name]);
        // The config the command names is the one the runtime image copies from docker/.
        const copied = instructions('runtime', 'COPY')
          .map(({ args }) => parseCopy(args))
          .find((copy) => copy.destination === `./${parsed.configPath}`);
        expect(copied?.sources).toEqual(['docker/blockwire.compose.yaml']);
      }
    }
  });

  it('runs the ingest and process roles with the young generation their benchmarks use, the gateway with the default', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const flag = /--max-semi-space-size=\d+/.exec(scripts['bench:ingest'] ?? '')?.[0];
    expect(flag).toBeDefined();
    expect(scripts['bench:process']).toContain(flag);
    expect(compose.services.ingest!.environment?.NODE_OPTIONS).toBe(flag);
    expect(compose.services.process!.environment?.NODE_OPTIONS).toBe(flag);
    // A gateway holds many connections; its memory per connection is what its benchmark measures.
    expect(compose.services.gateway!.environment?.NODE_OPTIONS).toBeUndefined();
  });

  it('runs the dev chain with the Hardhat config of the dev image', () => {
    const entrypoint = compose.services.chain!.entrypoint!;
    const config = entrypoint[entrypoint.indexOf('--config') + 1]!;
    expect(config.startsWith('src/')).toBe(true);
    expect(existsSync(join(root, config))).toBe(true);
  });

  it('checks every role on /readyz of the operations port, which listens for the other containers', () => {
    const config = composeConfig(compose.services.ingest!.environment);
    expect(config.ops).toEqual({ host: '0.0.0.0', port: 9464 });
    for (const name of roles) {
      const test = compose.services[name]!.healthcheck?.test?.join(' ') ?? '';
      expect(test, name).toContain(`http://127.0.0.1:${config.ops.port}/readyz`);
    }
  });

  it('depends only on services that exist and that have health checks when waited for healthy', () => {
    for (const service of Object.values(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect(target, dependency).toBeDefined();
        if (condition === 'service_healthy') expect(target?.healthcheck?.test, dependency).toBeDefined();
      }
    }
  });

  it('ships a config that validates with the environment compose gives the roles', () => {
    const config = composeConfig(compose.services.gateway!.environment);
    expect(config.kafka.brokers).toEqual(['kafka:9092']);
    expect(config.redis.url).toBe('redis://redis:6379');
    expect(config.chains[0]!.rpc.ws).toBe('ws://chain:8545');
    expect(config.gateway.host).toBe('0.0.0.0');
  });

  // The compose plugin validates the whole file (and the build targets against the Dockerfile) without
  // an engine; it is missing from machines that have only the docker client.
  const composePlugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!composePlugin)('is valid for `docker compose config`', () => {
    const result = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
