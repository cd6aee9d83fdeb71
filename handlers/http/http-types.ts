import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Actor } from '../../domain/roles';
import type { Container } from '../../infra/container';

/** A function-URL event (payload format 2.0; AWS_IAM auth fills requestContext.authorizer.iam). */
export type ApiEvent = APIGatewayProxyEventV2WithIAMAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

export interface RouteRequest {
  event: ApiEvent;
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
  deps: Container;
  /** Who is calling, with the role the router checked before this handler ran. */
  caller: Actor;
}

export type RouteHandler = (req: RouteRequest) => Promise<ApiResult>;
