// better-sqlite3 ships no types and @types/better-sqlite3 is not installed;
// this declares only the part the embedding cache uses.
declare module 'better-sqlite3' {
  interface RunResult {
    changes: number;
  }
  interface Statement<Row = unknown> {
    run(...params: unknown[]): RunResult;
    get(...params: unknown[]): Row | undefined;
    all(...params: unknown[]): Row[];
  }
  interface Database {
    prepare<Row = unknown>(sql: string): Statement<Row>;
    exec(sql: string): Database;
    pragma(sql: string, options?: { simple?: boolean }): unknown;
    transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
    close(): void;
    readonly open: boolean;
  }
  interface DatabaseConstructor {
    new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }): Database;
  }
  const Database: DatabaseConstructor;
  export default Database;
  export type { Database };
}
