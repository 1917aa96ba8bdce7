import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from '../context.ts';
import type { StreamPosition } from '../stream/resumeToken.ts';
import type { addEventTypes } from './eventTypes.ts';
import type { addFilterInputs } from './inputs.ts';

/** Pothos type configuration of the gateway schema. */
export type BuilderTypes = {
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    BigInt: { Input: string; Output: string | bigint | number };
    Address: { Input: `0x${string}`; Output: string };
    Hex: { Input: `0x${string}`; Output: string };
    Cursor: { Input: string; Output: string };
    StreamPosition: { Input: StreamPosition; Output: string };
  };
};

/** Creates an empty schema builder; fields are non-null unless declared nullable. */
export function createBuilder() {
  return new SchemaBuilder<BuilderTypes>({ defaultFieldNullability: false });
}

/** The schema builder of the gateway. */
export type Builder = ReturnType<typeof createBuilder>;

/** Refs shared between schema modules. */
export type SchemaRefs = {
  chainEvent: ReturnType<typeof addEventTypes>['chainEvent'];
  eventFilter: ReturnType<typeof addFilterInputs>['eventFilter'];
};
