# blockwire: one image, every role (`blockwire start --role ...`), run through tsx without a build step.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --omit=dev
COPY bin ./bin
COPY src ./src
COPY schema ./schema
COPY examples ./examples
COPY docker/blockwire.compose.yaml ./blockwire.yaml
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:4000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/blockwire.js"]
CMD ["start", "--role", "all", "--config", "blockwire.yaml"]
