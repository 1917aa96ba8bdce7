import { createYoga, createSchema } from 'graphql-yoga';
const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }', resolvers: {} }) , maskedErrors: false});
const t0 = Date.now();
const res = await Promise.race([Promise.resolve(yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ a }' }) })).then((r: any) => r.text()), new Promise(r => setTimeout(() => r('TIMEOUT'), 3000))]);
console.log('fetch', Date.now() - t0, res);
const res2 = await Promise.race([Promise.resolve(yoga.fetch('http://localhost/graphql?query=%7Ba%7D')).then((r: any) => r.text()), new Promise(r => setTimeout(() => r('TIMEOUT'), 3000))]);
console.log('get', Date.now() - t0, res2);
process.exit(0);
