// Moved to src/schemas/api.ts; kept until the route files import from there.
export * from '../schemas/api';
