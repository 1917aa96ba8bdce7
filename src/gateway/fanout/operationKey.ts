import {
  type ArgumentNode,
  type DocumentNode,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  print,
  visit,
} from '../graphqlJs.ts';

/** Parameters of {@link operationKey}: the operation as a client subscribed it. */
export type OperationKeyParameters = {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
};

/**
 * The key under which identical subscription operations share a render group (and its live fan):
 * the printed document, operation name and variables, without the `after` argument of the
 * subscription's field. Where a stream starts changes neither what it listens to nor how an event
 * renders, so clients resuming from different positions share one group. A variable that `after`
 * reads and something else reads too stays in the key.
 */
export function operationKey({ document, operationName, variables }: OperationKeyParameters): string {
  const operation = getOperationAST(document, operationName);
  const root =
    operation?.operation === OperationTypeNode.SUBSCRIPTION ? operation.selectionSet.selections : undefined;
  const field = root?.length === 1 && root[0]!.kind === Kind.FIELD ? root[0] : undefined;
  const after = field?.arguments?.find((argument) => argument.name.value === 'after');
  if (!operation || !after) return keyOf(print(document), operationName, variables);

  const variable = after.value.kind === Kind.VARIABLE ? after.value.name.value : undefined;
  const readElsewhere =
    variable !== undefined && countVariableUses(document, variable) > 1 ? variable : undefined;
  const stripped = visit(document, {
    Argument: (node: ArgumentNode) => (node === after && readElsewhere === undefined ? null : undefined),
    OperationDefinition: (node: OperationDefinitionNode) =>
      node === operation && variable !== undefined && readElsewhere === undefined
        ? {
            ...node,
            variableDefinitions: node.variableDefinitions?.filter(
              (definition) => definition.variable.name.value !== variable,
            ),
          }
        : undefined,
  });
  const rest =
    variables && variable !== undefined && readElsewhere === undefined
      ? Object.fromEntries(Object.entries(variables).filter(([name]) => name !== variable))
      : variables;
  return keyOf(print(stripped), operationName, rest);
}

/** Empty variables and none are the same. */
function keyOf(text: string, operationName: string | null | undefined, variables: unknown): string {
  const none = !variables || (typeof variables === 'object' && Object.keys(variables).length === 0);
  return JSON.stringify([text, operationName ?? null, none ? null : variables]);
}

/** How many times the document reads a variable (its definitions aside). */
function countVariableUses(document: DocumentNode, name: string): number {
  let uses = 0;
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => {
      if (node.name.value === name) uses += 1;
    },
  });
  return uses;
}
