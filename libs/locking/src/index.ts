export { LockingModule } from './locking.module';
export { DISTRIBUTED_LOCK, InjectDistributedLock, type DistributedLock, type HeldLock, type LockOptions } from './distributed-lock';
