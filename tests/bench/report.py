"""docs/performance.md from one run's results: the tables, the targets, the machine."""

import datetime as dt
import statistics

from common import fmt_ratio

NAMES = {
    "bare": "limit: bare websockets",
    "baseline": "baseline: Channels relay",
    "tandem": "Tandem /ws/",
}


def ms(value):
    return "n/a" if value is None or value != value else f"{value * 1000:.1f}"


def num(value, digits=0):
    return "n/a" if value is None or value != value else f"{value:,.{digits}f}"


def met(ok):
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render(res):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Tandem's performance",
        "",
        f"Written by `make bench` ({res.get('mode')} mode, {res.get('rounds')} rounds, "
        f"{res.get('duration_s')} s) on {now}. Run it again with `make bench` "
        "(full mode; the duration above) or `make bench BENCH_ARGS=--quick` (a smaller subset).",
        "",
    ]
    if res.get("section_s"):
        parts += [
            "Sections took: "
            + ", ".join(f"{name} {took} s" for name, took in res["section_s"].items())
            + ".",
            "",
        ]
    parts += [
        "How it measures: every server runs as its own process on 127.0.0.1, pinned to "
        "core 0; the load generator is pinned to core 1. Each round runs every contender "
        "once, in random order (a warm-up, then a measured window); a ratio is the median "
        "of the per-round ratios against the round's reference, with min–max in brackets. "
        "Fan-out load is open loop: senders post on a fixed schedule whatever the replies, "
        "latency runs from the scheduled send time to receipt, and loss is counted from "
        "sequence numbers. Compression is off and frames are about 200 bytes. CPU time is "
        "the server's own (utime + stime from /proc). Absolute figures depend on the "
        "machine (and on what else ran on it); the ratios within one run are what counts.",
        "",
    ]
    parts += headline(res)
    if res.get("fanout"):
        parts += fanout_section(res["fanout"])
    if res.get("pages"):
        parts += pages_section(res["pages"])
    if res.get("growth"):
        parts += growth_section(res["growth"])
    if res.get("memory"):
        parts += memory_section(res["memory"])
    if res.get("servers"):
        parts += servers_section(res["servers"])
    parts += deploy_section(res)
    profiles = [
        (c, c["profile"]) for c in (res.get("fanout") or {}).get("cells", []) if c.get("profile")
    ]
    if profiles:
        parts += ["## Where Tandem's server spends its time (py-spy, fan-out)", ""]
        for cell, prof in profiles:
            parts.append(
                f"N={cell['n']}, G={cell['g']}: share of busy samples (inclusive), Tandem's code:"
            )
            parts.append("")
            parts += [f"- {share * 100:.0f}% `{frame}`" for share, frame in prof["own"][:12]]
            parts.append("")
    page_prof = (res.get("pages") or {}).get("profile")
    if page_prof and page_prof.get("own"):
        parts += [
            "## Where the page server spends its time (py-spy, pages)",
            "",
            "Share of busy samples (inclusive) while every page was loaded; Tandem's code, "
            "then everything:",
            "",
        ]
        parts += [f"- {share * 100:.0f}% `{frame}`" for share, frame in page_prof["own"][:12]]
        parts.append("")
        parts += [f"- {share * 100:.0f}% `{frame}`" for share, frame in page_prof["all"][:25]]
        parts.append("")
    parts += causes_section(res)
    if res.get("notes"):
        parts += ["## Notes from this run", ""] + [f"- {n}" for n in res["notes"]] + [""]
    parts += machine_section(res.get("machine", {}))
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- headline


