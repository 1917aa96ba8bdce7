import { describe, expect, it } from 'vitest';
import { kafkaServerProperties } from './kafkaServerProperties.ts';

const parse = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('kafkaServerProperties', () => {
  it('describes a single-node KRaft broker on the given ports', () => {
    const props = parse(kafkaServerProperties({ port: 19092, controllerPort: 19093, logDir: '/tmp/k' }));
    expect(props).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:19093',
      listeners: 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:19092',
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': '/tmp/k',
      'num.partitions': '3',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
      'auto.create.topics.enable': 'true',
    });
  });

  it('lets overrides and num.partitions win', () => {
    const props = parse(
      kafkaServerProperties({
        port: 1,
        controllerPort: 2,
        logDir: '/x',
        numPartitions: 8,
        overrides: { 'auto.create.topics.enable': false },
      }),
    );
    expect(props['num.partitions']).toBe('8');
    expect(props['auto.create.topics.enable']).toBe('false');
  });

  it('describes one node of a three-node cluster: every node a voter, three replicas, two in sync', () => {
    const voters = [
      { nodeId: 1, controllerPort: 101 },
      { nodeId: 2, controllerPort: 102 },
      { nodeId: 3, controllerPort: 103 },
    ];
    const props = parse(
      kafkaServerProperties({ port: 202, controllerPort: 102, logDir: '/k2', nodeId: 2, voters }),
    );
    expect(props).toMatchObject({
      'node.id': '2',
      'controller.quorum.voters': '1@127.0.0.1:101,2@127.0.0.1:102,3@127.0.0.1:103',
      listeners: 'PLAINTEXT://127.0.0.1:202,CONTROLLER://127.0.0.1:102',
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
    });
  });
});
