import { createServer } from 'node:http';
import { createYoga, createSchema } from 'graphql-yoga';
const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }', resolvers: {} }) , maskedErrors: false});
const server = createServer((req, res) => { console.error('req', req.method, req.url); void yoga.handleNodeRequestAndResponse(req, res).catch(e => console.error('ERR', e)); });
await new Promise<void>((r) => server.listen(4123, '127.0.0.1', () => r()));
setTimeout(() => server.close(), 30000).unref();
