// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Emits many logs per transaction, for ingest backfill tests.
/// @notice `Unlisted` is left out of the ABI the tests give blockwire, so it exercises `decoded: false`.
contract LogSpammer {
    event Ping(address indexed sender, uint256 indexed seq, uint256 value);
    event Unlisted(uint256 seq);

    uint256 public total;

    /// Emits `n` Ping events, and one Unlisted event per 1000.
    function spam(uint256 n) external {
        uint256 start = total;
        for (uint256 i = 0; i < n; i++) {
            emit Ping(msg.sender, start + i, i);
            if ((start + i) % 1000 == 999) emit Unlisted(start + i);
        }
        total = start + n;
    }
}
