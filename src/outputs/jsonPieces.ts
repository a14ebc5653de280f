/**
 * A JSON array written one element at a time, byte for byte as `JSON.stringify(array, null, 2)` writes
 * it when it stands at `depth` levels of nesting: each element is stringified on its own and indented
 * to its place. Every newline JSON.stringify writes is structural (strings escape theirs), so moving
 * an element's text `depth + 1` levels right is adding that indentation after each newline.
 */
export function* jsonArray<T>(items: Iterable<T>, depth: number): Generator<string> {
  const indent = '  '.repeat(depth + 1);
  let first = true;
  for (const item of items) {
    // as in an array, a value JSON cannot hold is null
    const text = JSON.stringify(item, null, 2) ?? 'null';
    yield `${first ? '[\n' : ',\n'}${indent}${text.replaceAll('\n', `\n${indent}`)}`;
    first = false;
  }
  yield first ? '[]' : `\n${'  '.repeat(depth)}]`;
}

/** Items mapped as they are consumed, so a renderer never builds a second array of the whole set. */
export function* mapped<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

/**
 * A JSON array with one element per line, each element on one line: for machine formats of many
 * elements (OCSF), where indentation would add half again to the size and help no reader.
 */
export function* jsonArrayOfLines<T>(items: Iterable<T>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? '[\n' : ',\n'}${JSON.stringify(item) ?? 'null'}`;
    first = false;
  }
  yield first ? '[]' : '\n]';
}
