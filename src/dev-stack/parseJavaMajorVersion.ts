/**
 * Reads the major version from the output of `java -version` (`openjdk version "17.0.15" …` → 17,
 * `java version "1.8.0_392"` → 8). Returns `undefined` when the output has no version.
 */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
