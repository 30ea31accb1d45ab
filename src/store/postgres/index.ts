export { openPgChangeBus, type PgChangeBusOptions } from "./change-bus.js";
export { type PgLocation, parsePostgresUrl, storeError } from "./driver.js";
export { openPgJobLocks, type PgJobLocksOptions } from "./lease.js";
export { migratePostgres, pgMigrations } from "./migrations.js";
export { openPostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
