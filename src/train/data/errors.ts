/** Errors a dataset reader raises: they name the file, the line and what was wrong. */
export class DatasetError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, problem: string, options?: { cause?: unknown }) {
    super(`[tessera] [dataset] ${file}:${line}: ${problem}`, options);
    this.name = 'DatasetError';
    this.file = file;
    this.line = line;
  }
}
