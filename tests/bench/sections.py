"""The benchmark sections; each takes the Bench and returns its results (plain data)."""

import asyncio
import contextlib
import json
import random
import statistics
import subprocess

import profiling
from common import (
    BENCH,
    PY,
    ROOT,
    Servers,
    django_env,
    free_port,
    has_uvicorn,
    ratio_summary,
    run_django_script,
    shuffled,
    uvicorn_argv,
)
from fanout import Cell, Contender, ramp
from httpload import closed_loop, fetch_once
from profiling import Profile

# ---------------------------------------------------------------- contenders


def _json_subscribe(topic):
    return json.dumps({"type": "subscribe", "topic": topic})


def _json_post(topic, body, client_id):
    return json.dumps({"type": "post", "topic": topic, "body": body, "client_id": client_id})


def bare_contender(bench, servers):
    port = free_port()
    server = servers.add(
        bench.server("bare", [PY, str(BENCH / "bare_server.py"), str(port)], port=port)
    )
    return Contender(
        name="bare websockets (limit)",
        url=f"ws://127.0.0.1:{port}/",
        topic=lambda i: f"chat.{i}",
        subscribe=_json_subscribe,
        post=_json_post,
        server=server,
    )


def relay_contender(bench, servers, argv=None, env=None, name="Channels relay (baseline)"):
    port = free_port()
    server = servers.add(bench.server("relay", argv(port) if argv else None, env=env, port=port))
    return Contender(
        name=name,
        url=f"ws://127.0.0.1:{port}/relay/",
        topic=lambda i: f"chat.{i}",
        subscribe=_json_subscribe,
        post=_json_post,
        server=server,
    )


def tandem_frames():
    """Tandem's frames, as docs/realtime.md describes them."""
    import tandem_protocol

    return tandem_protocol


def tandem_contender(bench, servers, argv=None, env=None, name="Tandem /ws/", data=None):
    port = free_port()
    server = servers.add(bench.server("tandem", argv(port) if argv else None, env=env, port=port))
    proto = tandem_frames()
    data = data or bench.data
    sessions = data["sessions"]
    convs = data["conversations"]
    return Contender(
        name=name,
        url=f"ws://127.0.0.1:{port}/ws/",
        topic=lambda i: proto.topic(convs[i % len(convs)]),
        subscribe=proto.subscribe,
        post=proto.post,
        headers=lambda i: {"Cookie": f"sessionid={sessions[i % len(sessions)]}"},
        origin=f"http://127.0.0.1:{port}",
        server=server,
    )


# ---------------------------------------------------------------- fan-out

MAKERS = {
    "bare": lambda bench, servers: bare_contender(bench, servers),
    "baseline": lambda bench, servers: relay_contender(bench, servers),
    "tandem": lambda bench, servers: tandem_contender(bench, servers),
}


def fanout_grid(bench):
    if bench.args.grid:
        return [tuple(int(x) for x in cell.split("x")) for cell in bench.args.grid.split(",")]
    if bench.quick:
        return [(10, 1), (10, 10)]
    # the grid N in {2, 10, 50, 200} x G in {1, 10, 100}, up to 5,000 connections, less the
    # cells that repeat a neighbour's lesson (to keep the full run short);
    # N=200 G=10 is left out: the baseline relay itself collapses there on one core
    return [(2, 1), (10, 1), (50, 1), (200, 1), (10, 10), (10, 100), (50, 100)]


def fanout(bench):
    contenders = ["bare", "baseline"]
    if bench.has_chat and bench.tandem_ws_ready():
        contenders.append("tandem")
    else:
        bench.note("Tandem's /ws/ chat consumer is not there yet: fan-out ran without it.")
    warmup, window = (0.25, 0.5) if bench.quick else (0.3, 0.7)
    out = {"contenders": contenders, "cells": []}
    prior = {"bare": 8000.0, "baseline": 2000.0, "tandem": 600.0}
    for n, g in fanout_grid(bench):
        bench.log(f"fan-out N={n} G={g}")
        cell_result = asyncio.run(
            _fanout_cell(bench, contenders, n, g, warmup, window, prior, MAKERS)
        )
        out["cells"].append(cell_result)
    return out


