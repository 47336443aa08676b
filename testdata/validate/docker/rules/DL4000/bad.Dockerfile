FROM debian:12.8
MAINTAINER ops@example.com
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY app /app/app
USER app
HEALTHCHECK CMD ["/app/app", "health"]
CMD ["/app/app"]
