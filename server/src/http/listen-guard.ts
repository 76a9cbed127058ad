/**
 * The server's refusal to open itself to other machines before it has an admin. While no admin exists,
 * the one-time setup page makes whoever opens it first the admin; on a loopback address that can only
 * be someone on this machine, on any other address it could be anyone on the network.
 */
import { isLoopbackAddress } from './host-check.js';

/**
 * Why the server must not listen on `host` (HOST) with `activeAdmins` admins that may sign in, or
 * undefined when it may: any loopback address always may; another (`0.0.0.0`, `::`, a LAN address)
 * only once an admin exists.
 */
export function listenRefusal(host: string, activeAdmins: number): string | undefined {
  if (activeAdmins > 0 || isLoopbackAddress(host)) return undefined;
  return (
    `refusing to listen on ${host} (HOST) while no admin account exists: anyone who reached the port first would become the admin through the setup page. ` +
    'Create the first admin with `mofang users create --name <name> --role admin` (same MOFANG_DATA_DIR), or start once with HOST=127.0.0.1 and use the setup page, then start again'
  );
}
