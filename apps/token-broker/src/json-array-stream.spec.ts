import { jsonArrayChunks } from './json-array-stream';

async function collect(items: readonly number[]): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of jsonArrayChunks(items, (n) => ({ n, text: `"${n}"\n` }))) chunks.push(chunk);
  return chunks;
}

describe('jsonArrayChunks', () => {
  it.each([0, 1, 499, 500, 501, 1_234])('writes %i items as the JSON.stringify of the whole array', async (count) => {
    const items = Array.from({ length: count }, (_, i) => i);
    const chunks = await collect(items);
    expect(chunks.join('')).toBe(JSON.stringify(items.map((n) => ({ n, text: `"${n}"\n` }))));
  });

  it('hands over a slice per chunk, so thousands of items are never one string', async () => {
    const chunks = await collect(Array.from({ length: 1_234 }, (_, i) => i));
    expect(chunks).toHaveLength(4); // three slices and the closing bracket
  });
});