def headline(res):
    rows = []
    fan = res.get("fanout") or {}
    cells = fan.get("cells", [])
    has_tandem = "tandem" in fan.get("contenders", [])
    if cells and has_tandem:
        vs_base = [c["summary"]["tandem"]["cap_vs_baseline"] for c in cells]
        vs_lim = [c["summary"]["tandem"]["cap_vs_limit"] for c in cells]
        worst_base = min((v["median"] for v in vs_base if v), default=None)
        med_base = statistics.median([v["median"] for v in vs_base if v]) if vs_base else None
        worst_lim = min((v["median"] for v in vs_lim if v), default=None)
        med_lim = statistics.median([v["median"] for v in vs_lim if v]) if vs_lim else None
        rows.append(
            [
                "fan-out capacity, Tandem ÷ baseline",
                "≥ 0.8 (aim 1.0)",
                f"median over cells {num(med_base, 2)}, worst cell {num(worst_base, 2)}",
                met(worst_base >= 0.8 if worst_base is not None else None),
            ]
        )
        rows.append(
            [
                "fan-out capacity, Tandem ÷ limit",
                "≥ 0.10 (aim 0.25)",
                f"median over cells {num(med_lim, 3)}, worst cell {num(worst_lim, 3)}",
                met(worst_lim >= 0.10 if worst_lim is not None else None),
            ]
        )
        pc_base = [c["summary"]["tandem"].get("per_cpu_vs_baseline") for c in cells]
        pc_base = [v["median"] for v in pc_base if v]
        pc_lim = [c["summary"]["tandem"].get("per_cpu_vs_limit") for c in cells]
        pc_lim = [v["median"] for v in pc_lim if v]
        if pc_base:
            rows.append(
                [
                    "deliveries per server CPU-second, Tandem ÷ baseline",
                    "(same targets, steadier)",
                    f"median over cells {statistics.median(pc_base):.2f}, "
                    f"worst cell {min(pc_base):.2f}",
                    met(min(pc_base) >= 0.8),
                ]
            )
        if pc_lim:
            rows.append(
                [
                    "deliveries per server CPU-second, Tandem ÷ limit",
                    "(same targets, steadier)",
                    f"median over cells {statistics.median(pc_lim):.3f}, "
                    f"worst cell {min(pc_lim):.3f}",
                    met(min(pc_lim) >= 0.10),
                ]
            )
        by = {(c["n"], c["g"]): c for c in cells}
        pairs = [
            (n, by[(n, 1)], by[(n, 100)]) for n in (2, 10, 50) if (n, 1) in by and (n, 100) in by
        ]
        for n, c1, c100 in pairs:
            a = c1["summary"]["tandem"]["capacity"]
            b = c100["summary"]["tandem"]["capacity"]
            ratio = b / a if a else None
            rows.append(
                [
                    f"Tandem deliveries/s, G=100 ÷ G=1 (N={n})",
                    "≥ 0.7",
                    num(ratio, 2),
                    met(ratio >= 0.7 if ratio is not None else None),
                ]
            )
        p99s = [
            c["summary"]["tandem"]["p99_half"]
            for c in cells
            if c["n"] <= 50 and c["summary"]["tandem"]["p99_half"] is not None
        ]
        if p99s:
            rows.append(
                [
                    "Tandem p99 at half capacity, N ≤ 50",
                    "≤ 100 ms",
                    f"worst cell {ms(max(p99s))} ms",
                    met(max(p99s) <= 0.100),
                ]
            )
        loss = sum(c["summary"]["tandem"]["loss_half"] for c in cells)
        rows.append(["Tandem loss below capacity", "0", str(loss), met(loss == 0)])
    pages = (res.get("pages") or {}).get("pages", {})
    measured = {k: v for k, v in pages.items() if k != "hello"}
    if measured:
        worst = min(
            (_get(v["levels"], 8)["rps_vs_hello"]["median"], k)
            for k, v in measured.items()
            if _get(v["levels"], 8)["rps_vs_hello"]
        )
        rows.append(
            [
                "pages, requests/s ÷ hello (concurrency 8)",
                "≥ 0.25 (aim 0.4)",
                f"worst: {worst[1]} {worst[0]:.2f}",
                met(worst[0] >= 0.25),
            ]
        )
        p95 = max((_get(v["levels"], 8)["p95"], k) for k, v in measured.items())
        rows.append(
            [
                "pages, p95 at concurrency 8",
                "≤ 50 ms",
                f"worst: {p95[1]} {ms(p95[0])} ms",
                met(p95[0] <= 0.050),
            ]
        )
        q = max(((v["queries"] or 0), k) for k, v in measured.items())
        rows.append(["queries per page", "≤ 8", f"most: {q[1]} {q[0]}", met(q[0] <= 8)])
    grow = (res.get("growth") or {}).get("pages", {})
    if grow:
        sizes = res["growth"]["sizes"]
        big, small = sizes[-1], sizes[0]
        for kind in ("latest", "history"):
            g = grow.get(f"{kind} {big}")
            s = grow.get(f"{kind} {small}")
            if g and s:
                r = g["time_vs_smallest"]
                rows.append(
                    [
                        f"chat {kind} page, time at {big:,} ÷ at {small:,} messages",
                        "≤ 1.3 (aim 1.1)",
                        fmt_ratio(r),
                        met(r["median"] <= 1.3 if r else None),
                    ]
                )
                rows.append(
                    [
                        f"chat {kind} page, queries at {small:,} and {big:,}",
                        "identical",
                        f"{s['queries']} and {g['queries']}",
                        met(s["queries"] == g["queries"]),
                    ]
                )
    plans = (res.get("growth") or {}).get("postgres")
    if plans:
        served = sum(v["selects"] - len(v["unindexed"]) for v in plans.values())
        total = sum(v["selects"] for v in plans.values())
        rows.append(
            [
                "EXPLAIN on PostgreSQL: list queries an index serves (every page, every size)",
                "all",
                f"{served}/{total}",
                met(served == total),
            ]
        )
    mem = res.get("memory") or {}
    per = mem.get("per_conn", {})
    if per.get("tandem"):
        top = max(int(k) for k in per["tandem"])
        kib = _get(per["tandem"], top)["per_conn_kib"]
        bare = _get(per.get("bare", {}), top)
        rows.append(
            [
                f"memory per idle connection ({top:,} connections, 3 topics)",
                "≤ 100 KiB (aim 50)",
                f"{kib:.1f} KiB",
                met(kib <= 100),
            ]
        )
        if bare:
            ratio = kib / bare["per_conn_kib"] if bare["per_conn_kib"] > 0 else None
            rows.append(
                [
                    "memory per idle connection, Tandem ÷ bare",
                    "≤ 5",
                    num(ratio, 1),
                    met(ratio <= 5 if ratio is not None else None),
                ]
            )
        cyc = mem.get("cycle", {}).get("tandem")
        if cyc:
            rows.append(
                [
                    f"RSS after {mem['cycles']:,} connect/disconnect cycles",
                    "within 10% of start",
                    f"{cyc['growth'] * 100:+.1f}%",
                    met(cyc["growth"] <= 0.10),
                ]
            )
    if not rows:
        return []
    return ["## Targets", "", table(["what", "target", "this run", "met"], rows), ""]


