// Prepared statements, once per distinct SQL text, for every SQLite store module: preparing is
// the costly part of a query, and the hot ones (commits, session checks) run per request.
import type Database from 'better-sqlite3';

export function preparedCache(db: Database.Database): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}
