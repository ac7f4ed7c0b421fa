// Fallback load generator where wrk is not installed: prints one JSON line of results.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, connections, seconds, bodyFile] = process.argv.slice(2);
const result = await autocannon({
  url,
  method: 'POST',
  connections: Number(connections),
  duration: Number(seconds),
  headers: { 'content-type': 'application/json' },
  body: readFileSync(bodyFile),
  tlsOptions: { rejectUnauthorized: false },
});
process.stdout.write(
  `${JSON.stringify({ requests: result.requests.total, rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx })}\n`,
);
