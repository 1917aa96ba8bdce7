/** A ```graphql block of a Markdown file. */
export type GraphqlBlock = {
  /** 1-based line of the opening fence. */
  line: number;
  source: string;
  /** From the info string, e.g. ```graphql expect-error=BAD_USER_INPUT. */
  expectError: string | undefined;
  /** From a ```json variables block right after it. */
  variables: Record<string, unknown> | undefined;
  /** From a ```json result block right after it (or after its variables): the exact response. */
  result: unknown;
  /**
   * From a ```json error block right after an expect-error block (or after its variables): what the
   * response's first error holds (its `message` and `extensions`, say).
   */
  error: Record<string, unknown> | undefined;
};

/** A fenced block of a Markdown file. */
export type Fence = {
  language: string;
  attributes: string[];
  body: string;
  line: number;
  start: number;
  end: number;
};

const fence = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;

/** Every fenced block of a Markdown file, in order. */
export function extractFences(markdown: string): Fence[] {
  return [...markdown.matchAll(fence)].map((match) => {
    const [language = '', ...attributes] = (match[1] ?? '').trim().split(/\s+/);
    const start = match.index ?? 0;
    return {
      language,
      attributes,
      body: match[2] ?? '',
      start,
      end: start + match[0].length,
      line: markdown.slice(0, start).split('\n').length,
    };
  });
}

/**
 * Every fenced block whose language is exactly `graphql` (except ```graphql schema excerpts), with
 * its `expect-error=CODE` attribute, the variables of an immediately following ```json variables
 * block and the response of an immediately following ```json result block (or, after an
 * expect-error block, the first error of an immediately following ```json error block).
 */
export function extractGraphqlBlocks(markdown: string): GraphqlBlock[] {
  const fences = extractFences(markdown);
  // The block right after `fences[index]` when it is ```json <attribute> with nothing in between.
  const jsonAfter = (index: number, attribute: string): { value: unknown; index: number } | undefined => {
    const current = fences[index];
    const next = fences[index + 1];
    if (!current || !next || next.language !== 'json' || !next.attributes.includes(attribute))
      return undefined;
    if (markdown.slice(current.end, next.start).trim() !== '') return undefined;
    return { value: JSON.parse(next.body), index: index + 1 };
  };
  const blocks: GraphqlBlock[] = [];
  fences.forEach((block, index) => {
    if (block.language !== 'graphql' || block.attributes.includes('schema')) return;
    const variables = jsonAfter(index, 'variables');
    const result = jsonAfter(variables?.index ?? index, 'result');
    const error = jsonAfter(variables?.index ?? index, 'error');
    const expectError = block.attributes
      .find((a) => a.startsWith('expect-error='))
      ?.slice('expect-error='.length);
    blocks.push({
      line: block.line,
      source: block.body,
      expectError,
      variables: variables?.value as Record<string, unknown> | undefined,
      result: result?.value,
      error: error?.value as Record<string, unknown> | undefined,
    });
  });
  return blocks;
}
