import type { Plugin } from 'graphql-yoga';
import {
  type DocumentNode,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type ValueNode,
  visit,
} from '../graphqlJs.ts';

/** Returns the error with `extensions.code` set to `code` when it has none. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions?.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

// Literal argument values that fail a scalar are reported by graphql-js without the argument name.
function argumentNames(document: DocumentNode): Map<number, string> {
  const names = new Map<number, string>();
  const walk = (value: ValueNode, path: string) => {
    if (value.loc) names.set(value.loc.start, path);
    if (value.kind === Kind.OBJECT)
      for (const field of value.fields) walk(field.value, `${path}.${field.name.value}`);
    if (value.kind === Kind.LIST) value.values.forEach((item, index) => void walk(item, `${path}[${index}]`));
  };
  let field = '';
  visit(document, {
    Field: {
      enter: (node) => {
        field = node.name.value;
      },
    },
    Argument: { enter: (node) => walk(node.value, `${field}(${node.name.value})`) },
  });
  return names;
}

function nameArguments(document: DocumentNode, errors: readonly GraphQLError[]): GraphQLError[] {
  let names: Map<number, string> | undefined;
  return errors.map((error) => {
    const start = error.nodes?.[0]?.loc?.start;
    if (start === undefined || !error.message.startsWith('Expected value of type')) return error;
    names ??= argumentNames(document);
    const name = names.get(start);
    if (!name) return error;
    return new GraphQLError(`Argument ${name} has an invalid value. ${error.message}`, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      originalError: error.originalError,
      extensions: { ...error.extensions, code: error.extensions?.code ?? 'BAD_USER_INPUT', argument: name },
    });
  });
}

/**
 * Gives every parse and validation error an `extensions.code` (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED, or the code of the rule/scalar that raised it), names the argument of
 * invalid literal values, and optionally forbids introspection.
 */
export function errorCodesPlugin({ introspection }: { introspection: boolean }): Plugin {
  return {
    onParse:
      () =>
      ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(withCode(result, 'GRAPHQL_PARSE_FAILED'));
        else if (result instanceof Error)
          replaceParseResult(
            new GraphQLError(result.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
          );
      },
    onValidate: ({ addValidationRule, params }) => {
      if (!introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          nameArguments(params.documentAST, result as readonly GraphQLError[]).map((error) =>
            withCode(error, 'GRAPHQL_VALIDATION_FAILED'),
          ),
        );
      };
    },
  };
}

/** The error without `extensions.originalError` (yoga puts the JSON parser's message there, quoting the body). */
function withoutOriginalError(error: GraphQLError): GraphQLError {
  if (!error.extensions || !('originalError' in error.extensions)) return error;
  const { originalError: _hidden, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

/**
 * Yoga `maskError`: GraphQLErrors raised on purpose pass (without internal details when masking);
 * anything else becomes INTERNAL_SERVER_ERROR.
 */
export function createMaskError(mask: boolean) {
  return (error: unknown, message: string): Error => {
    const graphqlError = error instanceof GraphQLError ? error : undefined;
    const original = graphqlError?.originalError;
    const expected = graphqlError && (!original || original instanceof GraphQLError);
    if (expected) {
      const coded = withCode(graphqlError, 'INTERNAL_SERVER_ERROR');
      return mask ? withoutOriginalError(coded) : coded;
    }
    const cause = original ?? error;
    return new GraphQLError(mask ? message : cause instanceof Error ? cause.message : String(cause), {
      nodes: graphqlError?.nodes,
      path: graphqlError?.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  };
}
