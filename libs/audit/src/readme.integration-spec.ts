import { randomBytes } from 'node:crypto';
import { RequestContext, newId } from '@custos/core';
import { createTestDatabase, testActor as _unused, type TestDatabase } from '@custos/core/testing';
