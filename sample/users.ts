import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from '../lib/index.js';

export interface SampleUser {
  id: string;
  email: string;
  role: Role;
  plan: string;
  passwordHash: Buffer;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * The sample's own accounts (a real app has its user table and a slow password hash such as
 * argon2). Documented in the README for trying the routes.
 */
export const SAMPLE_USERS: SampleUser[] = [
  { id: 'usr_admin', email: 'admin@example.com', role: 'admin', plan: 'growth', passwordHash: sha256('admin-password') },
  { id: 'usr_member', email: 'member@example.com', role: 'member', plan: 'growth', passwordHash: sha256('member-password') },
];

export function findUser(email: unknown, password: unknown): SampleUser | undefined {
  if (typeof email !== 'string' || typeof password !== 'string') return undefined;
  const user = SAMPLE_USERS.find((u) => u.email === email.toLowerCase());
  const given = sha256(password);
  // Compare even when the email is unknown, so timing does not tell which emails exist.
  const ok = timingSafeEqual(given, user?.passwordHash ?? sha256('\0no-such-user'));
  return ok ? user : undefined;
}
