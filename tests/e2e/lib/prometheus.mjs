// Parses the Prometheus text exposition format with the parser of Prometheus's own Python client
// library (Debian's python3-prometheus-client), which rejects malformed output: a real parser
// rather than a regular expression. Returns {family name: {type, samples: [{name, labels,
// value}]}} with values as numbers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    out[family.name] = {"type": family.type, "samples": [
        {"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples]}
print(json.dumps(out))
`;

export async function parsePrometheus(text) {
  const child = promisify(execFile)('/usr/bin/python3', ['-c', PARSE], { maxBuffer: 64 << 20 });
  child.child.stdin.end(text);
  const { stdout } = await child;
  return JSON.parse(stdout);
}

/** The samples of `name` whose labels include every entry of `match`. */
export function samples(families, family, name, match = {}) {
  return (families[family]?.samples ?? []).filter((s) => s.name === name &&
    Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** A histogram series: {buckets: {le: cumulative count}, sum, count}. */
export function histogram(families, family, match) {
  const buckets = Object.fromEntries(samples(families, family, `${family}_bucket`, match)
    .map((s) => [s.labels.le, s.value]));
  const [sum] = samples(families, family, `${family}_sum`, match);
  const [count] = samples(families, family, `${family}_count`, match);
  return { buckets, sum: sum?.value, count: count?.value };
}
