/**
 * The server sends the app with a Content-Security-Policy that allows no `eval` (server/src/http/csp.ts).
 * zod would probe `new Function('')` to compile fast object parsers, and the browser would log each
 * refusal as an error: zod parses without compiling instead. main.tsx imports this, then the app.
 */
import { z } from 'zod';

z.config({ jitless: true });
