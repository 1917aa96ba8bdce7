import { HttpRequestError, InvalidParamsRpcError, LimitExceededRpcError, RpcRequestError } from 'viem';
import { describe, expect, it } from 'vitest';
import { classifyRpcError, rpcErrorCodes } from './classifyRpcError.ts';

const url = 'https://user:secret@rpc.example.com/v3/key123';

describe('classifyRpcError', () => {
  it('treats 429 and 5xx as transient and retriable', () => {
    for (const status of [429, 502, 503]) {
      const error = classifyRpcError(new HttpRequestError({ url, status, body: {} }), 'eth_getLogs');
      expect(error).toMatchObject({ code: rpcErrorCodes.transient, retriable: true });
    }
  });

  it('recognises range refusals by JSON-RPC code and message', () => {
    const limit = new LimitExceededRpcError(new Error('limit'));
    expect(classifyRpcError(limit, 'eth_getLogs').code).toBe(rpcErrorCodes.rangeTooLarge);
    const tooMany = new RpcRequestError({
      body: {},
      url,
      error: { code: -32000, message: 'query returned more than 10000 results' },
    });
    expect(classifyRpcError(tooMany, 'eth_getLogs').code).toBe(rpcErrorCodes.rangeTooLarge);
  });

  it('maps an unknown block hash to a resync, not a fatal error', () => {
    const error = new InvalidParamsRpcError(
      new RpcRequestError({ body: {}, url, error: { code: -32602, message: 'blockHash cannot be found' } }),
    );
    expect(classifyRpcError(error, 'eth_getLogs')).toMatchObject({
      code: rpcErrorCodes.blockNotFound,
      retriable: true,
    });
  });

  it('stops on anything else', () => {
    const error = new RpcRequestError({
      body: {},
      url,
      error: { code: -32601, message: 'method does not exist' },
    });
    expect(classifyRpcError(error, 'eth_foo')).toMatchObject({ code: rpcErrorCodes.fatal, retriable: false });
  });

  it('never carries the RPC URL in the message or the cause chain', () => {
    const error = classifyRpcError(new HttpRequestError({ url, status: 500, body: {} }), 'eth_getLogs');
    let text = '';
    for (let current: unknown = error; current instanceof Error; current = current.cause)
      text += current.message;
    expect(text).not.toContain('secret');
    expect(text).not.toContain('key123');
  });
});
