import { createServer, type Server } from 'node:http';

export interface OpsRoutes {
  /** The Prometheus exposition. */
  metrics: () => Promise<{ contentType: string; text: string }>;
  /** The active templates and their file hashes. */
  templates: () => object;
}

/** Plain HTTP on METRICS_PORT, never exposed to the API server: /metrics and /debug/templates. */
export function createOpsServer(routes: OpsRoutes): Server {
  return createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      void routes.metrics().then(({ contentType, text }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(text);
      });
    } else if (req.method === 'GET' && req.url === '/debug/templates') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(routes.templates()));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: GET /metrics, GET /debug/templates');
    }
  });
}
