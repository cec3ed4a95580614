# One image for the api, the workers and the one-shot jobs of docker-compose.yml.
FROM python:3.11-slim AS build
WORKDIR /src
# Sources only: .dockerignore keeps out tests, local state and any .env with secrets.
COPY pyproject.toml README.md ./
COPY appraisal_engine ./appraisal_engine
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
RUN useradd --system --uid 10001 --create-home --home-dir /app --shell /usr/sbin/nologin appraisal
USER appraisal
WORKDIR /app
EXPOSE 8000
# Compose names the command (`appraisal api`, `appraisal worker`, ...); alone it shows them.
CMD ["appraisal", "--help"]
