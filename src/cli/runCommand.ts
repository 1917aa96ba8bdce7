import { readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfig } from '../shared/config/index.ts';
import { ConfigError } from '../shared/errors/index.ts';
import { assertCheckout } from './assertCheckout.ts';
import type { CommandLine } from './parseCommandLine.ts';
import { runDev } from './runDev.ts';
import { runRoles } from './runRoles.ts';

/** Runs one parsed command to completion. */
export async function runCommand(
  commandLine: Exclude<CommandLine, { command: 'help' }>,
  logger: Logger,
): Promise<void> {
  switch (commandLine.command) {
    case 'config-check': {
      const config = loadConfig(commandLine.configPath);
      const contracts = config.chains.reduce((sum, chain) => sum + chain.contracts.length, 0);
      process.stdout.write(
        `${commandLine.configPath}: valid (${config.chains.length} chain(s), ${contracts} contract(s))\n`,
      );
      return;
    }
    case 'schema-print': {
      const { printSchemaFromConfig } = await import('../gateway/printSchema.ts');
      const sdl = printSchemaFromConfig(loadConfig(commandLine.configPath));
      if (commandLine.check) {
        let current: string;
        try {
          current = readFileSync(commandLine.check, 'utf8');
        } catch {
          throw new ConfigError(`Cannot read ${commandLine.check}; run "npm run schema:print" to create it.`);
        }
        if (current !== sdl) {
          throw new ConfigError(
            `${commandLine.check} is out of date with ${commandLine.configPath}; run "npm run schema:print" and commit the result.`,
          );
        }
        process.stdout.write(`${commandLine.check} is up to date\n`);
      } else if (commandLine.out) {
        writeFileSync(commandLine.out, sdl);
        process.stdout.write(`Wrote ${commandLine.out}\n`);
      } else {
        process.stdout.write(sdl);
      }
      return;
    }
    case 'rebuild': {
      const config = loadConfig(commandLine.configPath);
      const { requestRebuild } = await import('../process/index.ts');
      const { key, previousEpoch } = await requestRebuild({ config, logger });
      process.stdout.write(
        `${
          previousEpoch === undefined
            ? `The epoch marker ${key} did not exist (no projection built yet, or a rebuild is already pending).`
            : `Deleted the epoch marker ${key} (epoch ${previousEpoch}).`
        } Running processors notice it within a second, wipe the Redis projection and replay events.confirmed from the beginning; with none running, the next processor to start does.\n`,
      );
      return;
    }
    case 'start': {
      const config = loadConfig(commandLine.configPath);
      const { workers } = commandLine;
      await runRoles({
        config: workers === undefined ? config : { ...config, gateway: { ...config.gateway, workers } },
        roles: commandLine.roles,
        logger,
      });
      return;
    }
    case 'demo': {
      assertCheckout('demo');
      const { runDemo } = await import('./runDemo.ts');
      await runDemo({ rpcHttp: commandLine.rpcHttp, logger });
      return;
    }
    case 'dev':
      assertCheckout('dev');
      await runDev({ configPath: commandLine.configPath, traffic: commandLine.traffic, logger });
      return;
  }
}
