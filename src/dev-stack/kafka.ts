import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { StackError } from '../shared/errors/index.ts';
import { clampKafkaRequestQueueTimer } from '../shared/kafkaRequestQueueTimer.ts';
import { createLogger } from '../shared/logger.ts';
import { findExecutable } from './findExecutable.ts';
import { freeStablePort } from './freePort.ts';
import { kafkaClusterId } from './kafkaClusterId.ts';
import { kafkaServerProperties } from './kafkaServerProperties.ts';
import { createManagedProcess } from './managedProcess.ts';
import { parseJavaMajorVersion } from './parseJavaMajorVersion.ts';
import { repoRoot, resolveStackDir } from './paths.ts';
import { waitFor } from './waitFor.ts';

// Its probes use kafkajs directly: without this, Node 23+ prints a TimeoutNegativeWarning.
clampKafkaRequestQueueTimer();

const execFileAsync = promisify(execFile);
const log = createLogger('dev-stack.kafka');

/** Apache Kafka release resolved from Maven Central by `src/dev-stack/kafka/pom.xml`. */
export const KAFKA_VERSION = '3.9.1';

/** Parameters of {@link startKafka}. */
export type StartKafkaParameters = {
  /** Use these brokers when they answer. Default: `KAFKA_BROKERS` (comma-separated). */
  brokers?: string[] | undefined;
  /**
   * Nodes of the cluster started here (each broker and controller). Default 1. With three or more,
   * topics get three replicas of which two must have each write (see {@link kafkaServerProperties}).
   */
  nodes?: number | undefined;
  /** Client port of the (first) broker started here. Default: `BLOCKWIRE_KAFKA_PORT` or a free port. */
  port?: number | undefined;
  /** Cache, data and log folder. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
  /** Partitions of auto-created topics. Default 3. */
  numPartitions?: number | undefined;
  /** Extra broker settings. */
  overrides?: Record<string, string | number | boolean> | undefined;
  /** Max heap of each broker JVM. Default `768m`. */
  heap?: string | undefined;
  /** How long to wait for the brokers. Default 90 000 ms, and 30 000 ms more per further node. */
  timeoutMs?: number | undefined;
};

/** One node of a cluster started here, which a test may crash and start again. */
export type KafkaNode = {
  /** `node.id` of the node. */
  id: number;
  /** Its client address, `127.0.0.1:<port>`. */
  broker: string;
  /** Broker log file. */
  logFile: string;
  /** Whether its process runs. */
  running(): boolean;
  /** SIGKILLs the node, as a crash would; its data stays. */
  kill(): Promise<void>;
  /** Starts a stopped or killed node again on its data and waits until it answers. */
  restart(): Promise<void>;
};

/** A reachable Kafka, started here or found running. */
export type KafkaHandle = {
  brokers: string[];
  /** `true` when this call started the broker (and `stop()` will stop it). */
  started: boolean;
  /** Broker log file when started here (the first node's, in a cluster). */
  logFile?: string | undefined;
  /** The nodes started here, in `node.id` order; empty when a running Kafka was found. */
  nodes: KafkaNode[];
  stop(): Promise<void>;
};
/**
 * Resolves `true` when a kafkajs admin can list topics on `brokers` within `timeoutMs`, and the
 * cluster lists at least `expectedBrokers` brokers.
 */
export async function isKafkaReachable(
  brokers: string[],
  timeoutMs = 3_000,
  expectedBrokers = 1,
): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'blockwire-dev-stack-probe',
    brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.listTopics();
        if (expectedBrokers > 1) {
          const { brokers: listed } = await admin.describeCluster();
          if (listed.length < expectedBrokers) throw new Error(`${listed.length} brokers`);
        }
      })(),
      timeoutMs + 500,
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Returns a reachable Kafka: the configured brokers when they answer, otherwise a KRaft cluster of
 * `nodes` nodes (default one) started from Maven Central jars (cached in
 * `<stackDir>/kafka/lib-<version>`) with Java 17.
 */
