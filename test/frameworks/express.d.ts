/** The few parts of Express 5 the tests use (@types/express is not installed). */
declare module 'express' {
  import type { IncomingMessage, Server, ServerResponse } from 'node:http';

  export interface Request extends IncomingMessage {
    originalUrl: string;
  }
  export interface Response extends ServerResponse {
    status(code: number): Response;
    type(type: string): Response;
    send(body: unknown): Response;
    json(body: unknown): Response;
  }
  interface Express {
    use(handler: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): void;
    use(handler: (req: Request, res: Response) => void): void;
    get(path: string, handler: (req: Request, res: Response) => void): void;
    listen(port: number, host: string): Server;
  }
  export default function express(): Express;
}
