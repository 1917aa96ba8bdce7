/** A ```graphql block of a Markdown file. */
export type GraphqlBlock = {
  /** 1-based line of the opening fence. */
  line: number;
  source: string;
  /** From the info string, e.g. ```graphql expect-error=BAD_USER_INPUT. */
  expectError: string | undefined;
  /** From a ```json variables block right after it. */
  variables: Record<string, unknown> | undefined;
};

const fence = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;

/**
 * Every fenced block whose language is exactly `graphql`, with its `expect-error=CODE` attribute and
 * the variables of an immediately following ```json variables block.
 */
export function extractGraphqlBlocks(markdown: string): GraphqlBlock[] {
  const fences = [...markdown.matchAll(fence)].map((match) => {
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
  const blocks: GraphqlBlock[] = [];
  fences.forEach((block, index) => {
    if (block.language !== 'graphql') return;
    const next = fences[index + 1];
    const between = next ? markdown.slice(block.end, next.start).trim() : undefined;
    const variables =
      next && next.language === 'json' && next.attributes.includes('variables') && between === ''
        ? (JSON.parse(next.body) as Record<string, unknown>)
        : undefined;
    const expectError = block.attributes
      .find((a) => a.startsWith('expect-error='))
      ?.slice('expect-error='.length);
    blocks.push({ line: block.line, source: block.body, expectError, variables });
  });
  return blocks;
}