export async function startKafka(parameters: StartKafkaParameters = {}): Promise<KafkaHandle> {
  const configured = parameters.brokers ?? splitBrokers(process.env.KAFKA_BROKERS);
  if (configured.length > 0) {
    if (await isKafkaReachable(configured)) {
      log.info({ msg: 'Using running Kafka', brokers: configured });
      return { brokers: configured, started: false, nodes: [], stop: async () => {} };
    }
    log.warn({ msg: 'Configured Kafka does not answer; starting a local broker', brokers: configured });
  }
  const count = parameters.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new StackError(`Kafka nodes must be a whole number from 1 to 9, got ${String(parameters.nodes)}`, {
      code: 'STACK_KAFKA_NODES',
    });
  }

  const stackDir = resolveStackDir(parameters.stackDir);
  const java = await requireJava17();
  const lib = await ensureKafkaLib(stackDir);
  // A port found free may be taken (by any process) before the broker binds it; the broker then
  // exits at start, and a cluster started again on other ports does not meet the same clash.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNodes({ parameters, count, stackDir, java, lib });
    } catch (error) {
      if ((error as StackError).code !== 'STACK_KAFKA_EXITED' || attempt >= 3) throw error;
      log.warn({
        msg: 'A Kafka broker exited at start; starting again on other ports',
        err: (error as Error).message,
      });
    }
  }
}

/** Parameters of {@link startNodes}. */
type StartNodesParameters = {
  parameters: StartKafkaParameters;
  count: number;
  stackDir: string;
  java: string;
  lib: string;
};

