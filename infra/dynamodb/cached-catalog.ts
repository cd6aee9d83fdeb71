/**
 * The service catalog changes rarely and is read by every create, edit and stats request; a
 * short per-container cache saves a round trip on each of them.
 */
import type { Service } from '../../domain/catalog';
import type { ShopRepository } from '../../domain/ports';

const TTL_MS = 60_000;

export class CachedCatalogShopRepository implements ShopRepository {
  private cache: { at: number; services: Promise<Service[]> } | undefined;

  constructor(private readonly inner: ShopRepository) {}

  listServices(): Promise<Service[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > TTL_MS) {
      const services = this.inner.listServices();
      this.cache = { at: now, services };
      services.catch(() => (this.cache = undefined));
    }
    return this.cache.services;
  }

  async putServices(services: readonly Service[]): Promise<void> {
    this.cache = undefined;
    await this.inner.putServices(services);
  }

  createCustomer: ShopRepository['createCustomer'] = (c) => this.inner.createCustomer(c);
  getCustomer: ShopRepository['getCustomer'] = (id) => this.inner.getCustomer(id);
  searchCustomers: ShopRepository['searchCustomers'] = (t, l) => this.inner.searchCustomers(t, l);
  listVehicles: ShopRepository['listVehicles'] = (id) => this.inner.listVehicles(id);
  createVehicle: ShopRepository['createVehicle'] = (v) => this.inner.createVehicle(v);
  getVehicle: ShopRepository['getVehicle'] = (id) => this.inner.getVehicle(id);
  createTechnician: ShopRepository['createTechnician'] = (t) => this.inner.createTechnician(t);
  getTechnician: ShopRepository['getTechnician'] = (id) => this.inner.getTechnician(id);
  listTechnicians: ShopRepository['listTechnicians'] = () => this.inner.listTechnicians();
  createAppointment: ShopRepository['createAppointment'] = (a, h) => this.inner.createAppointment(a, h);
  getAppointment: ShopRepository['getAppointment'] = (id) => this.inner.getAppointment(id);
  updateAppointment: ShopRepository['updateAppointment'] = (a, v, e) => this.inner.updateAppointment(a, v, e);
  listHistory: ShopRepository['listHistory'] = (id, limit, before) =>
    this.inner.listHistory(id, limit, before);
  boardItems: ShopRepository['boardItems'] = (days) => this.inner.boardItems(days);
  statsItems: ShopRepository['statsItems'] = (from, to) => this.inner.statsItems(from, to);
  ping: ShopRepository['ping'] = () => this.inner.ping();
}
