"""A TCP relay that holds every byte for a fixed time each way: the latency between hosts
in bench/cluster.py, where the kernel has no ``tc netem`` (this machine's has only the
pfifo, tbf and htb queueing disciplines).

  python bench/_delay.py --delay-ms 0.5 16432:10.237.0.13:6432 [...]
  python bench/_delay.py --rtt 127.0.0.1:16432/portal 10.237.0.11:5432/portal

Each route ``LISTEN_PORT:HOST:PORT`` accepts on ``--bind`` and opens one connection to
HOST:PORT per connection accepted; what either side sends reaches the other ``--delay-ms``
later, in order, pipelined (a second message is not held behind the first's delay). A
host's outgoing traffic passes through the relay started in its own namespace, as netem
on its interface would delay it.

The delay actually added (timers and the relay's own work) is measured, not taken from
``--delay-ms``: ``--rtt`` times ``SELECT 1`` round trips to each PostgreSQL given (the
median of 200 on one connection), which the rehearsal runs in an app host's namespace,
through its relays and straight to the primary.
"""

import argparse
import asyncio
import contextlib
import json
import selectors
import socket
import statistics
import time


async def _pump(reader, writer, delay):
    """Copy reader to writer, each chunk ``delay`` seconds after it arrived; then pass
    the end of the stream on (half-close)."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((loop.time() + delay, data))
    except OSError:
        sender.cancel()
        raise
    queue.put_nowait((loop.time() + delay, None))
    await sender


def _nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _route(target, delay):
    host, port = target

    async def handle(client_reader, client_writer):
        _nodelay(client_writer)
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()  # the target is down: the client sees the connection end
            return
        _nodelay(server_writer)
        pumps = [
            asyncio.create_task(_pump(client_reader, server_writer, delay)),
            asyncio.create_task(_pump(server_reader, client_writer, delay)),
        ]
        # One side resetting ends both directions; a clean end of each waits for both.
        await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
        for task in pumps:
            task.cancel()
        for writer in (client_writer, server_writer):
            writer.close()
        for task in pumps:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task

    return handle


async def serve(bind, routes, delay):
    servers = [
        await asyncio.start_server(_route(target, delay), bind, listen) for listen, target in routes
    ]
    print(f"relaying {len(servers)} routes on {bind}, {delay * 1000:g} ms each way", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def parse_route(text):
    listen, host, port = text.split(":")
    return int(listen), (host, int(port))


def round_trips(targets, n=200):
    """The median ``SELECT 1`` round trip, in ms, to each ``host:port/database``."""
    import psycopg2  # only here: the relay itself needs nothing beyond the standard library

    medians = {}
    for target in targets:
        address, database = target.split("/")
        host, port = address.split(":")
        conn = psycopg2.connect(host=host, port=port, user="postgres", dbname=database)
        with conn.cursor() as cur:
            times = []
            for _ in range(n):
                started = time.perf_counter()
                cur.execute("SELECT 1")
                cur.fetchone()
                times.append(time.perf_counter() - started)
        conn.close()
        medians[target] = round(statistics.median(times) * 1000, 3)
    return medians


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delay-ms", type=float)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--rtt", action="store_true", help="time round trips to the targets")
    parser.add_argument("routes", nargs="+")
    args = parser.parse_args(argv)
    if args.rtt:
        print(json.dumps(round_trips(args.routes)))
        return
    args.routes = [parse_route(route) for route in args.routes]
    # select(2) takes microseconds; epoll, asyncio's default, whole milliseconds (0.5 ms
    # asked for gave 1.25 ms each way). A relay holds a few dozen sockets.
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    loop.run_until_complete(serve(args.bind, args.routes, args.delay_ms / 1000))


if __name__ == "__main__":
    main()
