export { openSqlite, type SqliteDatabase, type SqliteStatement } from "./driver.js";
export { migrate, migrations } from "./migrations.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
