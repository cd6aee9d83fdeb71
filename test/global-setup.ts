/**
 * Starts one DynamoDB Local and one SQS emulator for the whole test run, on free ports: the
 * integration and web projects name it (jest.config.js), Jest runs it once for both, and the unit
 * project runs without it. Each test file provisions its own table and queues on them
 * (test/support/test-app.ts), so files run in parallel without seeing each other's data.
 */
import { startLocalServices, type LocalServices } from '../local/stack';

declare global {
  var __LOCAL_SERVICES__: LocalServices | undefined;
}

export default async function globalSetup(): Promise<void> {
  const services = await startLocalServices({ region: 'us-west-2' });
  globalThis.__LOCAL_SERVICES__ = services;
  // Workers are forked after this, so they inherit these.
  process.env.TEST_DYNAMODB_ENDPOINT = services.dynamodbEndpoint;
  process.env.TEST_SQS_ENDPOINT = services.sqsEndpoint;
  process.env.TEST_REGION = services.region;
}
