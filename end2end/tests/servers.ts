// Where `pg.config.ts` starts its two app servers, in one place for the config and the spec.
// Not a test file: `pg.config.ts` matches only `servers.spec.ts`.

/** `host:port` of server A (it migrates and seeds the database) and of server B. */
export const addrA = process.env.E2E_PG_ADDR_A ?? '127.0.0.1:3221';
export const addrB = process.env.E2E_PG_ADDR_B ?? '127.0.0.1:3222';

export const serverA = `http://${addrA}`;
export const serverB = `http://${addrB}`;
