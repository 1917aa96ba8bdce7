import type { GatewayContext } from '../context.ts';
import { badUserInput } from './badUserInput.ts';

/** Refuses a chain id that is not configured (`BAD_USER_INPUT` naming `chainId`). */
export function requireChain(ctx: GatewayContext, chainId: number): void {
  if (!ctx.services.catalog.chainIds.includes(chainId))
    throw badUserInput(
      'chainId',
      `must be a configured chain (${ctx.services.catalog.chainIds.join(', ')}). Got ${chainId}.`,
    );
}
