/**
 * Processor instances of the marketplace end-to-end test, run as child processes through the CLI and
 * SIGKILLed. Each instance gets its own config file that differs only in `kafka.clientId`, so the
 * consumer group tells which instance holds the partition of the Market's events.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { type Admin, AssignerProtocol } from 'kafkajs';
import { epochKey } from '../../../src/domain/index.ts';
import { type SpawnedProcessor, spawnProcessor } from '../../process/support/spawnProcessor.ts';

/** One processor instance. */
export type MarketProcessor = SpawnedProcessor & { name: string };

/** Parameters of {@link createProcessorPool}. */
export type CreateProcessorPoolParameters = {
  /** The raw config every instance starts from. */
  raw: { kafka: Record<string, unknown> } & Record<string, unknown>;
  /** Folder for the per-instance config files and the shared log file. */
  dir: string;
  admin: Admin;
  redis: Redis;
  keyPrefix: string;
  /** Base consumer group (`process.groupId`); the live group is `<base>.<epoch>`. */
  groupBase: string;
  /** The events.confirmed topic. */
  topic: string;
};

/** Instances kept at a fixed count, replaced one by one when killed. */
export type ProcessorPool = {
  logFile: string;
  /** Starts `count` instances. */
  start(count: number): MarketProcessor[];
  /** The live instances. */
  live(): MarketProcessor[];
  /** Every instance ever started. */
  all(): MarketProcessor[];
  /**
   * The live instance that holds `partition` in the current epoch's group, once the group is stable
   * with exactly the live instances as members (no rebalance pending).
   */
  owner(partition: number): Promise<MarketProcessor | undefined>;
  /** SIGKILLs `victim`, waits for its exit and starts a replacement in its place. */
  killAndReplace(victim: MarketProcessor): Promise<MarketProcessor>;
  /** SIGKILLs every instance and waits for them to exit. */
  stop(): Promise<void>;
};

/** Creates the pool (no instance runs until `start`). */
export function createProcessorPool({
  raw,
  dir,
  admin,
  redis,
  keyPrefix,
  groupBase,
  topic,
}: CreateProcessorPoolParameters): ProcessorPool {
  const logFile = join(dir, 'processors.log');
  const live: MarketProcessor[] = [];
  const all: MarketProcessor[] = [];
  const clientId = String(raw.kafka.clientId ?? 'blockwire');

  const spawnOne = (): MarketProcessor => {
    const name = `${clientId}-p${all.length + 1}`;
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ ...raw, kafka: { ...raw.kafka, clientId: name } }, null, 2));
    const instance = { ...spawnProcessor(path, logFile), name };
    all.push(instance);
    return instance;
  };

  return {
    logFile,
    start(count) {
      for (let index = 0; index < count; index++) live.push(spawnOne());
      return [...live];
    },
    live: () => [...live],
    all: () => [...all],
    async owner(partition) {
      const epoch = await redis.get(epochKey(keyPrefix));
      if (!epoch || epoch.startsWith('rebuilding:')) return undefined;
      const { groups } = await admin.describeGroups([`${groupBase}.${epoch}`]);
      const group = groups[0];
      if (group?.state !== 'Stable' || group.members.length !== live.length) return undefined;
      const names = new Set(live.map((instance) => `${instance.name}-process`));
      // The processor's Kafka client id is `<kafka.clientId>-process`.
      if (!group.members.every((member) => names.has(member.clientId))) return undefined;
      for (const member of group.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        if (!assignment?.assignment[topic]?.includes(partition)) continue;
        return live.find((instance) => member.clientId === `${instance.name}-process`);
      }
      return undefined;
    },
    async killAndReplace(victim) {
      const slot = live.indexOf(victim);
      if (slot < 0) throw new Error(`${victim.name} is not a live instance`);
      victim.child.kill('SIGKILL');
      await victim.exited;
      const replacement = spawnOne();
      live[slot] = replacement;
      return replacement;
    },
    async stop() {
      for (const instance of all) instance.child.kill('SIGKILL');
      await Promise.all(all.map((instance) => instance.exited));
    },
  };
}
