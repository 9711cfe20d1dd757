#!/usr/bin/env python3
"""A stanced client in Python, written from docs/stanced-protocol.md alone.

Connects, lists the devices, subscribes to 20 Hz JSON samples and 100 Hz binary blocks, records a
trial, and prints the file it went to. Needs Python 3.9+ and the `websockets` package
(Debian: python3-websockets). Exit status 0 when the trial completed.

    python3 stanced_client.py ws://127.0.0.1:8765/ --condition eo_firm --duration 3 [--token T]
"""
import argparse
import asyncio
import json
import struct
import sys

import websockets


def parse_block(data: bytes):
    """One binary sample block: (device index, kind, [(t, [values...]), ...])."""
    magic, version, device, kind, channels, _reserved, count = struct.unpack_from("<4sHHBBHI", data)
    if magic != b"STB1" or version != 1:
        raise ValueError(f"not a version 1 sample block: {magic!r} v{version}")
    size = 8 + 4 * channels
    if len(data) != 16 + count * size:
        raise ValueError(f"block of {len(data)} bytes, expected {16 + count * size}")
    rows = []
    for k in range(count):
        t, = struct.unpack_from("<d", data, 16 + k * size)
        values = struct.unpack_from(f"<{channels}f", data, 16 + k * size + 8)
        rows.append((t, list(values)))
    return device, kind, rows


async def run(url, condition, duration, token):
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with websockets.connect(url, extra_headers=headers, max_size=None) as ws:
        next_id = 0
        replies = {}

        async def request(cmd, **params):
            nonlocal next_id
            next_id += 1
            my_id = next_id
            await ws.send(json.dumps({"cmd": cmd, "id": my_id, **params}))
            while my_id not in replies:
                await receive()
            reply = replies.pop(my_id)
            if not reply["ok"]:
                raise RuntimeError(f"{cmd}: {reply['error']}")
            return reply

        state = {"json_samples": 0, "binary_samples": 0, "done": None, "hello": None}

        async def receive():
            message = await ws.recv()
            if isinstance(message, bytes):
                _, _, rows = parse_block(message)
                state["binary_samples"] += len(rows)
                return
            msg = json.loads(message)
            if "reply" in msg:
                replies[msg["id"]] = msg
            elif msg["event"] == "hello":
                state["hello"] = msg
            elif msg["event"] == "samples":
                state["json_samples"] += len(msg["t"])
            elif msg["event"] == "trial_done":
                state["done"] = msg

        while state["hello"] is None:
            await receive()
        assert state["hello"]["protocol"] == 1, state["hello"]
        # Wait until a device streams.
        for _ in range(100):
            devices = (await request("list_devices"))["devices"]
            if any(d["connected"] and d["kind"] for d in devices):
                break
            await asyncio.sleep(0.1)
        for d in devices:
            print(f"device {d['name']}: {d['kind']} {d.get('model', '')} at {d['rate_hz']:.1f} Hz",
                  file=sys.stderr)
        await request("subscribe", rate_hz=20, format="json")
        # A few JSON sample events before the trial (the subscription is replaced below).
        while state["json_samples"] < 5:
            await asyncio.wait_for(receive(), timeout=5)
        trial = (await request("start_trial", condition=condition, duration_s=duration,
                               subject={"id": "PY01"}, session={"id": "python_client"}))["trial"]
        print(f"recording {trial['condition']} for {trial['duration_s']} s", file=sys.stderr)
        await request("subscribe", rate_hz=100, format="binary")
        while state["done"] is None:
            await asyncio.wait_for(receive(), timeout=duration + 30)
        done = state["done"]
        print(f"samples seen: {state['json_samples']} as JSON, {state['binary_samples']} binary",
              file=sys.stderr)
        print(done["file"])
        if state["json_samples"] == 0 or state["binary_samples"] == 0:
            print("no live samples arrived", file=sys.stderr)
            return 1
        return 0 if done["status"] == "complete" else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--condition", default="eo_firm")
    p.add_argument("--duration", type=float, default=3.0)
    p.add_argument("--token", default="")
    a = p.parse_args()
    try:
        sys.exit(asyncio.run(run(a.url, a.condition, a.duration, a.token)))
    except (OSError, RuntimeError, websockets.exceptions.WebSocketException) as e:
        print(f"stanced_client: {a.url}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
