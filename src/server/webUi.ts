import type { FastifyInstance } from 'fastify';

/** The page's files; the API works without them. */
export async function registerWebUi(_app: FastifyInstance): Promise<void> {}
