import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './parseCommandLine.ts';

describe('parseCommandLine', () => {
  it('expands --role all into every role in pipeline order', () => {
    expect(parseCommandLine(['start', '--role', 'all', '--config', 'x.yaml'], {})).toEqual({
      command: 'start',
      roles: ['ingest', 'process', 'gateway'],
      configPath: 'x.yaml',
    });
  });

  it('accepts comma-separated roles and defaults the config to BLOCKWIRE_CONFIG', () => {
    expect(
      parseCommandLine(['start', '--role', 'gateway,process'], { BLOCKWIRE_CONFIG: 'env.yaml' }),
    ).toEqual({
      command: 'start',
      roles: ['process', 'gateway'],
      configPath: 'env.yaml',
    });
  });

  it('takes --log-format for any command', () => {
    expect(parseCommandLine(['start', '--role', 'process', '--log-format', 'json'], {})).toEqual({
      command: 'start',
      roles: ['process'],
      configPath: 'blockwire.yaml',
      logFormat: 'json',
    });
    expect(parseCommandLine(['dev', '--log-format=pretty'], {})).toMatchObject({
      command: 'dev',
      logFormat: 'pretty',
    });
  });

  it('takes --workers for start, and names a bad count', () => {
    expect(parseCommandLine(['start', '--workers', '4'], {})).toMatchObject({ command: 'start', workers: 4 });
    expect(parseCommandLine(['start'], {})).not.toHaveProperty('workers');
    for (const bad of ['0', '65', '1.5', 'two'])
      expect(() => parseCommandLine(['start', '--workers', bad], {})).toThrow(
        `--workers must be a whole number from 1 to 64. Got ${bad}.`,
      );
  });

  it('names the bad role', () => {
    expect(() => parseCommandLine(['start', '--role', 'ingester'], {})).toThrow(
      '--role must be all, ingest, process or gateway. Got ingester.',
    );
  });

  it('rejects unknown commands and options with their name', () => {
    expect(() => parseCommandLine(['launch'], {})).toThrow('Unknown command "launch"');
    expect(() => parseCommandLine(['start', '--rolez', 'x'], {})).toThrow(/rolez/);
  });

  it('parses schema print with --check', () => {
    expect(parseCommandLine(['schema', 'print', '--check', 'schema/schema.graphql'], {})).toMatchObject({
      command: 'schema-print',
      check: 'schema/schema.graphql',
    });
  });
});
