/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query DashboardChains {\n  chains {\n    chainId\n    name\n    confirmations\n    head\n    confirmed\n    processedBlock\n    lag\n    updatedAt\n  }\n}\n\nsubscription DashboardHeads {\n  heads {\n    chainId\n    blockNumber\n    head\n  }\n}\n\nsubscription DashboardFeed($after: StreamPosition) {\n  events(after: $after, includePending: true) {\n    __typename\n    id\n    status\n    cursor\n    resumeToken\n    chainId\n    blockNumber\n    logIndex\n    transactionHash\n    contractName\n    eventName\n  }\n}\n\nsubscription DashboardEntityUpdates {\n  entityUpdates {\n    chainId\n    contractName\n    projection\n    key\n    deleted\n    cursor\n  }\n}": typeof types.DashboardChainsDocument,
    "query GatewayStats {\n  gateway {\n    activeSubscriptions\n    openConnections\n  }\n}": typeof types.GatewayStatsDocument,
};
const documents: Documents = {
    "query DashboardChains {\n  chains {\n    chainId\n    name\n    confirmations\n    head\n    confirmed\n    processedBlock\n    lag\n    updatedAt\n  }\n}\n\nsubscription DashboardHeads {\n  heads {\n    chainId\n    blockNumber\n    head\n  }\n}\n\nsubscription DashboardFeed($after: StreamPosition) {\n  events(after: $after, includePending: true) {\n    __typename\n    id\n    status\n    cursor\n    resumeToken\n    chainId\n    blockNumber\n    logIndex\n    transactionHash\n    contractName\n    eventName\n  }\n}\n\nsubscription DashboardEntityUpdates {\n  entityUpdates {\n    chainId\n    contractName\n    projection\n    key\n    deleted\n    cursor\n  }\n}": types.DashboardChainsDocument,
    "query GatewayStats {\n  gateway {\n    activeSubscriptions\n    openConnections\n  }\n}": types.GatewayStatsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query DashboardChains {\n  chains {\n    chainId\n    name\n    confirmations\n    head\n    confirmed\n    processedBlock\n    lag\n    updatedAt\n  }\n}\n\nsubscription DashboardHeads {\n  heads {\n    chainId\n    blockNumber\n    head\n  }\n}\n\nsubscription DashboardFeed($after: StreamPosition) {\n  events(after: $after, includePending: true) {\n    __typename\n    id\n    status\n    cursor\n    resumeToken\n    chainId\n    blockNumber\n    logIndex\n    transactionHash\n    contractName\n    eventName\n  }\n}\n\nsubscription DashboardEntityUpdates {\n  entityUpdates {\n    chainId\n    contractName\n    projection\n    key\n    deleted\n    cursor\n  }\n}"): typeof import('./graphql.ts').DashboardChainsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GatewayStats {\n  gateway {\n    activeSubscriptions\n    openConnections\n  }\n}"): typeof import('./graphql.ts').GatewayStatsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
