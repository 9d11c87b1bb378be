/** The value of an unlabelled series in a Prometheus text scrape; undefined when the scrape does not carry it. */
export function seriesValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
