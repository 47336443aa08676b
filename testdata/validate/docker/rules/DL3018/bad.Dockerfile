FROM alpine:3.20
RUN apk add --no-cache bash
USER nobody
HEALTHCHECK CMD ["true"]
CMD ["sh"]
