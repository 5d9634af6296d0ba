# api2shim: the API 2 → UAPI translating proxy.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY shim ./shim
COPY mappings ./mappings
# Runtime dependencies only; the mapping table installs with the package.
RUN pip install --no-cache-dir '.[speed]' && useradd --system --uid 10001 --no-create-home api2shim

USER api2shim
# 2087/2083: the WHM and cPanel ports the shim stands in for; 9180: admin (health, metrics).
EXPOSE 2087 2083 9180
# The admin listener's /healthz (admin.listen, default 127.0.0.1:9180: change both together).
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:9180/healthz', timeout=2)" || exit 1
ENTRYPOINT ["python", "-m", "shim", "serve"]
CMD ["--config", "/etc/api2shim/config.yaml"]
