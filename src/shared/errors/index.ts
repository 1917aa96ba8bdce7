export { BaseError, type BaseErrorParameters } from './base.ts';
export { ConfigError, KafkaError, RedisError, RpcError, StackError } from './leaf.ts';
