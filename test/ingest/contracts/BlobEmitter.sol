// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Emits logs with large data, for tests of how the ingestor sizes its Kafka sends.
contract BlobEmitter {
    event Blob(uint256 indexed seq, bytes payload);

    uint256 public total;

    /// Emits `n` Blob events, each carrying `payload`.
    function emitBlobs(uint256 n, bytes calldata payload) external {
        uint256 start = total;
        for (uint256 i = 0; i < n; i++) emit Blob(start + i, payload);
        total = start + n;
    }
}
