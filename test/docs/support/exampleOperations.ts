import { readFileSync } from 'node:fs';
import { type OperationDefinitionNode, parse } from 'graphql';
import { extractGraphqlBlocks, type GraphqlBlock } from './extractGraphqlBlocks.ts';

/** A ```graphql example of the docs with its one operation. */
export type ExampleOperation = GraphqlBlock & {
  operation: OperationDefinitionNode;
  /** `query Name (file:line)`, the test's name. */
  name: string;
};

/** The GraphQL examples of `files` (paths from the repository root); each block holds one operation. */
export function exampleOperations(files: string[]): ExampleOperation[] {
  return files.flatMap((file) =>
    extractGraphqlBlocks(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')).map((block) => {
      const operations = parse(block.source).definitions.filter(
        (definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition',
      );
      if (operations.length !== 1) throw new Error(`${file}:${block.line}: expected one operation per block`);
      const operation = operations[0]!;
      return {
        ...block,
        operation,
        name: `${operation.operation} ${operation.name?.value ?? '(anonymous)'} (${file}:${block.line})`,
      };
    }),
  );
}

/** `query.<field>` / `subscription.<field>` of every top-level field the examples select. */
export function shownRootFields(examples: ExampleOperation[]): Set<string> {
  return new Set(
    examples
      .filter((example) => !example.expectError)
      .flatMap((example) =>
        example.operation.selectionSet.selections.flatMap((selection) =>
          selection.kind === 'Field' ? [`${example.operation.operation}.${selection.name.value}`] : [],
        ),
      ),
  );
}
