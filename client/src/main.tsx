import './csp';

// The app is imported only once csp.ts has configured zod. A static import would not do: the bundle
// evaluates the app's chunks (the shared schemas among them, whose construction makes zod probe
// `new Function`) before this module's own body, and the policy would report the probe.
void import('./boot');
