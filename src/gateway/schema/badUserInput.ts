import { GraphQLError } from '../graphqlJs.ts';

/** A client error naming the argument, the value and what was expected (`extensions.code: BAD_USER_INPUT`). */
export function badUserInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`Argument ${argument} ${message}`, {
    extensions: { code: 'BAD_USER_INPUT', argument },
  });
}
