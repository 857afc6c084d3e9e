import type { FastifyInstance } from 'fastify';
import type { Ingestor } from './ingest.ts';

/**
 * The public ingest URL of every source, `/in/{source id or uid}`: no token (providers authenticate by signature),
 * any content type, the body kept as raw bytes so verification sees exactly what was sent.
 */
export async function registerIngestRoute(app: FastifyInstance, ingestor: Ingestor, maxBody: number): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBody }, (_request, body, done) => done(null, body));
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/in/:source',
      bodyLimit: maxBody,
      schema: { hide: true },
      handler: async (request, reply) => {
        const [path, query = ''] = request.url.split('?', 2) as [string, string?];
        const answer = await ingestor.receive((request.params as { source: string }).source, {
          method: request.method,
          path,
          query,
          headers: request.headers,
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          ip: request.ip,
        });
        if (answer.contentType) reply.header('content-type', answer.contentType);
        return reply.status(answer.status).send(answer.body);
      },
    });
  });
}
