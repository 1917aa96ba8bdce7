// Hardhat 2 (EDR) dev chain of the blockwire local stack. CommonJS because the package is ESM.
// Automine is on: every transaction is mined in its own block at once, which keeps tests
// deterministic; tests mine empty blocks with `evm_mine` / `hardhat_mine` and build reorgs with
// evm_snapshot / evm_revert (see src/dev-stack/reorg.ts).
const path = require('node:path');

const stackDir = process.env.BLOCKWIRE_STACK_DIR || path.resolve(__dirname, '../../../.stack');

/** @type {import('hardhat/config').HardhatUserConfig} */
module.exports = {
  defaultNetwork: 'hardhat',
  networks: {
    hardhat: {
      // BLOCKWIRE_HARDHAT_CHAIN_ID gives a second node its own chain id (tests of several chains).
      chainId: Number(process.env.BLOCKWIRE_HARDHAT_CHAIN_ID || 31337),
      mining: { auto: true, interval: 0 },
      // The 20 default accounts of the "test test … junk" mnemonic, 10 000 ETH each.
      accounts: { count: 20 },
      allowBlocksWithSameTimestamp: false,
      loggingEnabled: false,
    },
  },
  paths: {
    root: path.resolve(__dirname, '../../..'),
    sources: path.resolve(__dirname, '../../../test/contracts'),
    cache: path.join(stackDir, 'hardhat/cache'),
    artifacts: path.join(stackDir, 'hardhat/artifacts'),
  },
};
