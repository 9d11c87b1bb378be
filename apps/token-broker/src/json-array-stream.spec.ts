import { Controller, Get, type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { text } from 'node:stream/consumers';
import { jsonArrayStream } from './json-array-stream';

const view = (n: number) => ({ n, text: `"${n}"\n` });

async function* inBatches(items: readonly number[], size: number, failAfter = Number.POSITIVE_INFINITY): AsyncGenerator<number[]> {
  for (let start = 0, batch = 0; start < items.length; start += size, batch += 1) {
    if (batch === failAfter) throw new Error('token store gone');
    yield items.slice(start, start + size);
  }
}

const neverCutOff = (error: unknown) => {
  throw new Error(`cut off by ${String(error)}`);
};

async function chunksOf(items: readonly number[], size: number): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of (await jsonArrayStream(inBatches(items, size), view, neverCutOff)).getStream()) chunks.push(String(chunk));
  return chunks;
}

describe('jsonArrayStream', () => {
  it.each([0, 1, 63, 64, 65, 1_234])('writes %i items as the JSON.stringify of the whole array', async (count) => {
    const items = Array.from({ length: count }, (_, i) => i);
    expect((await chunksOf(items, 64)).join('')).toBe(JSON.stringify(items.map(view)));
  });

  it('writes each batch as it comes, so thousands of items are never one string', async () => {
    const chunks = await chunksOf(
      Array.from({ length: 1_234 }, (_, i) => i),
      64,
    );
    expect(chunks).toHaveLength(Math.ceil(1_234 / 64) + 1); // a chunk per batch and the closing bracket
  });

  it('skips empty batches', async () => {
    async function* batches() {
      yield [];
      yield [1];
      yield [];
    }
    const stream = (await jsonArrayStream(batches(), view, neverCutOff)).getStream();
    expect(await text(stream)).toBe(JSON.stringify([view(1)]));
  });

  it('fails before answering when the first batch cannot be read, so the error answer is an ordinary one', async () => {
    await expect(jsonArrayStream(inBatches([1, 2, 3], 2, 0), view, neverCutOff)).rejects.toThrow('token store gone');
  });

  describe('over HTTP, when a later batch cannot be read', () => {
    let app: INestApplication;
    let url: string;
    const cutOffs: Array<{ error: unknown; written: number }> = [];

    beforeAll(async () => {
      @Controller()
      class ListController {
        @Get('list')
        list() {
          return jsonArrayStream(inBatches([1, 2, 3, 4, 5], 2, 2), view, (error, written) => cutOffs.push({ error, written }));
        }
      }
      const moduleRef = await Test.createTestingModule({ controllers: [ListController] }).compile();
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
      await app.listen(0, '127.0.0.1');
      url = `${await app.getUrl()}/list`;
    });

    afterAll(() => app.close());

    it('cuts the connection, so no client takes part of the list for all of it', async () => {
      const answer = await fetch(url);
      expect(answer.status).toBe(200);
      await expect(answer.text()).rejects.toThrow('terminated');
    });

    it('hands the error and the count written to onCutOff, as the server logs nothing', async () => {
      cutOffs.length = 0;
      await fetch(url).then((answer) => answer.text().catch(() => undefined));
      expect(cutOffs).toEqual([{ error: new Error('token store gone'), written: 4 }]);
    });
  });
});
