/**
 * A libpq connection string (a postgres:// URI or keyword/value pairs, the two forms Terraform's pg
 * backend takes in conn_str), read the way libpq reads it: by a maintained parser, not a regex, so
 * `password = x`, `password='a b'` and `?password=` are all seen. One reader for every check.
 */
import parseConnectionString from '@databases/pg-connection-string';

export type PgConnInfo = { readonly ok: true; readonly user?: string; readonly hasPassword: boolean } | { readonly ok: false; readonly error: string };

export function readPgConnStr(connStr: string): PgConnInfo {
  try {
    // Only the string counts: libpq would also read PGPASSWORD and friends, which belong in the environment.
    const c = parseConnectionString(connStr, { env: {}, unrecognisedOptionMode: 'ignore' }) as { user?: string; password?: string };
    return { ok: true, user: c.user || undefined, hasPassword: c.password !== undefined };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
