export { openSqlite, type SqliteDatabase, type SqliteStatement, type SqliteTransaction } from "./driver.js";
export { migrate, migrations } from "./migrations.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { openSqliteStoreThread } from "./thread.js";
