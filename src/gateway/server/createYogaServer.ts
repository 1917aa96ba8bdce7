import type { IncomingMessage } from 'node:http';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { graphiqlDefaultQuery } from '../../dashboard/index.ts';
import type { GatewayContext, GatewayServices, Viewer } from '../context.ts';
import { GraphQLError, type GraphQLSchema, type ValidationContext } from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import { type Authenticate, bearerToken, type RequestViewer } from './authenticate.ts';
import { createMaskError, errorCodesPlugin } from './errorPlugins.ts';
import { createGraphiQL } from './graphiql/index.ts';

/** Extra initial context the WebSocket server passes to `getEnveloped`. */
export type WsInitialContext = { wsViewer: Viewer | undefined };

/** Parameters of {@link createYogaServer}. */
export type CreateYogaServerParameters = {
  schema: GraphQLSchema;
  services: GatewayServices;
  authenticate: Authenticate;
  /** The viewer of a Node request, shared with the rate limit (one verification per request). */
  requestViewer: RequestViewer;
};

/**
 * Armor's rejection as a validation error of its own code and HTTP 400: by default armor throws from
 * inside validation, which yoga answers as a 200 INTERNAL_SERVER_ERROR (a "retry later" to clients).
 */
function refuse(code: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        gatewayMetrics.rejected.inc({ reason: code });
        context?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
            extensions: { code, http: { status: 400 } },
          }),
        );
      },
    ],
  };
}

/** The yoga instance of the gateway: armor limits, error codes, masking, CORS, GraphiQL, auth context. */
export function createYogaServer({
  schema,
  services,
  authenticate,
  requestViewer,
}: CreateYogaServerParameters): YogaServerInstance<Record<string, unknown>, GatewayContext> {
  const { gateway } = services.config;
  const { limits } = gateway;
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, ...refuse('QUERY_TOO_DEEP') },
    maxAliases: { n: limits.maxAliases, ...refuse('TOO_MANY_ALIASES') },
    // Counted while parsing: refused as GRAPHQL_PARSE_FAILED with HTTP 400 (see errorCodesPlugin).
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true, ...refuse('QUERY_TOO_COSTLY') },
    maxDirectives: { n: 50, ...refuse('TOO_MANY_DIRECTIVES') },
    blockFieldSuggestion: { enabled: !gateway.introspection },
  }).protect();
  const cors =
    gateway.cors === false
      ? false
      : gateway.cors === true
        ? undefined
        : { origin: gateway.cors, credentials: true };
  // Served from our own dependencies (no CDN), so GraphiQL works offline.
  const graphiql = gateway.graphiql && gateway.introspection ? createGraphiQL() : undefined;
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: graphiql
      ? { subscriptionsProtocol: 'WS', title: 'blockwire', defaultQuery: graphiqlDefaultQuery }
      : false,
    renderGraphiQL: graphiql?.render,
    landingPage: false,
    logging: false,
    batching: false,
    cors,
    maskedErrors: { maskError: createMaskError(gateway.maskErrors) },
    plugins: [
      ...(armor.plugins as Plugin[]),
      errorCodesPlugin({ introspection: gateway.introspection }),
      ...(graphiql ? [graphiql.plugin] : []),
    ],
    context: async (initial): Promise<GatewayContext> => {
      if ('wsViewer' in initial)
        return { services, viewer: (initial as unknown as WsInitialContext).wsViewer };
      const { req, request } = initial as { req?: IncomingMessage; request?: Request };
      const viewer = req
        ? await requestViewer(req)
        : await authenticate(bearerToken(request?.headers.get('authorization') ?? undefined));
      return { services, viewer };
    },
  });
}
