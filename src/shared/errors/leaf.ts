import { BaseError, type BaseErrorParameters } from './base.ts';

type LeafParameters = Omit<BaseErrorParameters, 'code'> & { code?: string };

/** A configuration file or value is invalid. Never retriable. */
export class ConfigError extends BaseError {
  override name = 'ConfigError';
  constructor(message: string, parameters: LeafParameters = {}) {
    super(message, { code: 'CONFIG_INVALID', ...parameters });
  }
}

/** A JSON-RPC call to the chain failed. */
export class RpcError extends BaseError {
  override name = 'RpcError';
  constructor(message: string, parameters: LeafParameters = {}) {
    super(message, { code: 'RPC_ERROR', ...parameters });
  }
}

/** A Kafka operation failed. */
export class KafkaError extends BaseError {
  override name = 'KafkaError';
  constructor(message: string, parameters: LeafParameters = {}) {
    super(message, { code: 'KAFKA_ERROR', ...parameters });
  }
}

/** A Redis operation failed. */
export class RedisError extends BaseError {
  override name = 'RedisError';
  constructor(message: string, parameters: LeafParameters = {}) {
    super(message, { code: 'REDIS_ERROR', ...parameters });
  }
}

/** The local development stack (Kafka, Redis, Hardhat) could not be started. */
export class StackError extends BaseError {
  override name = 'StackError';
  constructor(message: string, parameters: LeafParameters = {}) {
    super(message, { code: 'STACK_ERROR', ...parameters });
  }
}
