import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from '../../src/dev-stack/findExecutable.ts';
import { resolveStackDir } from '../../src/dev-stack/paths.ts';
import { StackError } from '../../src/shared/errors/index.ts';

const execFileAsync = promisify(execFile);

/** Debian packages whose `/usr/bin` holds the tools; their binaries are static Go programs. */
const packages = ['prometheus', 'prometheus-alertmanager'] as const;

const install =
  'install Prometheus and Alertmanager (Debian/Ubuntu: apt-get install prometheus prometheus-alertmanager; macOS: brew install prometheus alertmanager)';

/** Parameters of {@link ensurePrometheusTools}. */
export type EnsurePrometheusToolsParameters = {
  /** Where to look for installed tools first. Default: `PATH`. */
  path?: string | undefined;
  /** Cache folder. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
  /** Fetch Debian's packages into the cache when the tools are missing. Default `true`. */
  fetch?: boolean | undefined;
};

/** Paths of the checkers the ops kit's tests run. */
export type PrometheusTools = {
  /** `promtool` (checks and unit-tests Prometheus configs and rules). */
  promtool: string;
  /** `amtool` (checks Alertmanager configs). */
  amtool: string;
  /** Where they came from: already installed, the cache, or fetched by this call. */
  source: 'path' | 'cache' | 'fetched';
};

/**
 * Returns `promtool` and `amtool`: from `PATH` when both are installed, otherwise the binaries of
 * Debian's `prometheus` and `prometheus-alertmanager` packages, fetched once with `apt-get download`
 * and unpacked with `dpkg-deb` into `<stackDir>/prometheus-tools` (no package is installed and no
 * service is started). Throws a {@link StackError} naming what to install when that is not possible.
 */
export async function ensurePrometheusTools(
  parameters: EnsurePrometheusToolsParameters = {},
): Promise<PrometheusTools> {
  const promtool = findExecutable('promtool', parameters.path);
  const amtool = findExecutable('amtool', parameters.path);
  if (promtool && amtool) return { promtool, amtool, source: 'path' };

  const cache = join(resolveStackDir(parameters.stackDir), 'prometheus-tools');
  const cached = { promtool: join(cache, 'usr/bin/promtool'), amtool: join(cache, 'usr/bin/amtool') };
  if (existsSync(join(cache, '.complete'))) return { ...cached, source: 'cache' };

  const missing = [promtool ? undefined : 'promtool', amtool ? undefined : 'amtool'].filter(Boolean);
  const notFound = `${missing.join(' and ')} not found on PATH`;
  if (parameters.fetch === false) {
    throw new StackError(`${notFound}: ${install}`, { code: 'STACK_PROMTOOL_MISSING' });
  }
  const aptGet = findExecutable('apt-get', parameters.path);
  const dpkgDeb = findExecutable('dpkg-deb', parameters.path);
  if (!aptGet || !dpkgDeb) {
    throw new StackError(`${notFound} and apt-get is not available to fetch them: ${install}`, {
      code: 'STACK_PROMTOOL_MISSING',
    });
  }
  await fetchDebianPackages({ aptGet, dpkgDeb, cache, notFound });
  return { ...cached, source: 'fetched' };
}

type FetchParameters = { aptGet: string; dpkgDeb: string; cache: string; notFound: string };

/** Downloads and unpacks the packages into a private folder, then renames it into place. */
async function fetchDebianPackages({ aptGet, dpkgDeb, cache, notFound }: FetchParameters): Promise<void> {
  // Two parallel first runs must not see half an unpacked folder.
  const tmp = `${cache}.tmp-${process.pid}-${Date.now()}`;
  const debs = join(tmp, 'debs');
  mkdirSync(debs, { recursive: true });
  try {
    await aptDownload(aptGet, debs, notFound);
    for (const deb of readdirSync(debs).filter((file) => file.endsWith('.deb'))) {
      await execFileAsync(dpkgDeb, ['-x', join(debs, deb), tmp], { timeout: 120_000 });
    }
    // Only the binaries are needed; the rest (web assets, with links into /usr/share) is dropped.
    for (const entry of readdirSync(tmp)) {
      if (entry !== 'usr') rmSync(join(tmp, entry), { recursive: true, force: true });
    }
    for (const entry of readdirSync(join(tmp, 'usr'))) {
      if (entry !== 'bin') rmSync(join(tmp, 'usr', entry), { recursive: true, force: true });
    }
    for (const tool of ['promtool', 'amtool']) {
      if (!existsSync(join(tmp, 'usr/bin', tool))) {
        throw new StackError(`Debian's packages were unpacked but have no usr/bin/${tool}: ${install}`, {
          code: 'STACK_PROMTOOL_MISSING',
        });
      }
    }
    writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(tmp, cache);
    } catch {
      // Another run won the race; its folder is just as good.
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(cache, '.complete'))) throw new StackError(`Could not create ${cache}`);
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `apt-get download` needs package lists; a machine that never ran `apt-get update` has none, so
 * the first failure refreshes them (as root) and tries once more.
 */
async function aptDownload(aptGet: string, cwd: string, notFound: string): Promise<void> {
  const download = () =>
    execFileAsync(aptGet, ['download', ...packages], {
      cwd,
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    await download();
    return;
  } catch (first) {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
      throw new StackError(
        `${notFound} and apt-get could not download Debian's packages (run apt-get update as root first?): ${install}`,
        { code: 'STACK_PROMTOOL_MISSING', details: outputOf(first), cause: first },
      );
    }
  }
  try {
    await execFileAsync(aptGet, ['update'], { timeout: 600_000 });
    await download();
  } catch (error) {
    throw new StackError(
      `${notFound} and apt-get could not download Debian's packages (is the Debian mirror reachable?): ${install}`,
      { code: 'STACK_PROMTOOL_MISSING', details: outputOf(error), cause: error, retriable: true },
    );
  }
}

function outputOf(error: unknown): string {
  const output = error as { stdout?: string; stderr?: string };
  return `${output.stdout ?? ''}${output.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
}