def _get(mapping, key):
    return mapping.get(key) or mapping.get(str(key))


# ---------------------------------------------------------------- sections


def fanout_section(fan):
    rows = []
    for cell in fan["cells"]:
        for name in fan["contenders"]:
            s = cell["summary"][name]
            rows.append(
                [
                    cell["n"],
                    cell["g"],
                    cell["connections"],
                    NAMES.get(name, name),
                    num(s["capacity"]),
                    fmt_ratio(s["cap_vs_baseline"]),
                    fmt_ratio(s["cap_vs_limit"], 3),
                    num(s.get("per_cpu_s")),
                    fmt_ratio(s.get("per_cpu_vs_baseline")),
                    fmt_ratio(s.get("per_cpu_vs_limit"), 3),
                    ms(s["p50_half"]),
                    ms(s["p99_half"]),
                    num(s["cpu_ms_per_1k"], 0),
                    s["loss_half"],
                    f"{s['client_util'] * 100:.0f}%",
                ]
            )
    return [
        "## Realtime fan-out",
        "",
        "G groups × N subscribers, 2 senders per group. The baseline relay is a Channels "
        "consumer as Channels' documentation writes one, so it also runs Channels' "
        "stale-connection check through the database thread before every message; "
        "Tandem's consumer skips that check (its database calls make it themselves). "
        "Capacity: the deliveries/s at the "
        "highest offered rate with p99 ≤ 250 ms and no loss (the ramp goes up by a factor "
        "until a step fails, or down until one passes, then bisects between the two; later "
        "rounds start just below the earlier rounds' median). Only one contender's server runs "
        "at a time (the others are stopped with SIGSTOP). p50/p99, CPU and loss are "
        "measured at half of Tandem's capacity (the same offered rate for every contender). "
        "CPU-ms: the server's CPU time per 1,000 deliveries. Per CPU-s: deliveries per "
        "second of the server's own CPU time, median over the ramp's steps (what one core "
        "would carry if nothing else ran on it; steadier than capacity on a shared machine, "
        "where the server gets only part of its core). "
        "Load gen.: the load "
        "generator's busiest share of its core while ramping (near 100% means the client, "
        "not the server, was the limit, so the bare server's capacity is a lower bound).",
        "",
        table(
            [
                "N",
                "G",
                "conns",
                "contender",
                "capacity/s",
                "÷ baseline",
                "÷ limit",
                "per CPU-s",
                "÷ baseline",
                "÷ limit",
                "p50 ms",
                "p99 ms",
                "CPU-ms/1k",
                "loss",
                "load gen.",
            ],
            rows,
        ),
        "",
    ]