async def _fanout_cell(bench, names, n, g, warmup, window, prior, makers, ref=None):
    result = {"n": n, "g": g, "rounds": [], "connections": n * g + 2 * g}
    cells = {}
    profile = profile_path = None
    with Servers() as servers:
        try:
            for name in names:
                contender = makers[name](bench, servers)
                cell = Cell(contender, n, g)
                await cell.open()
                cells[name] = cell
                if bench.args.profile and name == "tandem" and profile is None:
                    profile_path = bench.logs / f"profile-tandem-{n}x{g}.txt"
                    profile = Profile(contender.server.pid, profile_path)
            caps = {name: [] for name in names}

            def only(name):
                # the idle contenders' servers are stopped (SIGSTOP) while one is measured,
                # so their timers (pings, re-validation) do not take the shared core
                for other, other_cell in cells.items():
                    if other != name:
                        other_cell.c.pause()
                cells[name].c.resume()

            for r in range(bench.rounds):
                rnd = {"caps": {}, "half": {}, "steps": {}}
                for name in shuffled(names, bench.rng):
                    only(name)
                    # the timers that fell due while it was stopped run now, not in the ramp
                    await cells[name].settle()
                    prev = statistics.median(caps[name]) if caps[name] else None
                    floor = 10.0 * n  # at least 10 posts a second in all
                    if prev:
                        start, factor = max(prev * 0.9, floor), 1.1
                        max_steps = 4
                    else:
                        start, factor, max_steps = max(prior[name] * 0.5, floor), 1.6, 12
                    best, steps = await ramp(
                        cells[name],
                        bench.tags,
                        start,
                        factor,
                        warmup,
                        window,
                        max_steps,
                        max_rate=120000,
                        precision=1.2 if bench.quick else 1.08,
                    )
                    rnd.setdefault("trace", {})[name] = [
                        {k: s[k] for k in ("rate", "ok", "p50", "p99", "loss", "expected")}
                        for s in steps
                    ]
                    if bench.args.verbose:
                        bench.log(
                            f"    {name}: "
                            + "; ".join(
                                f"{s['rate']:.0f}/s {'ok' if s['ok'] else 'FAIL'} "
                                f"p99={s['p99'] * 1000:.0f}ms loss={s['loss']}/{s['expected']} "
                                f"srv={s['server_util']:.0%} cli={s['client_util']:.0%}"
                                for s in steps
                            )
                        )
                    cap = best["delivered"] if best else 0.0
                    caps[name].append(cap)
                    rnd["caps"][name] = cap
                    # deliveries per second of server CPU over this ramp's steps: steadier than
                    # capacity when other work shares the server's core
                    per_cpu = [s["per_cpu"] for s in steps if s.get("per_cpu")]
                    if per_cpu:
                        rnd.setdefault("per_cpu", {})[name] = statistics.median(per_cpu)
                    rnd["steps"][name] = len(steps)
                    if best:
                        rnd.setdefault("client_util", {})[name] = max(
                            s["client_util"] for s in steps
                        )
                    if cap:
                        prior[name] = cap
                ref = ref or ("tandem" if "tandem" in names else "baseline")
                half = max(0.5 * (statistics.median(caps[ref]) if caps[ref] else 0), 10.0 * n)
                if half > 0:
                    for name in shuffled(names, bench.rng):
                        only(name)
                        await cells[name].settle()
                        res = await cells[name].run_step(next(bench.tags), half, warmup, window)
                        rnd["half"][name] = res
                        if not res["ok"]:
                            await cells[name].settle()
                result["rounds"].append(rnd)
                bench.log(
                    f"  round {r + 1}: "
                    + ", ".join(f"{k}={v:.0f}/s" for k, v in rnd["caps"].items())
                    + "; half: "
                    + ", ".join(
                        f"{k} p99={v['p99'] * 1000:.0f}ms cpu={v['cpu_ms_per_1k']:.0f}"
                        for k, v in rnd["half"].items()
                    )
                )
        finally:
            for cell in cells.values():
                cell.c.resume()
            for cell in cells.values():
                await cell.close()
            if profile is not None:
                profile.stop()
                result["profile"] = profiling.summarize(profile_path)
    summarize_fanout(result, names)
    return result


def _ratios(rounds, name, ref, key="caps"):
    return ratio_summary(
        [r[key][name] / r[key][ref] for r in rounds if r[key].get(ref) and name in r[key]]
    )


