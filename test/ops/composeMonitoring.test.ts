import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../src/dev-stack/paths.ts';
import { loadConfig } from '../../src/shared/config/index.ts';

// No Docker engine runs where the tests run: these checks keep the monitoring services of
// docker-compose.yml wired to the files under ops/ and to the blockwire services they watch.
type Service = {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
};

const readYaml = <T>(path: string) => parse(readFileSync(join(repoRoot, path), 'utf8'), { merge: true }) as T;
const compose = readYaml<{ services: Record<string, Service> }>('docker-compose.yml');
const service = (name: string) => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

/** The host file or folder mounted at `target` in `name`, relative to the repo. */
function mountedAt(name: string, target: string): string | undefined {
  for (const volume of service(name).volumes ?? []) {
    const [source, mountTarget] = volume.split(':');
    if (source?.startsWith('./') && mountTarget === target) return source.slice(2);
  }
  return undefined;
}

/** Maps a path inside the container of `name` to the repo file mounted there (by file or folder). */
function hostPath(name: string, containerPath: string): string | undefined {
  for (const volume of service(name).volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source?.startsWith('./') || !target) continue;
    if (containerPath === target) return source.slice(2);
    if (containerPath.startsWith(`${target}/`))
      return posix.join(source.slice(2), containerPath.slice(target.length + 1));
  }
  return undefined;
}

/**
 * Ports a service answers on inside the compose network: its published ports and, for a blockwire
 * role, the operations port (`ops.port`) of the config it runs (docker/blockwire.compose.yaml).
 */
function portsOf(name: string): string[] {
  const { environment = {}, ports = [], command = [] } = service(name);
  const runsBlockwire = command[0] === 'start';
  const opsPort = runsBlockwire
    ? loadConfig(join(repoRoot, 'docker/blockwire.compose.yaml'), environment).ops.port
    : undefined;
  return [opsPort?.toString(), ...ports.map((port) => port.split(':').at(-1))].filter(
    (port): port is string => port !== undefined,
  );
}

const flag = (name: string, option: string) =>
  service(name)
    .command?.find((argument) => argument.startsWith(`--${option}=`))
    ?.split('=')[1];

describe('monitoring services of docker-compose.yml', () => {
  it('mounts only files of the repo that exist', () => {
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      for (const volume of service(name).volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./'))
          expect(existsSync(join(repoRoot, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('runs Prometheus with ops/prometheus/prometheus.yml, which scrapes every blockwire role on its metrics port', () => {
    const configFile = hostPath('prometheus', flag('prometheus', 'config.file')!);
    expect(configFile).toBe('ops/prometheus/prometheus.yml');
    const config = readYaml<{
      rule_files: string[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    }>(configFile!);
    expect(config.rule_files).toEqual(['alerts.yml']);
    const targets = new Map(
      config.scrape_configs.flatMap((job) =>
        job.static_configs.flatMap((group) => group.targets.map((target) => [target, job.job_name] as const)),
      ),
    );
    for (const role of ['ingest', 'process', 'gateway']) {
      const scraped = [...targets].filter(([target]) => target.split(':')[0] === role);
      expect(scraped, role).toHaveLength(1);
      const [target, job] = scraped[0]!;
      expect(portsOf(role), role).toContain(target.split(':')[1]);
      // BlockwireTargetDown and the dashboard select job=~"blockwire.*".
      expect(job).toMatch(/^blockwire/);
    }
    const [alertmanager] = config.alerting.alertmanagers[0]!.static_configs[0]!.targets;
    const [host, port] = alertmanager!.split(':');
    expect(portsOf(host!)).toContain(port);
  });

  it('runs Alertmanager with ops/alertmanager/alertmanager.yml', () => {
    expect(hostPath('alertmanager', flag('alertmanager', 'config.file')!)).toBe(
      'ops/alertmanager/alertmanager.yml',
    );
  });

  it('provisions Grafana with data sources on the compose services and the blockwire dashboard', () => {
    const provisioning = mountedAt('grafana', '/etc/grafana/provisioning');
    expect(provisioning).toBe('ops/grafana/provisioning');
    const { datasources } = readYaml<{ datasources: { type: string; url: string }[] }>(
      `${provisioning}/datasources/blockwire.yml`,
    );
    for (const { type, url } of datasources) {
      const { hostname, port } = new URL(url);
      expect(portsOf(hostname), type).toContain(port);
    }
    expect(datasources.map((source) => source.type).sort()).toEqual(['alertmanager', 'prometheus']);
    const { providers } = readYaml<{ providers: { options: { path: string } }[] }>(
      `${provisioning}/dashboards/blockwire.yml`,
    );
    expect(hostPath('grafana', `${providers[0]!.options.path}/blockwire.json`)).toBe(
      'ops/grafana/blockwire.json',
    );
    const home = service('grafana').environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(hostPath('grafana', home!)).toBe('ops/grafana/blockwire.json');
  });

  it('the dashboard takes its Prometheus from its data source variable and has the rows of the operations doc', () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'ops/grafana/blockwire.json'), 'utf8')) as {
      panels: { id: number; type: string; title: string; datasource?: { uid: string } }[];
    };
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    expect(rows).toEqual([
      'Pipeline per chain',
      'Events per second',
      'Lag',
      'Reorgs and DLQ',
      'Subscribers',
      'Delivery latency',
      'Redis and Kafka health',
      'Process',
    ]);
    const operations = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
    for (const row of rows) expect(operations, row).toContain(`| ${row} |`);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((panel) => panel.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });
});