def pages_section(pg):
    rows = []
    for name, v in pg["pages"].items():
        for level in pg["levels"]:
            lv = _get(v["levels"], level)
            rows.append(
                [
                    name,
                    level,
                    num(lv["rps"]),
                    fmt_ratio(lv["rps_vs_hello"]) if name != "hello" else "1",
                    ms(lv["p50"]),
                    ms(lv["p95"]),
                    ms(lv["p99"]),
                    num(lv["cpu_ms_per_req"], 1),
                    "–" if name == "hello" else v["queries"],
                    lv["errors"],
                ]
            )
    unindexed = [(n, u) for n, v in pg["pages"].items() for u in v.get("unindexed", [])]
    out = [
        "## Pages",
        "",
        "Closed loop (each worker sends its next request when the last answer is in), "
        "signed in as a member, against a Django “hello” view served by the same process "
        "through the same middleware. Queries per page are counted in-process "
        f"(second visit) on {pg.get('vendor')}.",
        "",
        table(
            [
                "page",
                "concurrency",
                "req/s",
                "÷ hello",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "CPU-ms/req",
                "queries",
                "errors",
            ],
            rows,
        ),
        "",
    ]
    if unindexed:
        out += [
            f"Queries whose {pg.get('vendor')} plan reads a table whole (its planner does so "
            "for tables this small; the growth section shows which reads an index can serve "
            "on PostgreSQL):",
            "",
        ]
        out += [f"- {n}: `{u['sql'][:160]}` — {u['plan'][:160]}" for n, u in unindexed]
        out.append("")
    return out


def _indexed(v):
    return f"{v['selects'] - len(v['unindexed'])}/{v['selects']}" if v else "–"


def growth_section(gr):
    pg = gr.get("postgres") or {}
    rows = []
    for name, v in gr["pages"].items():
        rows.append(
            [
                name,
                ms(v["p50"]),
                num(v["cpu_ms_per_req"], 1),
                fmt_ratio(v["time_vs_smallest"]),
                v["queries"],
                _indexed(v),
                _indexed(pg.get(name)),
            ]
        )
    out = [
        "## Growth",
        "",
        "A conversation's newest page (“latest”) and a page from the middle of its history "
        "(“history”, keyset `?before=`) with each stored count of messages, rows "
        "bulk-inserted. Time ratio: p50 at this size ÷ p50 at the smallest, per round. "
        f"Index use: SELECTs whose plan ({gr.get('vendor')}) reads through an index or key, "
        "and the same pages built on PostgreSQL, explained with sequential scans "
        "discouraged (`enable_seqscan = off`): tables this small are read whole whatever "
        "their indexes, so a Seq Scan left in such a plan means no index can serve that read.",
        "",
        table(
            [
                "page",
                "p50 ms",
                "CPU-ms/req",
                "÷ smallest",
                "queries",
                f"indexed ({gr.get('vendor')})",
                "indexed (PostgreSQL)",
            ],
            rows,
        ),
        "",
    ]
    others = [name for name in pg if name not in gr["pages"]]
    if others:
        out += [
            "The other pages on PostgreSQL, SELECTs an index can serve: "
            + ", ".join(f"{name} {_indexed(pg[name])}" for name in others)
            + ".",
            "",
        ]
    elif not pg:
        out += ["PostgreSQL was not reachable: no plans from it.", ""]
    unindexed = [(n, u) for n, v in gr["pages"].items() for u in v["unindexed"]]
    unindexed += [(f"{n} (PostgreSQL)", u) for n, v in pg.items() for u in v["unindexed"]]
    if unindexed:
        out += ["Queries without an index:", ""]
        out += [f"- {n}: `{u['sql'][:160]}` — {u['plan'][:160]}" for n, u in unindexed[:10]]
        out.append("")
    return out