def summarize_fanout(result, names):
    rounds = result["rounds"]
    summary = {}
    for name in names:
        caps = [r["caps"].get(name) for r in rounds]
        halfs = [r["half"].get(name) for r in rounds if r["half"].get(name)]
        summary[name] = {
            "capacity": statistics.median(caps) if caps else None,
            "p50_half": statistics.median(h["p50"] for h in halfs) if halfs else None,
            "p99_half": statistics.median(h["p99"] for h in halfs) if halfs else None,
            "cpu_ms_per_1k": statistics.median(h["cpu_ms_per_1k"] for h in halfs)
            if halfs
            else None,
            "loss_half": sum(h["loss"] for h in halfs),
            "client_util": max((r.get("client_util", {}).get(name, 0) for r in rounds), default=0),
            "per_cpu_s": statistics.median(
                [r["per_cpu"][name] for r in rounds if r.get("per_cpu", {}).get(name)]
            )
            if any(r.get("per_cpu", {}).get(name) for r in rounds)
            else None,
            "per_cpu_vs_baseline": ratio_summary(
                [
                    r["per_cpu"][name] / r["per_cpu"]["baseline"]
                    for r in rounds
                    if r.get("per_cpu", {}).get(name) and r["per_cpu"].get("baseline")
                ]
            ),
            "per_cpu_vs_limit": ratio_summary(
                [
                    r["per_cpu"][name] / r["per_cpu"]["bare"]
                    for r in rounds
                    if r.get("per_cpu", {}).get(name) and r["per_cpu"].get("bare")
                ]
            ),
            "cap_vs_baseline": ratio_summary(
                [
                    r["caps"][name] / r["caps"]["baseline"]
                    for r in rounds
                    if r["caps"].get("baseline")
                ]
            ),
            "cap_vs_limit": ratio_summary(
                [r["caps"][name] / r["caps"]["bare"] for r in rounds if r["caps"].get("bare")]
            ),
            "cpu_vs_baseline": ratio_summary(
                [
                    r["half"][name]["cpu_ms_per_1k"] / r["half"]["baseline"]["cpu_ms_per_1k"]
                    for r in rounds
                    if r["half"].get(name)
                    and r["half"].get("baseline")
                    and r["half"]["baseline"]["cpu_ms_per_1k"] > 0
                ]
            ),
        }
    result["summary"] = summary


# ---------------------------------------------------------------- pages and growth


def _pages_setup(bench):
    if getattr(bench, "pages_data", None) is None:
        sizes = [100, 10_000] if bench.quick else [100, 10_000, 1_000_000]
        bench.log(f"pages: setting up (growth sizes {sizes})")
        bench.pages_data = run_django_script(
            bench.site, "bench_pages.py", "setup", ",".join(map(str, sizes)), timeout=1500
        )
        for note in bench.pages_data["notes"]:
            bench.note(note)
    return bench.pages_data


def _queries(bench, urls, data, **env):
    path = bench.site / "urls.json"
    path.write_text(json.dumps(urls))
    return run_django_script(
        bench.site, "bench_pages.py", "queries", path, data["viewer"], data["tutor"], **env
    )


def _postgres_plans(bench, sizes):
    """Every page's SELECTs explained on PostgreSQL, with the same pages and growth sizes."""
    pg = _postgres_database(bench)
    if pg is None:
        return None
    try:
        bench.log("growth: the same pages on PostgreSQL, for their plans")
        url = pg["url"]
        data = run_django_script(
            bench.site,
            "bench_pages.py",
            "setup",
            ",".join(map(str, sizes)),
            timeout=1500,
            DATABASE_URL=url,
        )
        urls = dict(data["urls"])
        for size, kinds in data.get("growth", {}).items():
            for kind, page in kinds.items():
                urls[f"{kind} {size}"] = page
        counted = _queries(bench, urls, data, DATABASE_URL=url)
    finally:
        _drop_postgres(pg["name"])
    return {
        name: {
            "queries": v["queries"],
            "selects": len(v["selects"]),
            "unindexed": [q for q in v["selects"] if q["index"] is False],
        }
        for name, v in counted.get("pages", {}).items()
    }


def _measure_pages(bench, server, targets, levels, warmup, window):
    """targets: name -> (url, session). Per round, every target at every level, shuffled."""
    rounds = []
    for r in range(bench.rounds):
        rnd = {}
        for level in levels:
            for name in shuffled(targets, bench.rng):
                url, session = targets[name]
                # more workers, longer waits: a longer window so enough answers come back
                span = window * max(1, level / 16)
                rnd[(name, level)] = asyncio.run(
                    closed_loop(server.port, url, session, level, warmup, span, server.cpu)
                )
        rounds.append(rnd)
        bench.log(
            f"  round {r + 1}: "
            + ", ".join(
                f"{n}@{c}={v['rps']:.0f}/s"
                for (n, c), v in rnd.items()
                if c == levels[1 if len(levels) > 1 else 0]
            )
        )
    return rounds


