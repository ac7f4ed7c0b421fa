// The HTTPS floor of the machine: read the body, send a constant reply. Nothing is faster.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const REPLY = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: 'x', allowed: true },
});
const server = createServer(
  { cert: readFileSync(process.env.TLS_CERT_FILE), key: readFileSync(process.env.TLS_KEY_FILE) },
  (req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': REPLY.length });
      res.end(REPLY);
    });
  },
);
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT ?? 0), () => process.stdout.write(`listening ${server.address().port}\n`));
