export { BaseError, type BaseErrorParameters } from './base.ts';
export { ConfigError, KafkaError, RedisError, RpcError, StackError, ValidationError } from './leaf.ts';