def pages(bench):
    data = _pages_setup(bench)
    urls = dict(data["urls"])
    levels = [1, 8, 32]
    warmup, window = (0.2, 0.5) if bench.quick else (0.3, 1.0)
    out = {"levels": levels, "pages": {}, "notes": []}
    with Servers() as servers:
        server = servers.add(bench.server("pages"))
        targets = {"hello": ("/bench-hello", data["session"])}
        for name, url in urls.items():
            session = data["tutor_session"] if name == "statement" else data["session"]
            status, _size = asyncio.run(fetch_once(server.port, url, session))
            if status != 200:
                bench.note(f"page {name} ({url}) answered {status}: not measured")
                continue
            targets[name] = (url, session)
        profile = None
        if bench.args.profile:
            profile_path = bench.logs / "profile-pages.txt"
            profile = Profile(server.pid, profile_path)
        try:
            rounds = _measure_pages(bench, server, targets, levels, warmup, window)
        finally:
            if profile is not None:
                profile.stop()
                out["profile"] = profiling.summarize(profile_path, top=25)
    counted = _queries(bench, {k: v[0] for k, v in targets.items() if k != "hello"}, data)
    for name in targets:
        per_level = {}
        for level in levels:
            runs = [rnd[(name, level)] for rnd in rounds]
            per_level[level] = {
                "rps": statistics.median(x["rps"] for x in runs),
                "p50": statistics.median(x["p50"] for x in runs),
                "p95": statistics.median(x["p95"] for x in runs),
                "p99": statistics.median(x["p99"] for x in runs),
                "cpu_ms_per_req": statistics.median(x["cpu_ms_per_req"] for x in runs),
                "errors": sum(x["errors"] for x in runs),
                "rps_vs_hello": ratio_summary(
                    [rnd[(name, level)]["rps"] / rnd[("hello", level)]["rps"] for rnd in rounds]
                ),
                "cpu_vs_hello": ratio_summary(
                    [
                        rnd[(name, level)]["cpu_ms_per_req"]
                        / rnd[("hello", level)]["cpu_ms_per_req"]
                        for rnd in rounds
                        if rnd[("hello", level)]["cpu_ms_per_req"] > 0
                    ]
                ),
            }
        q = counted.get("pages", {}).get(name, {})
        out["pages"][name] = {
            "url": targets[name][0],
            "levels": per_level,
            "queries": q.get("queries"),
            "unindexed": [s for s in q.get("selects", []) if s["index"] is False],
        }
    out["vendor"] = counted.get("vendor")
    return out


def growth(bench):
    data = _pages_setup(bench)
    sizes = sorted(int(s) for s in data.get("growth", {}))
    if not sizes:
        bench.note("growth: no conversations were grown")
        return {}
    warmup, window = (0.2, 0.6) if bench.quick else (0.5, 1.5)
    targets = {}
    for size in sizes:
        for kind in ("latest", "history"):
            targets[f"{kind} {size}"] = (data["growth"][str(size)][kind], data["session"])
    with Servers() as servers:
        server = servers.add(bench.server("growth"))
        for name, (url, session) in targets.items():
            status, _ = asyncio.run(fetch_once(server.port, url, session))
            if status != 200:
                bench.note(f"growth page {name} ({url}) answered {status}")
        rounds = _measure_pages(bench, server, targets, [1], warmup, window)
    counted = _queries(bench, {k: v[0] for k, v in targets.items()}, data)
    out = {"sizes": sizes, "pages": {}}
    small = sizes[0]
    for kind in ("latest", "history"):
        for size in sizes:
            name = f"{kind} {size}"
            runs = [rnd[(name, 1)] for rnd in rounds]
            q = counted.get("pages", {}).get(name, {})
            out["pages"][name] = {
                "kind": kind,
                "size": size,
                "p50": statistics.median(x["p50"] for x in runs),
                "cpu_ms_per_req": statistics.median(x["cpu_ms_per_req"] for x in runs),
                "time_vs_smallest": ratio_summary(
                    [rnd[(name, 1)]["p50"] / rnd[(f"{kind} {small}", 1)]["p50"] for rnd in rounds]
                ),
                "queries": q.get("queries"),
                "unindexed": [s for s in q.get("selects", []) if s["index"] is False],
                "selects": len(q.get("selects", [])),
            }
    out["vendor"] = counted.get("vendor")
    out["postgres"] = _postgres_plans(bench, sizes)
    return out


