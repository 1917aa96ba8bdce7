#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the dashboard browser test (test/dashboard).
// The test drives /usr/bin/chromium through playwright-core, which downloads no browser of its own.
// Plain Node ESM (no tsx) so it can run as an npm `pretest` hook before anything else is set up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const executable = '/usr/bin/chromium';
const hint = `install Debian's chromium package (apt-get install chromium) so that ${executable} exists`;

function fail(message) {
  console.error(`[ensureChromium] ${message}`);
  console.error(`[ensureChromium] The dashboard browser test needs Chromium: ${hint}.`);
  process.exit(1);
}

function run(command, args) {
  console.log(`[ensureChromium] running: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) fail(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with code ${result.status}`);
}

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

if (existsSync(executable)) {
  console.log(`[ensureChromium] ${executable} is installed.`);
  process.exit(0);
}
if (process.platform !== 'linux')
  fail(`${executable} is missing and this is not Linux (${process.platform})`);
if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  fail(`${executable} is missing and this script installs it only when running as root`);
}
if (!hasAptGet()) fail(`${executable} is missing and apt-get is not available`);

console.log(`[ensureChromium] ${executable} is missing: installing Debian's chromium package.`);
run('apt-get', ['update']);
run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
if (!existsSync(executable)) fail(`apt-get finished but ${executable} still does not exist`);
console.log(`[ensureChromium] installed ${executable}.`);
