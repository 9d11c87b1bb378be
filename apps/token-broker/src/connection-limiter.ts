import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Connections held open at most, whatever the file-descriptor limit allows. */
const MAX_CONNECTIONS = 10_000;
/** Descriptors kept back from connections for Redis, upstream calls, files and Node itself. */
const RESERVED_DESCRIPTORS = { atLeast: 100, share: 0.2 };
/** A new connection must start its first request this soon (Node's keep-alive timeout covers the next ones). */
const IDLE_BEFORE_REQUEST_MS = 5_000;
/**
 * After this many requests a connection is closed (its last answer says `Connection: close`), so no
 * client holds one forever. Not Node's maxRequestsPerSocket: it answers a request the client had
 * already sent on such a connection with a bare 503; here the connection just closes after the
 * answer, and the client resends on a new one, as it does when any keep-alive connection closes.
 */
export const MAX_REQUESTS_PER_CONNECTION = 1_000;
/** While connections are shed, one log line at most this often. */
const LOG_INTERVAL_MS = 60_000;

interface ConnectionState {
  /** Has sent at least one request: a keep-alive connection, kept over fresh ones. */
  served: boolean;
  inFlight: number;
  requests: number;
}

/**
 * Keeps the number of open connections under the process's file-descriptor limit, so a flood of
 * idle connections can never take the descriptors real callers, Redis and upstream calls need.
 * At the limit a new connection is accepted and the oldest idle one is closed instead: first one
 * that never sent a request, then an idle keep-alive one; a connection with a request in flight
 * is never closed. Only when every connection is busy is the new one refused. So a caller that
 * connects during a flood is served, and the flood only churns itself. Every connection is closed
 * after MAX_REQUESTS_PER_CONNECTION requests.
 */
export function limitConnections(server: Server, openFileLimit = readOpenFileLimit()): void {
  const limit = connectionLimit(openFileLimit);
  const connections = new Map<Socket, ConnectionState>();
  const logger = new Logger('Connections');
  logger.log(`at most ${limit} connections (open-file limit ${openFileLimit ?? 'unknown'})`);
  let shed = 0;
  let loggedAt = -Infinity;

  server.on('connection', (socket: Socket) => {
    if (connections.size >= limit) {
      const victim = oldestIdle(connections);
      shed += 1;
      if (Date.now() - loggedAt >= LOG_INTERVAL_MS) {
        logger.warn(
          `${limit} connections open (the limit, from an open-file limit of ${openFileLimit ?? 'unknown'}): closing the oldest idle ones; ${shed} shed since the last line`,
        );
        loggedAt = Date.now();
        shed = 0;
      }
      if (!victim) return void socket.destroy();
      connections.delete(victim);
      victim.destroy();
    }
    connections.set(socket, { served: false, inFlight: 0, requests: 0 });
    // Node times out nothing before a connection's first byte; this does (a timeout nobody handles closes it)
    socket.setTimeout(IDLE_BEFORE_REQUEST_MS);
    socket.once('close', () => connections.delete(socket));
  });

  // runs on every request, the token route's included: no closure or timer change per request
  server.on('request', (request: IncomingMessage, response: TrackedResponse) => {
    const state = connections.get(request.socket);
    if (!state) return;
    if (!state.served) {
      state.served = true;
      // a request may wait on a lock or an upstream for longer; from now on Node's keep-alive
      // timeout runs between requests, and Node clears it itself when the next one starts
      request.socket.setTimeout(0);
    }
    state.inFlight += 1;
    state.requests += 1;
    if (state.requests >= MAX_REQUESTS_PER_CONNECTION) response.shouldKeepAlive = false;
    response[CONNECTION_STATE] = state;
    response.on('close', answered);
  });
}

const CONNECTION_STATE = Symbol('connectionState');
type TrackedResponse = ServerResponse & { [CONNECTION_STATE]?: ConnectionState };

function answered(this: TrackedResponse): void {
  this[CONNECTION_STATE]!.inFlight -= 1;
}

function connectionLimit(openFileLimit: number | undefined): number {
  if (openFileLimit === undefined) return MAX_CONNECTIONS;
  const reserved = Math.max(RESERVED_DESCRIPTORS.atLeast, Math.ceil(openFileLimit * RESERVED_DESCRIPTORS.share));
  return Math.max(1, Math.min(MAX_CONNECTIONS, openFileLimit - reserved));
}

function oldestIdle(connections: Map<Socket, ConnectionState>): Socket | undefined {
  let idleKeepAlive: Socket | undefined;
  for (const [socket, state] of connections) {
    if (state.inFlight > 0) continue;
    if (!state.served) return socket;
    idleKeepAlive ??= socket;
  }
  return idleKeepAlive;
}

/** The soft RLIMIT_NOFILE (Linux); undefined where it cannot be read or is unlimited. */
function readOpenFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
