/**
 * How long a closed connection waits for the server's end of the socket before dropping it. By then
 * QUIT has been answered or given up on, so there is nothing left to wait for; and ioredis starts
 * this timer even for a socket that is already gone (a connection closed while Redis is away),
 * where its default of 2 s kept the process alive that long after everything was closed.
 */
export const DISCONNECT_TIMEOUT_MS = 100;
