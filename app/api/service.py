"""What the routes do, in one place: requests in, the sandboxed child's JSON bytes out (never parsed here: a
GPT-2 graph is megabytes), with the cache, the per-client limits and the counters around the pool."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response

from app.api.cache import GZIP_MIN_BYTES, ResponseCache, graph_key
from app.api.disconnect import CLIENT_CLOSED, unless_disconnected
from app.api.fairness import ClientLimits
from app.api.gate import Gate
from app.api.metrics import Metrics
from app.errors import BodyTooLarge, Busy, GradtraceError
from app.forms import resolve
from app.models import DiffRequest, GraphRequest, ValuesRequest
from app.sandbox.diff_job import diff_payload
from app.sandbox.graph_job import prepare
from app.sandbox.jobs import DIFF, GRAPH, LAYOUT, tagged
from app.sandbox.pool import Machine, Pool
from app.sandbox.protocol import Confinement
from app.settings import Settings

__all__ = ["CACHE_STATUS", "GRAPH_LOCATION", "IMMUTABLE", "Service", "layout_confinement"]

LAYOUT_SECONDS = 10  # wall and CPU time of one re-layout (10,000 nodes, the cap, take ~1 s)
LAYOUT_MEMORY_MB = 2_048  # address space a re-layout may add (an 8 MiB graph parsed, laid out, dumped)
GRAPH_LOCATION = "/graph/{key}"
CACHE_STATUS = "X-Gradtrace-Cache"  # hit | shared | stored | not-stored
IMMUTABLE = "private, max-age=31536000, immutable"  # a hash names one graph for good


@dataclass(frozen=True)
class GraphRun:
    """One graph's answer: the child's JSON bytes, the cache key it is kept under (None: not kept), how the
    cache served it (CACHE_STATUS) and the program that ran."""

    answer: bytes
    key: str | None
    status: str
    program: str


@dataclass
class Service:
    pool: Pool
    settings: Settings
    cache: ResponseCache
    clients: ClientLimits
    metrics: Metrics
    layout_gate: Gate

    async def graph(self, request: Request, body: GraphRequest) -> Response:
        """POST /graph: a kept answer when there is one; else a run (shared with identical ones going)."""
        ran = await self._graph_run(request, body)
        if ran is None:
            return Response(status_code=CLIENT_CLOSED)
        return await self._graph_answer(request, ran.answer, ran.key, ran.status)

    async def diff(self, request: Request, body: DiffRequest) -> Response:
        """POST /diff: both runs as POST /graph makes them (cache, pool, limits), one after the other so that
        a client allowed one run at a time can compare; then compared in a child. A failure names its side."""
        runs: list[tuple[bytes, str | None, str | None]] = []
        for side, graph_request in (("before", body.before), ("after", body.after)):
            try:
                ran = await self._graph_run(request, graph_request)
            except GradtraceError as error:
                error.side = side
                raise
            if ran is None:
                return Response(status_code=CLIENT_CLOSED)
            location = GRAPH_LOCATION.format(key=ran.key) if ran.key is not None else None
            runs.append((ran.answer, ran.program, location))
        payload = tagged(DIFF, diff_payload(runs[0], runs[1]))
        if len(payload) > self.pool.max_payload_bytes:
            raise BodyTooLarge(
                f"the two graphs ({len(payload) / 2**20:.1f} MiB) are more than a comparison on the server "
                f"takes ({self.pool.max_payload_bytes / 2**20:.1f} MiB); the page compares runs of any size"
            )
        # the bounds of a re-layout: parse two graphs and walk their nodes once
        run = self._runner(request, "diff", payload, layout_confinement(self.settings))
        return json_answer(await unless_disconnected(request, run))

    async def _graph_run(self, request: Request, body: GraphRequest) -> GraphRun | None:
        """A graph's answer, kept or run; None when the client went away first."""
        machine = self._warm()
        resolved = resolve(body)
        payload, confinement = prepare(resolved, body.options, self.settings, machine)
        key = graph_key(payload, machine.torch)
        kept = self.cache.lookup(key)
        if kept is not None:
            return GraphRun(kept, key, "hit", resolved.program)
        run = self._runner(request, "graph", tagged(GRAPH, payload), confinement)
        outcome = await unless_disconnected(request, lambda: self.cache.shared(key, run))
        if outcome is None:
            return None
        answer, status = outcome
        return GraphRun(answer, key if status != "not-stored" else None, status, resolved.program)

    async def stored_graph(self, request: Request, key: str) -> Response:
        """GET /graph/{hash}: a kept graph, or 304 when the client holds it already."""
        if key in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=_kept_headers(key) | {"Cache-Control": IMMUTABLE})
        kept = self.cache.lookup(key)
        if kept is None:
            raise HTTPException(404, "no graph with this hash is kept here (now); POST its request again")
        answer = await self._graph_answer(request, kept, key, "hit")
        answer.headers["Cache-Control"] = IMMUTABLE
        return answer

    async def values(self, request: Request, body: ValuesRequest) -> Response:
        """POST /values: a page of one node's numbers from a re-run (not cached)."""
        machine = self._warm()
        payload, confinement = prepare(resolve(body), body.options, self.settings, machine, body.query())
        run = self._runner(request, "values", tagged(GRAPH, payload), confinement)
        return json_answer(await unless_disconnected(request, run))

    async def layout(self, request: Request) -> Response:
        """POST /layout: the request's bytes, parsed and laid out again in a child, a few at a time (the
        gate is entered before the body is read, so that waiting layouts hold no body)."""
        self._warm()
        async with self.layout_gate.admitted() as limiter:
            body = await request.body()
            async with limiter:
                confinement = layout_confinement(self.settings)
                run = self._runner(request, "layout", tagged(LAYOUT, body), confinement)
                return json_answer(await unless_disconnected(request, run))

    async def _graph_answer(self, request: Request, body: bytes, key: str | None, status: str) -> Response:
        """A graph's JSON; with `key`, where it is kept, and gzipped from the cache for a client that takes it
        (the middleware passes a body already encoded through)."""
        headers = {CACHE_STATUS: status}
        if key is None:
            return Response(body, media_type="application/json", headers=headers)
        headers |= _kept_headers(key)
        if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
            body = await self.cache.gzipped(key, body)
            headers |= {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(body, media_type="application/json", headers=headers)

    def _runner(
        self, request: Request, task: str, message: bytes, confinement: Confinement
    ) -> Callable[[], Awaitable[bytes]]:
        """The run of one task, which holds one of its client's places (a request waiting for an identical
        run to finish holds none: it takes no worker)."""

        async def run() -> bytes:
            with self.clients.holding(request):
                self.metrics.runs[task] += 1
                return await self.pool.run(message, confinement)

        return run

    def _warm(self) -> Machine:
        if self.pool.machine is None:
            raise Busy("the worker pool is still warming up; retry shortly")
        return self.pool.machine


def _kept_headers(key: str) -> dict[str, str]:
    """Where a kept graph is (for GET and share links), and its validator."""
    return {"Content-Location": GRAPH_LOCATION.format(key=key), "ETag": f'W/"{key}"'}


def json_answer(body: bytes | None) -> Response:
    """The child's JSON, or CLIENT_CLOSED when the client went away first."""
    if body is None:
        return Response(status_code=CLIENT_CLOSED)
    return Response(body, media_type="application/json")


def layout_confinement(settings: Settings) -> Confinement:
    limits = settings.limits
    return Confinement(
        wall_seconds=min(limits.wall_seconds, LAYOUT_SECONDS),
        cpu_seconds=min(limits.cpu_seconds, LAYOUT_SECONDS),
        memory_mb=min(limits.memory_mb, LAYOUT_MEMORY_MB),
        max_result_bytes=settings.max_result_bytes,
    )
