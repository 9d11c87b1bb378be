import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';

/**
 * A JSON array answer, written a batch at a time as the batches are read: the list of 10,000
 * providers is megabytes of JSON, which as one JSON.stringify blocked every other request, and as
 * one list of objects outlived enough collections to be promoted. The first batch is awaited before
 * answering, so a failure then (the token store gone) is an ordinary error answer; a failure after
 * it cuts the connection, so no client takes part of the list for all of it, and is handed to
 * `onCutOff` with the count of items written: the HTTP server logs nothing then. The route sets its
 * own content type.
 */
export async function jsonArrayStream<T>(
  batches: AsyncIterable<readonly T[]>,
  view: (item: T) => unknown,
  onCutOff: (error: unknown, written: number) => void,
): Promise<StreamableFile> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return new StreamableFile(Readable.from(jsonArrayChunks(first, iterator, view, onCutOff), { objectMode: false }));
}

async function* jsonArrayChunks<T>(
  first: IteratorResult<readonly T[]>,
  rest: AsyncIterator<readonly T[]>,
  view: (item: T) => unknown,
  onCutOff: (error: unknown, written: number) => void,
): AsyncGenerator<string> {
  let written = 0;
  try {
    for (let next = first; !next.done; next = await rest.next()) {
      if (next.value.length === 0) continue;
      yield `${written > 0 ? ',' : '['}${next.value.map((item) => JSON.stringify(view(item))).join(',')}`;
      written += next.value.length;
    }
    yield written > 0 ? ']' : '[]';
  } catch (error) {
    onCutOff(error, written);
    throw error;
  } finally {
    // a client that hangs up ends the reading too
    await rest.return?.();
  }
}
