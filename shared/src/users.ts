/**
 * Accounts and sessions as `/api/auth/*` and `/api/users` show them (the client imports these shapes).
 * Passwords are only ever sent by the person who chose them, or returned once: a new user's or a reset
 * one-time password. Times are ISO 8601.
 */
import { z } from 'zod';
import { PermissionSchema, RoleSchema } from './permissions.js';

/** Shortest password accepted, characters. */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest password accepted, characters (argon2 hashes any length; this bounds the work per request). */
export const MAX_PASSWORD_LENGTH = 256;

/** A login name: 1–64 characters, letters, digits and `.`, `_`, `-`, `@`, starting with a letter or digit. */
export const UserNameSchema = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u, 'use letters, digits and . _ - @ only, starting with a letter or digit');

/** A new password: at least {@link MIN_PASSWORD_LENGTH} characters. */
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `a password has at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `a password has at most ${MAX_PASSWORD_LENGTH} characters`);

const DisplayName = z.string().trim().max(200);

/** The signed-in user as `/api/auth/*` shows them, with their role's permissions. */
export const AuthUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: z.string(),
  role: RoleSchema,
  permissions: z.array(PermissionSchema),
});
export type AuthUser = z.infer<typeof AuthUserSchema>;

/** `GET /api/auth/state`: whether the first admin must still be created, and who is signed in. */
export const AuthStateSchema = z.object({
  setup_required: z.boolean(),
  user: AuthUserSchema.nullable(),
  /** Send as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE; null when nobody is signed in. */
  csrf_token: z.string().nullable(),
  oidc: z.object({ enabled: z.boolean() }),
});
export type AuthState = z.infer<typeof AuthStateSchema>;

/** `POST /api/auth/setup`: the first admin, only while no user exists. */
export const SetupBodySchema = z.object({ name: UserNameSchema, password: PasswordSchema, display_name: DisplayName.optional() });
export type SetupBody = z.infer<typeof SetupBodySchema>;

/** `POST /api/auth/login`. */
export const LoginBodySchema = z.object({ name: z.string().trim().min(1).max(64), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
export type LoginBody = z.infer<typeof LoginBodySchema>;

/** The reply to a setup or login (the session cookie comes with it). */
export const SignedInSchema = z.object({ user: AuthUserSchema, csrf_token: z.string() });
export type SignedIn = z.infer<typeof SignedInSchema>;

/** `POST /api/auth/password`: changes the signed-in user's own password. */
export const ChangePasswordBodySchema = z.object({ current_password: z.string().min(1).max(MAX_PASSWORD_LENGTH), new_password: PasswordSchema });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBodySchema>;

/** One user as `GET /api/users` lists them (no hash); `sso` when they sign in through single sign-on. */
export const UserSchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  sso: z.boolean(),
  created_at: z.string(),
  last_login_at: z.string().nullable(),
});
export type User = z.infer<typeof UserSchema>;

/** `POST /api/users`. */
export const CreateUserBodySchema = z.object({ name: UserNameSchema, display_name: DisplayName.optional(), role: RoleSchema });
export type CreateUserBody = z.infer<typeof CreateUserBodySchema>;

/** The reply to a create: the user and their one-time password, shown this once. */
export const CreatedUserSchema = z.object({ user: UserSchema, password: z.string() });
export type CreatedUser = z.infer<typeof CreatedUserSchema>;

/** `PATCH /api/users/:id`. */
export const UpdateUserBodySchema = z.object({ display_name: DisplayName.optional(), role: RoleSchema.optional(), disabled: z.boolean().optional() });
export type UpdateUserBody = z.infer<typeof UpdateUserBodySchema>;

/** The reply to `POST /api/users/:id/reset-password`: a one-time password, shown this once. */
export const ResetPasswordReplySchema = z.object({ password: z.string() });
export type ResetPasswordReply = z.infer<typeof ResetPasswordReplySchema>;

/** The session cookie's name. */
export const SESSION_COOKIE = 'mofang_session';
/** The header carrying the session's CSRF token on every change. */
export const CSRF_HEADER = 'X-CSRF-Token';
