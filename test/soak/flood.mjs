// Idle-connection flood, run as a child process (each process has its own descriptor limit):
// opens SOCKETS TLS connections to 127.0.0.1:PORT, completes the handshakes, sends nothing, and
// reopens any the server closes after REOPEN_MS, as a hostile client would. With HOLD_MS (the
// reconnect flood), each connection is closed by the client HOLD_MS after its handshake, so the
// server does a handshake per connection, over and over. Prints "open=N closed=N failed=N"
// every 2 s; closes everything and exits when its stdin closes.
import { setInterval, clearInterval, setTimeout } from 'node:timers';
import { connect } from 'node:tls';

const [port, sockets, reopenMs, holdMs = -1] = process.argv.slice(2).map(Number);
const ca = process.env.SOAK_CA;
const servername = process.env.SOAK_SERVERNAME;
const counts = { open: 0, closed: 0, failed: 0 };
const live = new Set();
let stopping = false;

function open() {
  if (stopping) return;
  const socket = connect({ host: '127.0.0.1', localAddress: process.env.SOAK_SOURCE, port, ca, servername });
  let established = false;
  socket.on('secureConnect', () => {
    established = true;
    counts.open += 1;
    live.add(socket);
    if (holdMs >= 0) setTimeout(() => socket.destroy(), holdMs);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    live.delete(socket);
    if (established) {
      counts.open -= 1;
      counts.closed += 1;
    } else counts.failed += 1;
    if (!stopping) setTimeout(open, reopenMs);
  });
}

// Ramp up in batches so the flood measures the server, not a handshake storm from a cold start.
let started = 0;
const ramp = setInterval(() => {
  for (let i = 0; i < 250 && started < sockets; i += 1, started += 1) open();
  if (started >= sockets) clearInterval(ramp);
}, 250);
const report = setInterval(
  () => process.stdout.write(`open=${counts.open} closed=${counts.closed} failed=${counts.failed}\n`),
  2000,
);

process.stdin.resume();
process.stdin.on('end', () => {
  stopping = true;
  clearInterval(ramp);
  clearInterval(report);
  for (const socket of live) socket.destroy();
  process.stdout.write(`open=0 closed=${counts.closed} failed=${counts.failed}\n`);
  setTimeout(() => process.exit(0), 100);
});