/** Formats and starts `count` KRaft nodes on free ports and waits until they form the cluster. */
async function startNodes({
  parameters,
  count,
  stackDir,
  java,
  lib,
}: StartNodesParameters): Promise<KafkaHandle> {
  const envPort = process.env.BLOCKWIRE_KAFKA_PORT ? Number(process.env.BLOCKWIRE_KAFKA_PORT) : undefined;
  const firstPort = parameters.port ?? envPort;
  const layout: { nodeId: number; port: number; controllerPort: number; dataDir: string }[] = [];
  const taken = new Set<number>(firstPort === undefined ? [] : [firstPort]);
  const distinctFreePort = async () => {
    for (;;) {
      const port = await freeStablePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  for (let index = 0; index < count; index++) {
    const port = index === 0 && firstPort !== undefined ? firstPort : await distinctFreePort();
    layout.push({
      nodeId: index + 1,
      port,
      controllerPort: await distinctFreePort(),
      dataDir: `${stackDir}/kafka/data-${port}`,
    });
  }
  const classpath = `${lib}/*`;
  const jvmLogging = (dataDir: string) => [
    `-Dlog4j.configuration=file:${dataDir}/log4j.properties`,
    `-Dkafka.logs.dir=${dataDir}`,
  ];
  const clusterId = kafkaClusterId();
  await Promise.all(
    layout.map(async ({ nodeId, port, controllerPort, dataDir }) => {
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(`${dataDir}/logs`, { recursive: true });
      writeFileSync(
        `${dataDir}/server.properties`,
        kafkaServerProperties({
          port,
          controllerPort,
          logDir: `${dataDir}/logs`,
          nodeId,
          voters: layout,
          numPartitions: parameters.numPartitions,
          overrides: parameters.overrides,
        }),
      );
      writeFileSync(`${dataDir}/log4j.properties`, log4jProperties(`${dataDir}/server.log`));
      try {
        await execFileAsync(
          java,
          [
            ...jvmLogging(dataDir),
            '-cp',
            classpath,
            'kafka.tools.StorageTool',
            'format',
            '-t',
            clusterId,
            '-c',
            `${dataDir}/server.properties`,
          ],
          { timeout: 60_000 },
        );
      } catch (error) {
        throw new StackError('Could not format the Kafka storage directory', {
          details: `${dataDir}: ${(error as { stderr?: string }).stderr ?? ''}`.trim(),
          cause: error,
        });
      }
    }),
  );

  const launch = (dataDir: string) =>
    createManagedProcess({
      name: 'kafka',
      command: java,
      args: [
        `-Xmx${parameters.heap ?? '768m'}`,
        '-Xms128m',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        ...jvmLogging(dataDir),
        '-cp',
        classpath,
        'kafka.Kafka',
        `${dataDir}/server.properties`,
      ],
      logFile: `${dataDir}/stdout.log`,
      cwd: dataDir,
    });
  const processes = layout.map(({ dataDir }) => launch(dataDir));
  const brokers = layout.map(({ port }) => `127.0.0.1:${port}`);
  const timeoutMs = parameters.timeoutMs ?? 90_000 + 30_000 * (count - 1);
  /** Waits until `addresses` answer and the cluster lists `expected` brokers. */
  const waitReady = (addresses: string[], expected: number, abort: () => string | undefined) =>
    waitFor(() => isKafkaReachable(addresses, 2_000, expected), {
      description: `Kafka on ${addresses.join(',')}${expected > 1 ? ` with ${expected} brokers` : ''}`,
      timeoutMs,
      intervalMs: 250,
      abort,
    });
  const failed = (index: number) => {
    const reason = processes[index]!.exitReason();
    const { dataDir } = layout[index]!;
    return (
      reason &&
      `broker ${index + 1} ${reason}. Log ${dataDir}/server.log:\n${fileTail(`${dataDir}/server.log`)}\n${processes[index]!.logTail()}`.trimEnd()
    );
  };
  const stop = async () => {
    await Promise.all(processes.map((child) => child.stop()));
    for (const { dataDir } of layout) rmSync(dataDir, { recursive: true, force: true });
  };
  log.info({
    msg: count === 1 ? 'Starting Kafka' : `Starting a Kafka cluster of ${count} nodes`,
    version: KAFKA_VERSION,
    ports: layout.map(({ port }) => port),
    pids: processes.map((child) => child.pid),
  });
  try {
    await waitReady(brokers, count, () => processes.map((_, index) => failed(index)).find(Boolean));
  } catch (error) {
    // Read before stopping: once stopped, every broker has an exit reason.
    const exited = processes.some((child) => child.exitReason() !== undefined);
    await stop();
    if (exited) {
      throw new StackError((error as Error).message, { code: 'STACK_KAFKA_EXITED', cause: error });
    }
    throw error;
  }
  const nodes: KafkaNode[] = layout.map(({ nodeId, dataDir }, index) => ({
    id: nodeId,
    broker: brokers[index]!,
    logFile: `${dataDir}/server.log`,
    running: () => processes[index]!.exitReason() === undefined,
    kill: () => processes[index]!.kill(),
    async restart() {
      await processes[index]!.stop();
      processes[index] = launch(dataDir);
      log.info({ msg: 'Restarting a Kafka node', node: nodeId, pid: processes[index]!.pid });
      await waitReady([brokers[index]!], count, () => failed(index));
    },
  }));
  return { brokers, started: true, logFile: nodes[0]!.logFile, nodes, stop };
}

/** Checks that `java` is a JDK/JRE 17 or newer and returns its path. */
async function requireJava17(): Promise<string> {
  const install =
    'install a JDK 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)';
  const java = findExecutable('java');
  if (!java) throw new StackError(`Java 17 not found on PATH: ${install}`, { code: 'STACK_JAVA_MISSING' });
  let output = '';
  try {
    const result = await execFileAsync(java, ['-version']);
    output = `${result.stderr}${result.stdout}`;
  } catch (error) {
    throw new StackError(`Could not run ${java} -version: ${install}`, { cause: error });
  }
  const major = parseJavaMajorVersion(output);
  if (major === undefined || major < 17) {
    throw new StackError(
      `Java 17 or newer is needed for Kafka ${KAFKA_VERSION}, found ${major ?? 'unknown'}: ${install}`,
      {
        code: 'STACK_JAVA_MISSING',
      },
    );
  }
  return java;
}

/** Resolves the broker jars with Maven once; later runs find them in the cache folder. */
async function ensureKafkaLib(stackDir: string): Promise<string> {
  const lib = `${stackDir}/kafka/lib-${KAFKA_VERSION}`;
  if (existsSync(`${lib}/.complete`)) return lib;
  const mvn = findExecutable('mvn');
  if (!mvn) {
    throw new StackError(
      `Maven not found on PATH: install Maven to download Kafka ${KAFKA_VERSION} from Maven Central (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)`,
      { code: 'STACK_MAVEN_MISSING' },
    );
  }
  // Download into a private folder and rename: two parallel first runs must not see half a classpath.
  const tmp = `${lib}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  log.info({ msg: 'Resolving Kafka jars from Maven Central (first run only)', version: KAFKA_VERSION, lib });
  try {
    await execFileAsync(
      mvn,
      [
        '-q',
        '-B',
        '-f',
        `${repoRoot}/src/dev-stack/kafka/pom.xml`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${tmp}`,
        '-DincludeScope=runtime',
      ],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const output = error as { stdout?: string; stderr?: string };
    throw new StackError(`Maven could not resolve Kafka ${KAFKA_VERSION} (is Maven Central reachable?)`, {
      details: `${output.stdout ?? ''}${output.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n'),
      cause: error,
      retriable: true,
    });
  }
  if (!readdirSync(tmp).some((file) => file.startsWith('kafka_2.13-'))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new StackError(`Maven finished but ${tmp} has no kafka_2.13 jar`);
  }
  writeFileSync(`${tmp}/.complete`, `${new Date().toISOString()}\n`);
  try {
    renameSync(tmp, lib);
  } catch {
    // Another run won the race; its folder is just as good.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(`${lib}/.complete`)) throw new StackError(`Could not create ${lib}`);
  }
  return lib;
}

function log4jProperties(file: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${file}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    '',
  ].join('\n');
}

function splitBrokers(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The last lines of a file, or nothing when it cannot be read. */
function fileTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