def memory_section(mem):
    rows = []
    for name, per in mem["per_conn"].items():
        for count, v in sorted(per.items(), key=lambda kv: int(kv[0])):
            rows.append(
                [
                    NAMES.get(name, name),
                    f"{int(count):,}",
                    f"{v['rss_before'] / 2**20:.1f}",
                    f"{v['rss_after'] / 2**20:.1f}",
                    f"{v['per_conn_kib']:.1f}",
                ]
            )
    crow = [
        [
            NAMES.get(name, name),
            f"{v['rss_start'] / 2**20:.1f}",
            f"{v['rss_end'] / 2**20:.1f}",
            f"{v['growth'] * 100:+.1f}%",
            num(v["cycles_per_s"]),
        ]
        for name, v in mem["cycle"].items()
    ]
    return [
        "## Memory",
        "",
        "Resident memory of the server process before and after opening idle connections, "
        "each signed in (Tandem) and subscribed to 3 topics.",
        "",
        table(["server", "connections", "RSS before MiB", "RSS after MiB", "KiB each"], rows),
        "",
        f"{mem['cycles']:,} connect, subscribe to a topic, disconnect cycles (32 at a time):",
        "",
        table(["server", "RSS start MiB", "RSS end MiB", "change", "cycles/s"], crow),
        "",
    ]


def servers_section(sv):
    rows = []
    names = list(sv["summary"])
    for name in names:
        s = sv["summary"][name]
        rows.append(
            [
                name,
                num(s["capacity"]),
                fmt_ratio(sv["vs_ref"].get(name)),
                ms(s["p50_half"]),
                ms(s["p99_half"]),
                num(s["cpu_ms_per_1k"], 0),
                fmt_ratio(sv["cpu_vs_ref"].get(name)),
                s["loss_half"],
            ]
        )
    return [
        "## Servers and channel layers",
        "",
        f"Tandem's /ws/ with N={sv['n']}, G={sv['g']} (same method as the fan-out); the "
        "reference is the embedded default (daphne, in-memory layer, SQLite). With "
        "Redis, each group's subscribers and its two senders are spread over the two "
        "processes, so half of the deliveries cross from one process to the other; CPU is "
        "the sum of both processes (both pinned to the same core, so capacity shows the "
        "cost, not the extra core). Each setup posts to conversations of its own.",
        "",
        table(
            [
                "setup",
                "capacity/s",
                "÷ reference",
                "p50 ms",
                "p99 ms",
                "CPU-ms/1k",
                "CPU ÷ reference",
                "loss",
            ],
            rows,
        ),
        "",
    ]


