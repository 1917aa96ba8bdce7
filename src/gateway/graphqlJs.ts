// Pothos, yoga and graphql-ws load graphql's CommonJS build (the package has no "exports" map).
// Importing the same file explicitly keeps one graphql instance under vitest too, whose resolver
// would otherwise pick the ".mjs" build for our sources and break graphql's instanceof checks.
export * from 'graphql/index.js';
