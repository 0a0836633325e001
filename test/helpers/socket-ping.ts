/** Readiness probe for the Docker-compatible APIs the test daemons serve (dockerd, podman). */
import { request } from 'node:http';

/** Whether `GET /_ping` on the unix socket answers 200 within 500 ms; never rejects. */
export function pingSocket(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
