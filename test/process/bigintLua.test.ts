import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLua } from '../../src/process/scripts.ts';
import { getStack } from '../support/stack.ts';

// Runs the production bigint.lua inside real Redis and checks it against JS BigInt.
const dispatcher = `
local results = {}
for i = 1, #ARGV, 3 do
  local op, a, b = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'add' then results[#results + 1] = big_add(a, b)
  elseif op == 'sub' then results[#results + 1] = big_sub(a, b)
  elseif op == 'sign' then results[#results + 1] = tostring(big_sign(a))
  else results[#results + 1] = tostring(big_cmp(a, b)) end
end
return results`;

const max = 2n ** 256n - 1n;

function randomBig(): bigint {
  const shape = randomBytes(1)[0]! % 6;
  if (shape === 0) return max - BigInt(randomBytes(1)[0]!);
  if (shape === 1) return BigInt(randomBytes(1)[0]!);
  if (shape === 2) return 10n ** BigInt(randomBytes(1)[0]! % 78) - BigInt(randomBytes(1)[0]! % 2);
  if (shape === 3) return BigInt(`0x${randomBytes(14).toString('hex')}`) * 10n ** 14n;
  const bytes = 1 + (randomBytes(1)[0]! % 32);
  return BigInt(`0x${randomBytes(bytes).toString('hex')}`);
}

const signed = (value: bigint) => (randomBytes(1)[0]! % 4 === 0 ? -value : value);

describe('decimal-string arithmetic in the apply script', () => {
  let redis: Redis;
  let sha: string;

  beforeAll(async () => {
    redis = new Redis(getStack().redisUrl);
    sha = (await redis.script('LOAD', `${readLua('bigint.lua')}\n${dispatcher}`)) as string;
  });
  afterAll(() => redis.disconnect());

  async function run(cases: [op: string, a: bigint, b: bigint][]): Promise<string[]> {
    const args = cases.flatMap(([op, a, b]) => [op, a.toString(), b.toString()]);
    return (await redis.evalsha(sha, 0, ...args)) as string[];
  }

  it('adds, subtracts and compares uint256 values exactly, including 2^256-1 and carries across chunks', async () => {
    const edges: [string, bigint, bigint][] = [
      ['add', max, 0n],
      ['sub', max, max],
      ['sub', max, 1n],
      ['add', max - 1n, 1n],
      ['add', 99_999_999_999_999n, 1n],
      ['sub', 100_000_000_000_000n, 1n],
      ['sub', 0n, max],
      ['add', -max, max],
      ['cmp', max, max - 1n],
      ['cmp', -5n, 3n],
      ['cmp', -7n, -7n],
      ['cmp', 0n, 0n],
      ['add', 10n ** 28n, 10n ** 28n],
      // The short path: operands of at most 14 characters add as doubles.
      ['add', 99_999_999_999_999n / 10n, 99_999_999_999_999n / 10n],
      ['add', -9_999_999_999_999n, 9_999_999_999_999n],
      ['add', -9_999_999_999_999n, -9_999_999_999_999n],
      ['add', 10n ** 13n, -1n],
      ['sub', 5n, 5n],
      ['sub', 0n, 0n],
      ['add', 99_999_999_999_999n / 10n, 10n ** 15n],
      ['sign', 0n, 0n],
      ['sign', 7n, 0n],
      ['sign', -7n, 0n],
      ['sign', max, 0n],
      ['sign', -max, 0n],
    ];
    const expected = edges.map(([op, a, b]) =>
      op === 'add'
        ? (a + b).toString()
        : op === 'sub'
          ? (a - b).toString()
          : op === 'sign'
            ? String(a < 0n ? -1 : a > 0n ? 1 : 0)
            : String(a < b ? -1 : a > b ? 1 : 0),
    );
    expect(await run(edges)).toEqual(expected);
  });

  it('matches BigInt on 3000 random signed operands', async () => {
    const cases: [string, bigint, bigint][] = [];
    for (let i = 0; i < 3000; i++)
      cases.push([['add', 'sub', 'cmp'][i % 3]!, signed(randomBig()), signed(randomBig())]);
    const results: string[] = [];
    for (let i = 0; i < cases.length; i += 500) results.push(...(await run(cases.slice(i, i + 500))));
    const expected = cases.map(([op, a, b]) =>
      op === 'add'
        ? (a + b).toString()
        : op === 'sub'
          ? (a - b).toString()
          : String(a < b ? -1 : a > b ? 1 : 0),
    );
    expect(results).toEqual(expected);
  });

  it('normalizes leading zeros and negative zero', async () => {
    const raw = (await redis.evalsha(
      sha,
      0,
      'add',
      '000123',
      '-0',
      'sub',
      '-0',
      '0',
      'add',
      '-007',
      '7',
    )) as string[];
    expect(raw).toEqual(['123', '0', '0']);
  });
});
