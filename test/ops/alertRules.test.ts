import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensurePrometheusTools, type PrometheusTools } from '../../scripts/ops/ensurePrometheusTools.ts';
import { repoRoot } from '../../src/dev-stack/paths.ts';

const execFileAsync = promisify(execFile);
const rulesFile = join(repoRoot, 'ops/prometheus/alerts.yml');
const rulesTestFile = join(repoRoot, 'ops/prometheus/alerts.test.yml');

type ToolResult = { code: number; output: string };

async function run(command: string, args: string[]): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd: repoRoot, timeout: 60_000 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** The alerts whose promtool test cases failed, from `promtool test rules` output. */
function failingAlerts(output: string): string[] {
  return [...new Set([...output.matchAll(/alertname: (\w+), time:/g)].map((match) => match[1]!))].sort();
}

/**
 * Writes alerts.yml with `from` replaced by `to` inside the rule of `alert` only, beside a copy of
 * alerts.test.yml, and returns the copied test file.
 */
function writeBrokenRules(alert: string, from: string, to: string): string {
  const rules = readFileSync(rulesFile, 'utf8');
  const start = rules.indexOf(`- alert: ${alert}\n`);
  expect(start, alert).toBeGreaterThan(0);
  const next = rules.indexOf('- alert: ', start + 1);
  const end = next === -1 ? rules.length : next;
  const rule = rules.slice(start, end);
  expect(rule, `${alert} contains ${from}`).toContain(from);
  const dir = mkdtempSync(join(tmpdir(), 'bw-alerts-'));
  writeFileSync(
    join(dir, 'alerts.yml'),
    rules.slice(0, start) + rule.replaceAll(from, to) + rules.slice(end),
  );
  copyFileSync(rulesTestFile, join(dir, 'alerts.test.yml'));
  return join(dir, 'alerts.test.yml');
}

type Rule = {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
type RuleTests = {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
};
const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);

