# One image for both halves of Tandem; docker-compose.yml picks `npm run api` or `npm run worker`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Inside a container the API must listen beyond loopback for a published port to reach it.
ENV HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json drizzle.config.ts ./
COPY drizzle ./drizzle
COPY src ./src
COPY scripts ./scripts
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
