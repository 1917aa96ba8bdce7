import { createServer } from 'node:http';
import { createYoga, createSchema } from 'graphql-yoga';
const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }', resolvers: {} }) , maskedErrors: false});
const server = createServer(yoga);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as any).port;
for (const m of ['GET', 'POST']) {
const t0 = Date.now();
const r = await Promise.race([ (m === 'GET' ? fetch(`http://127.0.0.1:${port}/graphql?query=%7Ba%7D`) : fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ a }' }) })).then(r => r.text()), new Promise(r => setTimeout(() => r('TIMEOUT'), 3000))]);
console.log(m, Date.now() - t0, r);
}
process.exit(0);