describe('alert rules (ops/prometheus/alerts.yml)', () => {
  let tools: PrometheusTools;
  beforeAll(async () => {
    // Installed tools, or Debian's packages fetched once into .stack/prometheus-tools.
    tools = await ensurePrometheusTools();
  }, 600_000);

  it('has the alerts of the operations kit, each with a severity, a summary, a description and a runbook section', () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'BlockwireChainWithoutLeader',
      'BlockwireConsumerLagHigh',
      'BlockwireDeepReorg',
      'BlockwireDeliveryLatencyHigh',
      'BlockwireDlqMessages',
      'BlockwireIngestLagHigh',
      'BlockwireIngestStalled',
      'BlockwireMemoryNearLimit',
      'BlockwireRebuildRunning',
      'BlockwireTargetDown',
    ]);
    const operations = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description?.length, rule.alert).toBeGreaterThan(100);
      expect(rule.annotations?.runbook, rule.alert).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(operations, rule.alert).toContain(`\n### ${rule.alert}\n`);
    }
  });

  it('has promtool cases where each alert fires and cases where it does not', () => {
    const cases = (parse(readFileSync(rulesTestFile, 'utf8')) as RuleTests).tests.flatMap(
      (test) => test.alert_rule_test ?? [],
    );
    for (const { alert } of rules) {
      const own = cases.filter((test) => test.alertname === alert);
      expect(
        own.some((test) => (test.exp_alerts ?? []).length > 0),
        `${alert} fires`,
      ).toBe(true);
      expect(
        own.some((test) => (test.exp_alerts ?? []).length === 0),
        `${alert} stays quiet`,
      ).toBe(true);
    }
  });

  it('passes promtool check rules', async () => {
    const result = await run(tools.promtool, ['check', 'rules', rulesFile]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.code).toBe(0);
  });

  it('passes its promtool unit tests', async () => {
    const result = await run(tools.promtool, ['test', 'rules', rulesTestFile]);
    expect(result.output).toContain('SUCCESS');
    expect(failingAlerts(result.output)).toEqual([]);
    expect(result.code).toBe(0);
  });

  // Each row breaks one alert: raised so far that it never fires (its firing case must fail), or
  // made too eager (its quiet case must fail). promtool has to fail for that alert and no other.
  it.each([
    ['BlockwireDeliveryLatencyHigh', ') > 0.5', ') > 1e9'],
    ['BlockwireDeliveryLatencyHigh', ') > 0.5', ') > 0.1'],
    ['BlockwireConsumerLagHigh', '> 10000', '> 1e9'],
    ['BlockwireConsumerLagHigh', '> 10000', '> 9000'],
    [
      'BlockwireDlqMessages',
      'increase(blockwire_process_dlq_total[15m]) > 0',
      'increase(blockwire_process_dlq_total[15m]) > 1e9',
    ],
    [
      'BlockwireDlqMessages',
      '(blockwire_process_dlq_total > 0 unless',
      '(blockwire_process_dlq_total > 1e9 unless',
    ],
    [
      'BlockwireDlqMessages',
      'increase(blockwire_process_dlq_total[15m]) > 0',
      'increase(blockwire_process_dlq_total[15m]) >= 0',
    ],
    ['BlockwireRebuildRunning', '(blockwire_process_rebuilding) > 0', '(blockwire_process_rebuilding) > 1e9'],
    ['BlockwireRebuildRunning', '(blockwire_process_rebuilding) > 0', '(blockwire_process_rebuilding) >= 0'],
    ['BlockwireIngestLagHigh', '(blockwire_ingest_lag_blocks > 100)', '(blockwire_ingest_lag_blocks > 1e9)'],
    ['BlockwireIngestLagHigh', '(blockwire_ingest_lag_blocks > 100)', '(blockwire_ingest_lag_blocks > 10)'],
    ['BlockwireIngestStalled', '[10m]) > 0)', '[10m]) >= 0)'],
    ['BlockwireIngestStalled', '(blockwire_ingest_leader == 1)', '(blockwire_ingest_leader >= 0)'],
    ['BlockwireDeepReorg', '{kind="deep"}[15m]) > 0', '{kind="deep"}[15m]) > 1e9'],
    ['BlockwireDeepReorg', '{kind="deep"}[15m]', '[15m]'],
    ['BlockwireChainWithoutLeader', '(blockwire_ingest_leader) == 1)', '(blockwire_ingest_leader) >= 0)'],
    ['BlockwireChainWithoutLeader', '(blockwire_ingest_leader) == 1)', '(blockwire_ingest_leader) == 2)'],
    ['BlockwireMemoryNearLimit', ') > 0.85', ') > 1e9'],
    ['BlockwireMemoryNearLimit', ') > 0.85', ') > 0.75'],
    ['BlockwireTargetDown', '== 0', '== 1e9'],
    ['BlockwireTargetDown', 'job=~"blockwire.*"', 'job=~".*"'],
  ])('promtool fails for %s when `%s` becomes `%s`', async (alert, from, to) => {
    const result = await run(tools.promtool, ['test', 'rules', writeBrokenRules(alert, from, to)]);
    expect(result.code, result.output).not.toBe(0);
    expect(failingAlerts(result.output)).toEqual([alert]);
  });

  it('is loaded by valid Prometheus configs for docker compose and for a local blockwire', async () => {
    for (const config of ['ops/prometheus/prometheus.yml', 'ops/prometheus/prometheus.dev.yml']) {
      const result = await run(tools.promtool, ['check', 'config', config]);
      expect(result.output, config).toContain('SUCCESS: 1 rule files found');
      expect(result.code, `${config}\n${result.output}`).toBe(0);
    }
  });

  it('goes to a valid Alertmanager config', async () => {
    const result = await run(tools.amtool, ['check-config', 'ops/alertmanager/alertmanager.yml']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });
});

describe('promtool on a machine without it', () => {
  const empty = () => mkdtempSync(join(tmpdir(), 'bw-no-tools-'));

  it('says what to install when the tools are missing and may not be fetched', async () => {
    await expect(ensurePrometheusTools({ path: empty(), stackDir: empty(), fetch: false })).rejects.toThrow(
      'promtool and amtool not found on PATH: install Prometheus and Alertmanager (Debian/Ubuntu: apt-get install prometheus prometheus-alertmanager; macOS: brew install prometheus alertmanager)',
    );
  });

  it('says what to install when apt-get is not there to fetch them', async () => {
    await expect(ensurePrometheusTools({ path: empty(), stackDir: empty() })).rejects.toThrow(
      'promtool and amtool not found on PATH and apt-get is not available to fetch them: install Prometheus',
    );
  });
});