# ---------------------------------------------------------------- memory


async def _open_idle(contender, count, topics_per_conn=3, concurrency=64, offset=0):
    """``count`` idle connections, each subscribed to ``topics_per_conn`` topics."""
    cell = Cell(contender, 1, 1)
    sem = asyncio.Semaphore(concurrency)

    async def one(i):
        i += offset
        ws = await cell._open(i, sem)
        for k in range(topics_per_conn):
            await cell._subscribe(ws, contender.topic(i + k), sem)
        return ws

    conns = await asyncio.gather(*(one(i) for i in range(count)))
    return conns


async def _close_all(conns):
    for ws in conns:
        ws.transport.abort()
    await asyncio.sleep(0.2)


async def _cycles(contender, count, concurrency=32):
    cell = Cell(contender, 1, 1)
    sem = asyncio.Semaphore(concurrency)
    counter = iter(range(count))

    async def worker():
        for i in counter:
            ws = await cell._open(i, sem)
            await cell._subscribe(ws, contender.topic(i), sem)
            await ws.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _settled_rss(server, quiet=1.0):
    await asyncio.sleep(quiet)
    return server.rss()


def memory(bench):
    names = ["bare", "baseline"]
    if bench.has_chat and bench.tandem_ws_ready():
        names.append("tandem")
    makers = {"bare": bare_contender, "baseline": relay_contender, "tandem": tandem_contender}
    counts = [500] if bench.quick else [1000, 5000]
    cycles = bench.args.cycles or (500 if bench.quick else 10000)
    out = {"counts": counts, "cycles": cycles, "per_conn": {}, "cycle": {}}
    for name in shuffled(names, bench.rng):
        with Servers() as servers:
            contender = makers[name](bench, servers)

            async def run(contender=contender):
                await _cycles(contender, 50)  # warm imports and caches
                before = await _settled_rss(contender.server)
                conns, found = [], {}
                for count in counts:  # open more, up to each count in turn
                    more = await _open_idle(contender, count - len(conns), offset=len(conns))
                    conns += more
                    found[count] = await _settled_rss(contender.server, 2.0)
                await _close_all(conns)
                return before, found

            before, found = asyncio.run(run())
            for count, after in found.items():
                per = (after - before) / count
                out["per_conn"].setdefault(name, {})[count] = {
                    "rss_before": before,
                    "rss_after": after,
                    "per_conn_kib": per / 1024,
                }
                bench.log(f"memory {name} x{count}: {per / 1024:.1f} KiB per idle connection")
    for name in shuffled(names, bench.rng):
        with Servers() as servers:
            contender = makers[name](bench, servers)

            async def run(contender=contender):
                await _cycles(contender, 200)
                start = await _settled_rss(contender.server)
                t0 = asyncio.get_running_loop().time()
                await _cycles(contender, cycles)
                took = asyncio.get_running_loop().time() - t0
                end = await _settled_rss(contender.server, 2.0)
                return start, end, took

            start, end, took = asyncio.run(run())
            out["cycle"][name] = {
                "rss_start": start,
                "rss_end": end,
                "growth": end / start - 1,
                "cycles_per_s": cycles / took,
            }
            bench.log(
                f"memory {name}: {cycles} cycles, RSS {start / 2**20:.1f} -> {end / 2**20:.1f} MiB"
            )
    return out


# ---------------------------------------------------------------- servers and layers


def _tandem_multi(bench, servers, name, env_extra, processes, argv=None, data=None):
    """Tandem on ``processes`` server processes sharing the database (and Redis, if set)."""
    first = None
    pids = []
    urls = []
    env = django_env(bench.site, **env_extra)
    for _ in range(processes):
        c = tandem_contender(bench, servers, argv=argv, env=env, name=name, data=data)
        if first is None:
            first = c
        else:
            pids.append(c.server.pid)
            first.extra_servers.append(c.server)
        urls.append(c.url)
    first.url = urls
    first.extra_pids = pids
    return first


