import type { ZodIssue } from 'zod';

/** `chains[0].contracts[1].address` */
export function formatPath(path: (string | number)[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let current = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/**
 * Turns a zod issue into one sentence naming the field, what was expected and the value found:
 * `Validation failed: chains[0].contracts[1].address must be a 20-byte hex address. Got 0x12.`
 */
export function formatIssue(issue: ZodIssue, input: unknown): string {
  const field = formatPath(issue.path) || 'config';
  if (issue.code === 'unrecognized_keys') {
    // A schema may say what it takes with `.strict(message)`; zod's default message only lists the keys.
    const takes = issue.message.startsWith('Unrecognized key') ? '' : ` (${issue.message})`;
    return `Validation failed: ${field} has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}${takes}.`;
  }
  const got = valueAt(input, issue.path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'is required';
  else if (issue.code === 'invalid_type') message = `must be ${issue.expected}`;
  else if (issue.code === 'invalid_enum_value') message = `must be one of ${issue.options.join(', ')}`;
  else if (issue.code === 'too_small' && issue.type === 'number' && message.startsWith('Number must'))
    message = `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
  else if (issue.code === 'too_big' && issue.type === 'number' && message.startsWith('Number must'))
    message = `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
  const shown = got === undefined ? '' : ` Got ${typeof got === 'string' ? got : JSON.stringify(got)}.`;
  return `Validation failed: ${field} ${message}.${shown}`;
}
