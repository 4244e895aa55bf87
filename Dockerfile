# gradtrace: the web service in a container. CPU torch by default; for CUDA build with
#   --build-arg TORCH_SPEC=torch==2.13.0 --build-arg TORCH_INDEX_URL=<PyTorch's CUDA wheel index>
# (and run with a GPU runtime; device "auto" then picks CUDA). The image runs as a non-root user.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
ARG TORCH_SPEC=torch==2.13.0
ARG TORCH_INDEX_URL=""
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# torch first and pinned, so the project's "torch>=2.4,<3" never pulls another build
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} "$TORCH_SPEC"
COPY pyproject.toml /src/pyproject.toml
# the runtime dependencies exactly as pyproject.toml lists them (the app itself runs from /app)
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" > /src/requirements.txt \
    && pip install --no-cache-dir -r /src/requirements.txt

FROM ${BASE_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 libseccomp2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gradtrace
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY app ./app
COPY templates ./templates
COPY static ./static
# strict: /healthz stays 503 and no run is served unless the children get Landlock and seccomp
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GRADTRACE_JAIL=strict
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# uvicorn with the header/body deadlines and the connection cap (app/api/connections.py)
CMD ["python3", "-m", "app.serve", "--host", "0.0.0.0", "--port", "8000"]
