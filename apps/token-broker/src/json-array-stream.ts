import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items serialized per turn of the event loop. */
const ITEMS_PER_CHUNK = 500;

/**
 * A JSON array answer, serialized a slice at a time with the event loop turning in between: the
 * list of 10,000 providers is megabytes of JSON, which as one JSON.stringify blocked every other
 * request and went whole into V8's large-object space. The route sets its own content type.
 */
export function jsonArrayStream<T>(items: readonly T[], view: (item: T) => unknown): StreamableFile {
  return new StreamableFile(Readable.from(jsonArrayChunks(items, view), { objectMode: false }));
}

export async function* jsonArrayChunks<T>(items: readonly T[], view: (item: T) => unknown): AsyncGenerator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  for (let start = 0; start < items.length; start += ITEMS_PER_CHUNK) {
    if (start > 0) await nextTurn();
    const slice = items.slice(start, start + ITEMS_PER_CHUNK).map((item) => JSON.stringify(view(item)));
    yield `${start === 0 ? '[' : ','}${slice.join(',')}`;
  }
  yield ']';
}
