import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors/index.ts';
import { resolveLogFormat } from './resolveLogFormat.ts';

describe('resolveLogFormat', () => {
  it('writes readable lines on a terminal and JSON elsewhere', () => {
    expect(resolveLogFormat({ isTTY: true })).toBe('pretty');
    expect(resolveLogFormat({ isTTY: false })).toBe('json');
  });

  it('writes JSON on a terminal when LOG_FORMAT=json, readable lines into a pipe when LOG_FORMAT=pretty', () => {
    expect(resolveLogFormat({ env: 'json', isTTY: true })).toBe('json');
    expect(resolveLogFormat({ env: 'pretty', isTTY: false })).toBe('pretty');
  });

  it('lets --log-format win over LOG_FORMAT', () => {
    expect(resolveLogFormat({ flag: 'json', env: 'pretty', isTTY: true })).toBe('json');
    expect(resolveLogFormat({ flag: 'pretty', env: 'json', isTTY: false })).toBe('pretty');
  });

  it('ignores an empty LOG_FORMAT', () => {
    expect(resolveLogFormat({ env: '', isTTY: true })).toBe('pretty');
  });

  it('refuses an unknown format, naming where it came from', () => {
    expect(() => resolveLogFormat({ flag: 'yaml', isTTY: true })).toThrow(
      new ConfigError('--log-format must be json or pretty. Got yaml.'),
    );
    expect(() => resolveLogFormat({ env: 'text', isTTY: true })).toThrow(
      'LOG_FORMAT must be json or pretty. Got text.',
    );
  });
});
