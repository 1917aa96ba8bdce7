/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** PENDING: not yet confirmed. CONFIRMED: final. REMOVED: retracted by a reorg. */
export type EventStatus =
  | 'CONFIRMED'
  | 'PENDING'
  | 'REMOVED';

export type DashboardChainsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardChainsQuery = { chains: Array<{ chainId: number, name: string | null, confirmations: number, head: string | null, confirmed: string | null, processedBlock: string | null, lag: string | null, updatedAt: string | null }> };

export type DashboardHeadsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardHeadsSubscription = { heads: { chainId: number, blockNumber: string, head: string } };

export type DashboardFeedSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DashboardFeedSubscription = { events:
    | { __typename: 'DemoItems_ApprovalForAll', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoItems_TransferBatch', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoItems_TransferSingle', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoItems_URI', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoNFT_Approval', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoNFT_ApprovalForAll', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoNFT_Transfer', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoToken_Approval', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoToken_Transfer', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoVault_OrderFilled', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'DemoVault_Rebalanced', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Market_Cancelled', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Market_Listed', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Market_PriceChanged', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Market_Sold', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'PairFactory_PairCreated', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Pair_Initialized', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Pair_Swap', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'Pair_Sync', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
    | { __typename: 'UndecodedEvent', id: string, status: EventStatus, cursor: string | null, resumeToken: string | null, chainId: number, blockNumber: string, logIndex: number, transactionHash: `0x${string}`, contractName: string | null, eventName: string | null }
   };

export type DashboardEntityUpdatesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardEntityUpdatesSubscription = { entityUpdates: { chainId: number, contractName: string, projection: string, key: string, deleted: boolean, cursor: string } };

export type GatewayStatsQueryVariables = Exact<{ [key: string]: never; }>;


export type GatewayStatsQuery = { gateway: { activeSubscriptions: number, openConnections: number } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const DashboardChainsDocument = new TypedDocumentString(`
    query DashboardChains {
  chains {
    chainId
    name
    confirmations
    head
    confirmed
    processedBlock
    lag
    updatedAt
  }
}
    `) as unknown as TypedDocumentString<DashboardChainsQuery, DashboardChainsQueryVariables>;
export const DashboardHeadsDocument = new TypedDocumentString(`
    subscription DashboardHeads {
  heads {
    chainId
    blockNumber
    head
  }
}
    `) as unknown as TypedDocumentString<DashboardHeadsSubscription, DashboardHeadsSubscriptionVariables>;
export const DashboardFeedDocument = new TypedDocumentString(`
    subscription DashboardFeed($after: StreamPosition) {
  events(after: $after, includePending: true) {
    __typename
    id
    status
    cursor
    resumeToken
    chainId
    blockNumber
    logIndex
    transactionHash
    contractName
    eventName
  }
}
    `) as unknown as TypedDocumentString<DashboardFeedSubscription, DashboardFeedSubscriptionVariables>;
export const DashboardEntityUpdatesDocument = new TypedDocumentString(`
    subscription DashboardEntityUpdates {
  entityUpdates {
    chainId
    contractName
    projection
    key
    deleted
    cursor
  }
}
    `) as unknown as TypedDocumentString<DashboardEntityUpdatesSubscription, DashboardEntityUpdatesSubscriptionVariables>;
export const GatewayStatsDocument = new TypedDocumentString(`
    query GatewayStats {
  gateway {
    activeSubscriptions
    openConnections
  }
}
    `) as unknown as TypedDocumentString<GatewayStatsQuery, GatewayStatsQueryVariables>;