import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's first recommended setting:
 * m = 19 MiB, t = 2, p = 1.
 */
const OWASP_ARGON2ID = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

@Injectable()
export class PasswordHasher {
  /** A hash of a random password, verified when the email is unknown so timing does not tell. */
  private readonly decoy: Promise<string> = hash('decoy-password-never-matches', OWASP_ARGON2ID);

  hash(password: string): Promise<string> {
    return hash(password, OWASP_ARGON2ID);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash ?? (await this.decoy), password);
    } catch {
      return false;
    }
  }
}
