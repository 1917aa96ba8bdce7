import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { graphiqlDefaultQuery } from '../../dashboard/index.ts';
import type { GatewayContext, GatewayServices, Viewer } from '../context.ts';
import type { GraphQLSchema } from '../graphqlJs.ts';
import { type Authenticate, bearerToken } from './authenticate.ts';
import { createMaskError, errorCodesPlugin } from './errorPlugins.ts';

/** Extra initial context the WebSocket server passes to `getEnveloped`. */
export type WsInitialContext = { wsViewer: Viewer | undefined };

/** Parameters of {@link createYogaServer}. */
export type CreateYogaServerParameters = {
  schema: GraphQLSchema;
  services: GatewayServices;
  authenticate: Authenticate;
};

/** The yoga instance of the gateway: armor limits, error codes, masking, CORS, GraphiQL, auth context. */
export function createYogaServer({
  schema,
  services,
  authenticate,
}: CreateYogaServerParameters): YogaServerInstance<Record<string, unknown>, GatewayContext> {
  const { gateway } = services.config;
  const { limits } = gateway;
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxDirectives: { n: 50 },
    blockFieldSuggestion: { enabled: !gateway.introspection },
  }).protect();
  const cors =
    gateway.cors === false
      ? false
      : gateway.cors === true
        ? undefined
        : { origin: gateway.cors, credentials: true };
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql:
      gateway.graphiql && gateway.introspection
        ? { subscriptionsProtocol: 'WS', title: 'blockwire', defaultQuery: graphiqlDefaultQuery }
        : false,
    landingPage: false,
    logging: false,
    batching: false,
    cors,
    maskedErrors: { maskError: createMaskError(gateway.maskErrors) },
    plugins: [...(armor.plugins as Plugin[]), errorCodesPlugin({ introspection: gateway.introspection })],
    context: async (initial): Promise<GatewayContext> => {
      if ('wsViewer' in initial)
        return { services, viewer: (initial as unknown as WsInitialContext).wsViewer };
      const request = (initial as { request?: Request }).request;
      const viewer = await authenticate(bearerToken(request?.headers.get('authorization') ?? undefined));
      return { services, viewer };
    },
  });
}
