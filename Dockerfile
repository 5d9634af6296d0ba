# api2shim: the API 2 → UAPI translating proxy.
#   docker build -t api2shim:0.1.0 .
# The same steps as the README's install (tools/check_install.sh runs them in a fresh venv):
# a wheel built from the source, installed with [speed] into a clean Python.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY shim ./shim
COPY mappings ./mappings
RUN pip install --no-cache-dir build==1.2.2 && python -m build --wheel --outdir /dist .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY --from=build /dist/ /tmp/dist/
# Runtime dependencies only; the mapping table installs with the package.
RUN pip install --no-cache-dir --find-links /tmp/dist 'api2shim[speed]==0.1.0' && rm -r /tmp/dist \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin api2shim
USER 10001:10001
# 2087/2083: the WHM and cPanel ports the shim stands in for; 9180: admin (health, metrics).
EXPOSE 2087 2083 9180
# The admin listener's /healthz (admin.listen, default 127.0.0.1:9180: change both together).
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:9180/healthz', timeout=2)"]
# Access log (JSON Lines) on stdout, app log on stderr: `docker logs` keeps both, apart.
ENTRYPOINT ["api2shim", "serve"]
CMD ["--config", "/etc/api2shim/config.yaml"]