def deploy_section(res):
    sv = res.get("servers") or {}
    lines = ["## Which setup to deploy, and why", ""]
    redis = (sv.get("vs_ref") or {}).get("daphne, Redis, 2 processes, PostgreSQL")
    redis_cpu = (sv.get("cpu_vs_ref") or {}).get("daphne, Redis, 2 processes, PostgreSQL")
    uv = (sv.get("vs_ref") or {}).get("uvicorn, in-memory, 1 process")
    lines.append(
        "- **One group of people, one machine (a pilot, a single organisation):** one "
        "daphne process with the in-memory channel layer and SQLite (`make run`'s "
        "defaults). It is the cheapest per delivery: nothing leaves the process."
    )
    text = (
        "- **More than one process, or more than one machine:** PostgreSQL "
        "(`DATABASE_URL`) and Redis (`REDIS_URL`) with one daphne process per core behind "
        "a proxy. The in-memory layer cannot carry a message from one process to another, "
        "so Redis is required as soon as there are two."
    )
    lost = ((sv.get("summary") or {}).get("daphne, Redis, 2 processes, PostgreSQL") or {}).get(
        "loss_half"
    )
    if redis and lost:
        text += (
            f" Measured here on one core, two processes through Redis lost deliveries ({lost} "
            "at half the reference's capacity, and a few in nearly every ramp step, so its "
            f"capacity reads {fmt_ratio(redis)}) at {fmt_ratio(redis_cpu)} × the single "
            "process's CPU per delivery. A rerun of this section with its server logs kept "
            "showed the cause there: one socket per process whose wait on Redis timed out "
            "(redis-py's 30-second socket timeout) while the bench had that process stopped "
            "(SIGSTOP) for longer, so its consumer "
            "ended and that subscriber heard nothing more; a browser would reconnect and "
            "resume. The capacity of the Redis setup is therefore not measured here."
        )
    elif redis:
        text += (
            f" Measured here on one core, two processes through Redis reached "
            f"{fmt_ratio(redis)} of the single process's capacity at "
            f"{fmt_ratio(redis_cpu)} × its CPU per delivery: the price of the hop through "
            "Redis, paid back once each process has a core of its own."
        )
    lines.append(text)
    if uv:
        lines.append(
            f"- **daphne or uvicorn:** uvicorn reached {fmt_ratio(uv)} of daphne's capacity "
            "in this run; Tandem ships and tests with daphne."
        )
    else:
        lines.append(
            "- **daphne or uvicorn:** only daphne was measured in this run (uvicorn was not "
            "installed); Tandem ships and tests with daphne."
        )
    lines.append("")
    return lines


def machine_section(m):
    if not m:
        return []
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    return [
        "## Machine",
        "",
        f"- CPU: {m.get('cpu')} ({m.get('cores')} cores; shared with other work while "
        "this ran, so absolute figures are noisy)",
        f"- memory: {m.get('memory')}; {m.get('os')}",
        f"- Python {m.get('python')}, SQLite {m.get('sqlite')}",
        f"- {versions}",
        "",
    ]


# What a frame's share of the samples means: the mechanism behind it, in Tandem or below.
CAUSES = {
    "channels/layers.py:InMemoryChannelLayer._clean_expired": (
        "Channels' in-memory layer walks every channel and every group membership on each "
        "`receive` and each `group_send`, so a delivery costs time in proportion to the open "
        "connections (the baseline pays it too). Tandem's embedded layer "
        "(tandem/realtime/layers.py) sweeps at most once a second."
    ),
    "django/db/__init__.py:close_old_connections": (
        "Every request closes and reopens its database connection (each request runs on a "
        "thread of its own under ASGI); the sockets' shared thread keeps its SQLite "
        "connection (`CONN_MAX_AGE`)."
    ),
    "tandem/realtime/consumers.py:_revalidate": (
        "A socket checks its session and topic grants from the database when the person's "
        "access mark changed, and every `WS_REVALIDATE_SECONDS` (600) in any case, at a "
        "random offset so sockets opened together do not check together."
    ),
    "tandem/chat/actions.py:post_message": (
        "A chat post runs five queries (conversation, roles with membership, the "
        "position's update, message, event) in its own transaction: storing a "
        "message, not fanning it out, is what limits Tandem when groups are small."
    ),
    "asgiref/sync.py:AsyncToSync.__call__": (
        "Under daphne every request crosses from the event loop to a thread and back "
        "(`sync_to_async` then `async_to_sync`) because the innermost middleware is sync-only."
    ),
}


def causes_section(res):
    shares = {}
    profiles = [c.get("profile") for c in (res.get("fanout") or {}).get("cells", [])]
    profiles.append((res.get("pages") or {}).get("profile"))
    for prof in profiles:
        for key, share in ((prof or {}).get("watch") or {}).items():
            shares[key] = max(shares.get(key, 0), share)
    lines = []
    for key, text in CAUSES.items():
        if shares.get(key, 0) >= 0.03:
            lines.append(f"- `{key}` (up to {shares[key] * 100:.0f}% of busy samples): {text}")
    if not lines:
        return []
    return ["## What the profiles point at", "", *lines, ""]
