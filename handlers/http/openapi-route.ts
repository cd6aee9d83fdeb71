/** The API's own OpenAPI document, for any signed caller; the raw document, as tools expect it. */
import type { RouteHandler } from './http-types';
import { openApiDocument } from './openapi';
import { json } from './response';

export const openapi: RouteHandler = async () => json(200, openApiDocument());
