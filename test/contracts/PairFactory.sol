// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title A toy pair: the child contract blockwire's factory tests follow.
/// @notice Bookkeeping only (no tokens move): any account may swap any amounts. The constructor logs
///         `Initialized`, so a pair's first event comes in its creation transaction BEFORE the
///         factory's `PairCreated`, an ordering factory-following must not lose.
contract Pair {
    address public immutable factory;
    address public immutable token0;
    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public swapCount;

    event Initialized(address indexed factory, address indexed token0);
    event Swap(address indexed sender, uint256 amount0, uint256 amount1);
    event Sync(uint256 reserve0, uint256 reserve1);

    constructor(address token0_) {
        // Immutables, not storage: a pair costs ~40k gas less to create, so more fit in one transaction.
        factory = msg.sender;
        token0 = token0_;
        emit Initialized(msg.sender, token0_);
    }

    function swap(uint256 amount0, uint256 amount1) external {
        reserve0 += amount0;
        reserve1 += amount1;
        swapCount++;
        emit Swap(msg.sender, amount0, amount1);
        emit Sync(reserve0, reserve1);
    }
}

/// @title A toy factory: creates Pairs and announces each with `PairCreated`.
/// @notice `allPairs` (with `allPairsLength`) lists the children in creation order: the oracle a
///         test compares blockwire's children list with.
contract PairFactory {
    address[] public allPairs;

    event PairCreated(address indexed token0, address pair, uint256 index);

    function createPair(address token0) public returns (address pair) {
        pair = address(new Pair(token0));
        allPairs.push(pair);
        emit PairCreated(token0, pair, allPairs.length - 1);
    }

    /// @notice Creates `count` pairs in one transaction (backfill tests with thousands of children).
    /// @dev Measured on Hardhat 2.29 (hardfork Osaka; solc optimizer, 200 runs): a call costs ~27k gas
    ///      plus 185 261 gas per pair (CREATE, the 633-byte Pair's code deposit, its `allPairs` slot,
    ///      two logs). Osaka's EIP-7825 caps a transaction at 16 777 216 gas, and that cap binds, not the
    ///      60 000 000 block limit: at most 90 pairs fit in one call (16 700 381 gas); with 91 or more,
    ///      gas estimation reports a revert (out of gas under the cap).
    function createPairs(address token0, uint256 count) external {
        for (uint256 i = 0; i < count; i++) createPair(token0);
    }

    /// @notice Creates a pair and swaps on it: the new child logs after `PairCreated` in the same transaction.
    function createPairAndSwap(address token0, uint256 amount0, uint256 amount1) external returns (address pair) {
        pair = createPair(token0);
        Pair(pair).swap(amount0, amount1);
    }

    function allPairsLength() external view returns (uint256) {
        return allPairs.length;
    }

    /// @notice `allPairs[from:to]`, so a reader needs one call per page instead of one per pair.
    function pairsRange(uint256 from, uint256 to) external view returns (address[] memory pairs) {
        require(from <= to && to <= allPairs.length, "range out of bounds");
        pairs = new address[](to - from);
        for (uint256 i = from; i < to; i++) pairs[i - from] = allPairs[i];
    }
}
