import { create } from 'zustand';
import type { Permission } from '@shared/permissions';
import type { AuthUser } from '@shared/users';
import { authApi, type AuthState, type SignedIn } from './api';
import { onUnauthenticated, setCsrfToken } from './session';

/**
 * Who is signed in, from `/api/auth/state`: `loading` until the first answer, `error` when the server cannot
 * be reached. The CSRF token goes to `session.ts`, which every request reads.
 */
export interface AuthStore {
  status: 'loading' | 'ready' | 'error';
  setupRequired: boolean;
  user: AuthUser | null;
  /** Whether the server offers single sign-on (`oidc.enabled` of `/api/auth/state`). */
  oidcEnabled: boolean;
  /** Set when the server ended the session (a 401 on some request), so the sign-in page can say so. */
  expired: boolean;
  /** Asks the server who is signed in. */
  load(): Promise<void>;
  /** After setup or login: the user and the token the reply carries. */
  signedIn(reply: SignedIn): void;
  /** After sign-out, or when a request finds the session gone (`expired`). */
  signedOut(expired?: boolean): void;
}

export const useAuth = create<AuthStore>((set) => ({
  status: 'loading',
  setupRequired: false,
  user: null,
  oidcEnabled: false,
  expired: false,
  load: async () => {
    try {
      const state: AuthState = await authApi.state();
      setCsrfToken(state.csrf_token);
      set({ status: 'ready', setupRequired: state.setup_required, user: state.user, oidcEnabled: state.oidc.enabled });
    } catch {
      set({ status: 'error' });
    }
  },
  signedIn: (reply) => {
    setCsrfToken(reply.csrf_token);
    set({ status: 'ready', setupRequired: false, user: reply.user, expired: false });
  },
  signedOut: (expired = false) => {
    setCsrfToken(null);
    set({ user: null, expired });
  },
}));

onUnauthenticated(() => {
  if (useAuth.getState().user !== null) useAuth.getState().signedOut(true);
});

/** Whether the signed-in user's role holds `permission` (false when no one is signed in). */
export function hasPermission(user: AuthUser | null, permission: Permission): boolean {
  return user !== null && user.permissions.includes(permission);
}

/** React hook: whether the signed-in user may do what `permission` allows; re-renders when the user changes. */
export function useCan(permission: Permission): boolean {
  return useAuth((s) => hasPermission(s.user, permission));
}
