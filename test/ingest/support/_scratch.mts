import { startHardhat } from '/work/main/src/dev-stack/index.ts';
const node = await startHardhat({ rpcHttp: null });
const call = async (method: string, params: unknown[]) => {
  const r = await fetch(node.rpcHttp, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await r.json()) as any).result;
};
await call('hardhat_mine', ['0x9']);
await call('hardhat_mine', ['0x64']);
for (const n of [8, 9, 10, 11, 50, 51, 109, 110]) {
  const b = await call('eth_getBlockByNumber', ['0x' + n.toString(16), false]);
  console.log(n, b?.hash, b?.parentHash);
}
await node.stop();
