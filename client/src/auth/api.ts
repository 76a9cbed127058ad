/** The sign-in endpoints (`/api/auth/*`) and the admin's user endpoints (`/api/users`), typed with the shared shapes. */
import type { Role } from '@shared/permissions';
import type { AuthState, ChangePasswordBody, CreatedUser, CreateUserBody, ResetPasswordReply, SetupBody, SignedIn, UpdateUserBody, User } from '@shared/users';
import { sendJson } from '../api';

export type { AuthState, CreatedUser, Role, SignedIn, User };

const enc = encodeURIComponent;

export const authApi = {
  state: () => sendJson<AuthState>('GET', '/api/auth/state'),
  setup: (body: SetupBody) => sendJson<SignedIn>('POST', '/api/auth/setup', body),
  login: (name: string, password: string) => sendJson<SignedIn>('POST', '/api/auth/login', { name, password }),
  logout: () => sendJson<null>('POST', '/api/auth/logout'),
  changePassword: (body: ChangePasswordBody) => sendJson<null>('POST', '/api/auth/password', body),
};

export const usersApi = {
  list: () => sendJson<User[]>('GET', '/api/users'),
  create: (body: CreateUserBody) => sendJson<CreatedUser>('POST', '/api/users', body),
  update: (id: string, body: UpdateUserBody) => sendJson<User>('PATCH', `/api/users/${enc(id)}`, body),
  resetPassword: (id: string) => sendJson<ResetPasswordReply>('POST', `/api/users/${enc(id)}/reset-password`),
};
