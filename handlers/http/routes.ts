/**
 * The router's table: every route of the HTTP API. Each has its entry in the OpenAPI route registry
 * (api-contract.ts); test/unit/openapi-contract.test.ts holds the two to each other both ways.
 */
import { board, stats } from './board-routes';
import { health } from './health-route';
import { history, me } from './history-routes';
import { poll, submit } from './move-routes';
import { openapi } from './openapi-route';
import { Router } from './router';
import {
  createAppointment,
  createCustomer,
  createTechnician,
  createVehicle,
  listServices,
  listCustomerVehicles,
  listTechnicians,
  readCustomer,
  searchCustomers,
  readAppointment,
  updateAppointment,
} from './shop-routes';

export const router = new Router([
  { method: 'GET', path: '/healthz', handler: health },
  { method: 'GET', path: '/api/openapi.json', handler: openapi },
  { method: 'GET', path: '/api/me', handler: me },
  { method: 'POST', path: '/api/admin/customers', handler: createCustomer },
  { method: 'GET', path: '/api/admin/customers', handler: searchCustomers },
  { method: 'GET', path: '/api/admin/customers/{id}', handler: readCustomer },
  { method: 'GET', path: '/api/admin/customers/{id}/vehicles', handler: listCustomerVehicles },
  { method: 'POST', path: '/api/admin/vehicles', handler: createVehicle },
  { method: 'GET', path: '/api/admin/services', handler: listServices },
  { method: 'POST', path: '/api/admin/technicians', handler: createTechnician },
  { method: 'GET', path: '/api/admin/technicians', handler: listTechnicians },
  { method: 'POST', path: '/api/admin/appointments', handler: createAppointment },
  { method: 'GET', path: '/api/admin/appointments/board', handler: board },
  { method: 'GET', path: '/api/admin/appointments/{id}', handler: readAppointment },
  { method: 'PATCH', path: '/api/admin/appointments/{id}', handler: updateAppointment },
  { method: 'GET', path: '/api/admin/appointments/{id}/history', handler: history },
  { method: 'POST', path: '/api/admin/appointments/{id}/move', handler: submit },
  { method: 'GET', path: '/api/admin/moves/{move_id}', handler: poll },
  { method: 'GET', path: '/api/admin/dashboard/stats', handler: stats },
]);
