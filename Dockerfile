# blockwire: one image for every role (`blockwire start --role ...`), the demo deployer and the dev
# chain (Hardhat is a dev dependency, hence the full install). Runs the TypeScript sources via tsx.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY schema ./schema
COPY examples ./examples
COPY test/contracts ./test/contracts
COPY docker/blockwire.compose.yaml ./blockwire.yaml
ENV NODE_ENV=production
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:4000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/blockwire.js"]
CMD ["start", "--role", "all", "--config", "blockwire.yaml"]
