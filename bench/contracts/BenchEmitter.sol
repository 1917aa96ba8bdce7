// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Emits ERC-20 mint Transfers in bulk for bench:ingest: many logs per block, decodable with the
/// erc20 ABI, and balances that only grow (every log mints to one of 1,000 holders).
contract BenchEmitter {
    event Transfer(address indexed from, address indexed to, uint256 value);

    function emitMints(uint256 count, uint256 seed) external {
        for (uint256 i = 0; i < count; i++) {
            emit Transfer(address(0), address(uint160(0x1000 + ((seed * 7919 + i) % 1000))), i + 1);
        }
    }
}
