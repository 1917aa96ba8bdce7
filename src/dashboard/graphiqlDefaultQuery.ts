/**
 * GraphiQL's default tab: a live subscription and a status query that work with any configuration
 * (no contract-specific types). The document holds two operations: GraphiQL's ▶ opens a menu to pick
 * one, and Ctrl-Enter runs the one under the cursor.
 */
export const graphiqlDefaultQuery: string = `# Welcome to blockwire. Press ▶ and pick an operation, or press Ctrl-Enter (⌘-Enter on a Mac)
# with the cursor inside one.
#
# LiveEvents streams contract events as they happen: PENDING as soon as a block is seen, then
# CONFIRMED once it is deep enough (or REMOVED if a reorg drops it). Add a filter, e.g.
#   events(filter: { chainId: 31337, events: ["Transfer"] }, includePending: true)
# and pass a received resumeToken as \`after\` to resume without gaps after a disconnect.
subscription LiveEvents {
  events(includePending: true) {
    __typename
    id
    status
    blockNumber
    logIndex
    contractName
    eventName
    cursor
    resumeToken
  }
}

# PipelineStatus: how far ingest and processing have got on every configured chain.
query PipelineStatus {
  chains {
    chainId
    name
    head
    confirmed
    processedBlock
    lag
    contracts {
      name
      kind
      address
      appliedEvents
    }
  }
}
`;
