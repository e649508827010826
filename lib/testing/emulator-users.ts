import { EMULATOR_DEFAULT_USER, type EmulatorUser } from './emulator-types.js';

export interface StoredUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly role: 'admin' | 'member';
  readonly brandId: string;
  plan: string;
}

/**
 * The accounts both emulated providers accept. Emails compare case-insensitively. Plans are
 * mutable (setPlan) and read on every request, never from a token.
 */
export class UserDirectory {
  private readonly byEmail = new Map<string, StoredUser>();
  private readonly byIdMap = new Map<string, StoredUser>();

  constructor(users: readonly EmulatorUser[] = [EMULATOR_DEFAULT_USER]) {
    users.forEach((u, i) => {
      if (typeof u?.email !== 'string' || u.email === '' || typeof u.password !== 'string') {
        throw new TypeError(`ProviderEmulator: users[${i}] needs a non-empty email and a password`);
      }
      const key = u.email.toLowerCase();
      if (this.byEmail.has(key)) throw new TypeError(`ProviderEmulator: users[${i}] repeats the email ${u.email}`);
      const n = String(i + 1);
      const user: StoredUser = {
        id: `usr_${n}`,
        email: u.email,
        password: u.password,
        role: u.role ?? 'admin',
        brandId: u.brandId ?? `brand_${n}`,
        plan: u.plan ?? 'growth',
      };
      this.byEmail.set(key, user);
      this.byIdMap.set(user.id, user);
    });
  }

  authenticate(email: string, password: string): StoredUser | undefined {
    const user = this.byEmail.get(email.toLowerCase());
    return user && user.password === password ? user : undefined;
  }

  byId(id: string): StoredUser | undefined {
    return this.byIdMap.get(id);
  }

  all(): StoredUser[] {
    return [...this.byIdMap.values()];
  }

  setPlan(email: string, plan: string): void {
    const user = this.byEmail.get(email.toLowerCase());
    if (!user) throw new Error(`ProviderEmulator.setPlan: no user ${email}`);
    user.plan = plan;
  }
}