def servers(bench):
    if not (bench.has_chat and bench.tandem_ws_ready()):
        bench.note("servers and layers: Tandem's /ws/ is not there yet, not measured")
        return {}
    prefix = f"tbench{random.randrange(10**8)}"
    redis_url = "redis://127.0.0.1:6379/0"
    n, g = 10, 10

    def own(data, k):
        """The k-th set of ``g`` conversations: two setups on one database never share one.

        (A socket that sees its conversation's position jump fills the gap from the
        database; another setup's posts would make every subscriber read them back.)
        """
        return {**data, "conversations": data["conversations"][k * g : (k + 1) * g]}

    makers = {
        "daphne, in-memory, 1 process": lambda b, s: _tandem_multi(
            b, s, "daphne in-memory", {}, 1, data=own(b.data, 0)
        ),
    }
    pg = _postgres_site(bench)
    if pg:
        pg_env = {"DATABASE_URL": pg["url"]}
        makers["daphne, in-memory, 1 process, PostgreSQL"] = lambda b, s: _tandem_multi(
            b, s, "daphne in-memory PG", pg_env, 1, data=own(pg["data"], 0)
        )
        if _redis_up():
            makers["daphne, Redis, 2 processes, PostgreSQL"] = lambda b, s: _tandem_multi(
                b,
                s,
                "daphne Redis x2 PG",
                {**pg_env, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix},
                2,
                data=own(pg["data"], 1),
            )
        else:
            bench.note("Redis is not reachable on 127.0.0.1:6379: the Redis layer was not measured")
    else:
        bench.note(
            "PostgreSQL is not reachable on 127.0.0.1:5432: the scale-out profile "
            "(PostgreSQL + Redis, two processes) was not measured"
        )
    if has_uvicorn():
        makers["uvicorn, in-memory, 1 process"] = lambda b, s: _tandem_multi(
            b, s, "uvicorn in-memory", {}, 1, argv=uvicorn_argv, data=own(b.data, 1)
        )
    else:
        bench.note("uvicorn is not installed: only daphne was measured")
    # N=10 G=10 (above): below the point where one process is overloaded (at N=50 G=10 every
    # setup was past it, and the comparison then measured queueing rather than the setups)
    warmup, window = (0.2, 0.5) if bench.quick else (0.3, 0.8)
    ref = "daphne, in-memory, 1 process"
    prior = {name: 2000.0 for name in makers}  # about what one process carries at N=10 G=10
    names = list(makers)
    result = asyncio.run(_fanout_cell(bench, names, n, g, warmup, window, prior, makers, ref=ref))
    result["ref"] = ref
    result["vs_ref"] = {name: _ratios(result["rounds"], name, ref) for name in names}
    result["cpu_vs_ref"] = {
        name: ratio_summary(
            [
                r["half"][name]["cpu_ms_per_1k"] / r["half"][ref]["cpu_ms_per_1k"]
                for r in result["rounds"]
                if r["half"].get(name)
                and r["half"].get(ref)
                and r["half"][ref]["cpu_ms_per_1k"] > 0
            ]
        )
        for name in names
    }
    _redis_cleanup(prefix)
    if pg:
        _drop_postgres(pg["name"])
    return result


PG_BASE = "postgres://postgres@127.0.0.1:5432/"


def _postgres_site(bench):
    """A fresh PostgreSQL database for the bench, migrated and populated; None without PG."""
    pg = _postgres_database(bench)
    if pg is not None:
        try:
            pg["data"] = run_django_script(
                bench.site, "bench_setup.py", 250, 100, DATABASE_URL=pg["url"]
            )
        except Exception:
            _drop_postgres(pg["name"])
            raise
    return pg


def _postgres_database(bench):
    """A fresh, migrated PostgreSQL database for the bench; None without PG."""
    try:
        import psycopg

        name = f"tandem_bench_{random.randrange(10**8)}"
        with psycopg.connect(PG_BASE + "postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        bench.log(f"no PostgreSQL: {exc}")
        return None
    url = PG_BASE + name
    env = django_env(bench.site, DATABASE_URL=url)
    try:
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    except Exception:
        _drop_postgres(name)
        raise
    return {"name": name, "url": url}


def _drop_postgres(name):
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_up():
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), 1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_cleanup(prefix):
    """Remove the keys this run made under its own prefix."""
    import redis

    with contextlib.suppress(Exception):
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(f"{prefix}*", count=1000):
            client.delete(key)
        for key in client.scan_iter(f":*:{prefix}*", count=1000):
            client.delete(key)
