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

/** The characters a login name may hold, as the 400 reply says them. */
export const USER_NAME_CHARACTERS = 'letters a-z A-Z, digits 0-9, Chinese characters and . _ - @ (starting with a letter, digit or Chinese character)';

/**
 * The key a login name is unique by and looked up by: NFKC-normalised (full-width `ａｄｍｉｎ` is
 * `admin`) and lower-cased, so `root`, `Root` and `ROOT` are one account.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/**
 * A login name: 1–64 characters after NFKC normalisation (the stored form), ASCII letters and digits,
 * Chinese (Han) characters and `.`, `_`, `-`, `@`, starting with a letter, digit or Han character. Other
 * scripts are refused: Cyrillic `а` or Greek `ο` look like Latin letters (`аdmin` beside `admin`).
 */
export const UserNameSchema = z.preprocess(
  (v) => (typeof v === 'string' ? v.normalize('NFKC').trim() : v),
  z
    .string()
    .min(1, 'a name is required')
    .max(64, 'a name has at most 64 characters')
    .regex(/^[A-Za-z0-9\p{Script=Han}][A-Za-z0-9\p{Script=Han}._@-]*$/u, `a login name uses only ${USER_NAME_CHARACTERS}`),
);

/** A new password: at least {@link MIN_PASSWORD_LENGTH} characters. */
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `a password has at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `a password has at most ${MAX_PASSWORD_LENGTH} characters`);

/** Control characters (NUL, line breaks, tabs, …) and the bidirectional marks and overrides (U+202E …) that reorder what is shown. */
const UNSHOWABLE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Whether a display name holds control characters or bidirectional overrides. */
export function hasUnshowableCharacters(text: string): boolean {
  return UNSHOWABLE.test(text);
}

const DisplayName = z
  .string()
  .trim()
  .max(200)
  .refine((s) => !hasUnshowableCharacters(s), { message: 'a display name cannot hold control characters (NUL, line breaks, tabs) or bidirectional marks and overrides (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069)', params: { rule: 'display_name_unshowable' } });

/** The signed-in user as `/api/auth/*` shows them, with their role's permissions. */
export const AuthUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: z.string(),
  role: RoleSchema,
  permissions: z.array(PermissionSchema),
  /** The user signed in with a one-time password: every /api route but auth state, sign-out and `POST /api/auth/password` answers 403 `password_change_required` until they choose their own. */
  password_must_change: z.boolean(),
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
