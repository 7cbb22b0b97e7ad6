// Typed key-value repositories over idb-keyval custom stores. One IndexedDB database per
// store: idb-keyval's createStore opens a database with exactly one object store.
import { createStore, del, delMany, entries, get, getMany, keys, set, setMany, clear, type UseStore } from 'idb-keyval';
import { rethrowStorageError } from './errors';

export interface Repository<T> {
  readonly name: string;
  get(id: string): Promise<T | undefined>;
  getMany(ids: string[]): Promise<(T | undefined)[]>;
  put(id: string, value: T): Promise<void>;
  /** all-or-nothing: one transaction, so a full disk leaves none of them written */
  putMany(items: [string, T][]): Promise<void>;
  delete(id: string): Promise<void>;
  deleteMany(ids: string[]): Promise<void>;
  keys(): Promise<string[]>;
  entries(): Promise<[string, T][]>;
  clear(): Promise<void>;
}

export const DB_PREFIX = 'cxr-ldm-';

export function createRepository<T>(name: string, describe: (id: string) => string = (id) => `${name} ${id}`): Repository<T> {
  const dbName = DB_PREFIX + name;
  let store: UseStore | null = null;
  const s = () => (store ??= createStore(dbName, name));
  return {
    name,
    get: (id) => get<T>(id, s()),
    getMany: (ids) => getMany<T>(ids, s()),
    async put(id, value) {
      try {
        await set(id, value, s());
      } catch (e) {
        rethrowStorageError(e, describe(id));
      }
    },
    async putMany(items) {
      try {
        await setMany(items, s());
      } catch (e) {
        rethrowStorageError(e, `${items.length} ${name} records`);
      }
    },
    delete: (id) => del(id, s()),
    deleteMany: (ids) => delMany(ids, s()),
    keys: async () => (await keys(s())).map(String),
    entries: async () => (await entries<IDBValidKey, T>(s())).map(([k, v]) => [String(k), v] as [string, T]),
    clear: () => clear(s()),
  };
}
