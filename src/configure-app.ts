import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, urlencoded } from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { MAX_BODY_DEPTH, PinoNestLogger, bodyDepthLimit, httpLogging } from '@custos/core';
import { scimBodyErrors } from '@custos/identity';
import type { ServerConfig } from './config/server-config';
import { httpMetrics } from './metrics/http-metrics';
import { ServerMetrics } from './metrics/server-metrics';

/** The OpenAPI document of the server, with bearer and API-key security schemes. */
export function buildOpenApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Custos')
    .setDescription(
      'Privacy and access-control layer of a CRM. Sign in with `POST /api/v1/auth/login`, then press ' +
        '"Authorize" and paste the `accessToken` (bearer), or an API key of a private app. ' +
        'Errors are RFC 9457 problem documents (`application/problem+json`).',
    )
    .setVersion('0.1.0')
    // Tags in the order an administrator meets them.
    .addTag('authentication')
    .addTag('me')
    .addTag('accounts')
    .addTag('users')
    .addTag('teams')
    .addTag('business units')
    .addTag('private apps')
    .addTag('roles')
    .addTag('record rules')
    .addTag('field permissions')
    .addTag('access')
    .addTag('properties')
    .addTag('records')
    .addTag('associations')
    .addTag('segments')
    .addTag('imports')
    .addTag('audit log')
    .addTag(
      'SCIM 2.0',
      'Provisioning by identity providers (Okta, Entra ID) under `/scim/v2`, with a provisioning token.',
    )
    .addTag('health')
    .addTag(
      'operator',
      'For the platform operator, with the operator token; not for account users.',
    )
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Access token from /api/v1/auth/login or your identity provider',
    })
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'SCIM provisioning token (POST /api/v1/scim-tokens); /scim/v2 routes only',
      },
      'provisioning-token',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key of a private app' },
      'api-key',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Operator-Token',
        description: 'Token of the platform operator (CUSTOS_OPERATOR_TOKEN); operator routes only',
      },
      'operator-token',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  documentBodyProblems(document);
  return document;
}

/** Any route with a JSON body can also answer 400 (not JSON, nested too deep) and 413 (too large): documented once, here. */
function documentBodyProblems(document: OpenAPIObject): void {
  const problem = {
    'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } },
  };
  for (const [route, path] of Object.entries(document.paths)) {
    if (route.startsWith('/scim/')) {
      // SCIM routes document these in the SCIM error schema themselves.
      continue;
    }
    for (const operation of [path.post, path.put, path.patch]) {
      if (operation?.requestBody) {
        operation.responses['400'] ??= {
          description: `The request body is not valid JSON, or nests objects and arrays deeper than ${MAX_BODY_DEPTH} levels (\`core.body_too_deep\`, \`limit\` names it).`,
          content: problem,
        };
        operation.responses['413'] ??= {
          description: 'The request body exceeds the configured limit.',
          content: problem,
        };
      }
    }
  }
}

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** What Nest's `rawBody: true` does: the bytes a parser read, kept beside the parsed body. */
function keepRawBody(req: IncomingMessage & { rawBody?: Buffer }, _res: unknown, buffer: Buffer) {
  req.rawBody = buffer;
}

/**
 * The body parsers and the depth limit as one middleware that a request without a body (every
 * GET) passes at once, as each of them would (`req.body` stays `undefined`), without three
 * layers of the router per request.
 */
function bodyParsing(...steps: Middleware[]): Middleware {
  return (req, res, next) => {
    const { 'transfer-encoding': chunked, 'content-length': length } = req.headers;
    // type-is's `hasBody`, which each parser asks first.
    if (chunked === undefined && Number.isNaN(Number(length))) {
      req.body = undefined;
      next();
      return;
    }
    let step = 0;
    const run = (error?: unknown): void => {
      if (error !== undefined || step === steps.length) {
        next(error);
      } else {
        steps[step++](req, res, run);
      }
    };
    run();
  };
}

type HeaderMiddleware = (req: never, res: never, next: (error?: unknown) => void) => void;

/**
 * The headers a helmet middleware sets, set from a list made once: with no nonce configured they
 * are the same for every request, and helmet's dozen middlewares per request cost more than the
 * lookup of the route.
 */
function fixedHeaders(middleware: HeaderMiddleware): HeaderMiddleware {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => undefined,
  };
  middleware({ headers: {} } as never, recorder as never, (error) => {
    if (error) {
      throw error instanceof Error ? error : new Error('helmet refused its own configuration');
    }
  });
  return (_req, res: { setHeader(name: string, value: string): void }, next) => {
    for (const [name, value] of headers) {
      res.setHeader(name, value);
    }
    next();
  };
}

/**
 * Everything between Nest and the wire, shared by `main.ts` and the e2e tests so that what is
 * tested is what runs: logging, request ids, security headers, body limits, Swagger.
 */
export function configureApp(
  app: NestExpressApplication,
  config: ServerConfig,
  logger: Logger,
): void {
  app.useLogger(new PinoNestLogger(logger));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(...httpLogging(logger));
  if (config.metrics) {
    const metrics = app.get(ServerMetrics);
    app.use(httpMetrics(metrics));
    if (config.metrics.port === undefined) {
      // Before Nest's routes: a plain Express route, outside the API's guards (no account data in it).
      app
        .getHttpAdapter()
        .getInstance()
        .get('/metrics', (_req, res, next) => {
          metrics.exposition().then(({ contentType, body }) => {
            res.type(contentType).send(body);
          }, next);
        });
    }
  }
  const strict = fixedHeaders(helmet());
  // Swagger UI needs inline styles and scripts of its own; everywhere else keeps helmet's defaults.
  const docs = fixedHeaders(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'", "'unsafe-inline'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          // Served over plain HTTP inside a network, upgraded asset URLs would not load.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use((req: { path: string }, res: unknown, next: () => void) =>
    (req.path === '/docs' || req.path.startsWith('/docs/') ? docs : strict)(
      req as never,
      res as never,
      next,
    ),
  );
  // SCIM clients send `application/scim+json` (RFC 7644 §3.1); it is JSON all the same. With
  // `rawBody: true` at creation, `req.rawBody` keeps the bytes webhooks check a signature over.
  // The one-click unsubscribe and the preference page's buttons are HTML form posts.
  // The depth limit runs before any route, guard or validation: a deep body would overflow their
  // recursion (a 500).
  app.use(
    bodyParsing(
      json({
        limit: config.bodyLimitBytes,
        type: ['application/json', 'application/scim+json'],
        verify: keepRawBody,
      }),
      urlencoded({ limit: config.bodyLimitBytes, extended: false, verify: keepRawBody }),
      bodyDepthLimit(MAX_BODY_DEPTH),
    ),
  );
  // A SCIM body refused by the two above (not JSON, too large, too deep) gets a SCIM error.
  app.use(scimBodyErrors());
  // Exit through process.exit, not a re-raised signal: the logger writes its buffer at `exit`.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
