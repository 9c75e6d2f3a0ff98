//! # `Arc<Mutex<_>>`, `RwLock`, and lock poisoning
//!
//! ## Why interviewers ask this
//! Shared mutable state behind a lock is the bread and butter of backend services (caches,
//! connection tables, counters). Interviewers check that you know what a Rust `Mutex`
//! protects (the data, not a code region), when an `RwLock` helps, why a critical section
//! must keep invariants whole, and what poisoning is — a feature Go's `sync.Mutex` lacks.
//!
//! ## How it works
//! - `Mutex<T>` owns its `T`; the only way in is `lock()`, which returns a guard that
//!   derefs to `T` and unlocks on drop. You cannot touch the data without the lock — unlike
//!   Go, where the mutex and the fields it guards are related only by a comment.
//! - **Critical sections are transactions**: [`Bank::transfer`] validates everything, then
//!   mutates, all under one guard. Checking under one lock and acting under another
//!   ([`Bank::withdraw_check_then_act`]) lets another thread act in between — a race that is
//!   not a data race, so neither Rust nor Go's race detector catches it.
//! - `RwLock<T>`: many readers or one writer. Worth it when reads dominate *and* are long;
//!   for short reads a `Mutex` is usually as fast. [`ConfigStore`] keeps an `Arc<Config>`
//!   inside and clones it under the read lock, so readers hold the lock for nanoseconds.
//! - **Poisoning**: if a thread panics while holding the guard, the lock is marked poisoned;
//!   later `lock()` calls return `Err(PoisonError)`. The data may be half-updated; the caller
//!   decides: propagate the panic (`expect`), or take the data with `into_inner()`, repair
//!   the invariant and `clear_poison()` ([`Bank::lock_repairing`]).
//!
//! ## Common pitfalls
//! - Holding a guard across slow work (I/O, `.await`, a callback): every other thread waits.
//! - `let total = bank.lock().unwrap().total(); bank.lock().unwrap()...` — two acquisitions
//!   are two transactions.
//! - Re-locking a `std::sync::Mutex` on the same thread: it is not reentrant — deadlock or
//!   panic.
//! - Blindly `into_inner()`-ing poison away: you keep running on broken state.
//! - `RwLock` writer starvation (platform-dependent policy) under constant reads.
//!
//! ## Key takeaways
//! - The mutex owns the data; the guard is the only door; the scope of the guard is the
//!   scope of the transaction.
//! - Validate, then mutate: a failure half-way must leave the state untouched.
//! - Poisoning tells you a transaction died mid-way; repair or give up, never ignore.
//!
//! ## Break it
//! `breaks/concurrency_mutex.patch` debits the source account before checking that the
//! destination exists. `scripts/break-it.sh concurrency_mutex`:
//! `failed_transfer_changes_nothing` fails — the transfer returns an error but the money is
//! gone, the invariant "total balance is constant" broken by an early return.
//!
//! ## Interview questions
//! - *`Mutex` vs `RwLock`?* — `RwLock` allows parallel readers but costs more per operation
//!   and can starve writers; use it for read-mostly data with non-trivial read sections.
//!   For config, swapping an `Arc` (or `arc-swap`) is often better still.
//! - *What is lock poisoning?* — A flag set when a thread panics holding the lock, so others
//!   learn the protected data may be inconsistent. `parking_lot` and tokio's mutex don't
//!   poison.
//! - *Why is `Arc<Mutex<T>>` so common?* — `Arc` gives shared ownership across threads,
//!   `Mutex` gives exclusive access; together they're the `Send + Sync` shared mutable cell.
//! - *What race can a data-race-free program still have?* — Check-then-act across two lock
//!   acquisitions (TOCTOU): each access is synchronised, the sequence is not.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

pub type AccountId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankError {
    UnknownAccount(AccountId),
    InsufficientFunds { account: AccountId, balance: u64, wanted: u64 },
}

/// Accounts behind one lock; every operation is one critical section.
#[derive(Debug, Default)]
pub struct Bank {
    accounts: Mutex<BTreeMap<AccountId, u64>>,
}

impl Bank {
    pub fn with_accounts(balances: &[(AccountId, u64)]) -> Self {
        Self { accounts: Mutex::new(balances.iter().copied().collect()) }
    }

    /// Moves `amount` from one account to another, all or nothing.
    pub fn transfer(&self, from: AccountId, to: AccountId, amount: u64) -> Result<(), BankError> {
        let mut accounts = self.lock();
        // Validate everything first, then mutate: an error return leaves no trace.
        let balance = *accounts.get(&from).ok_or(BankError::UnknownAccount(from))?;
        if !accounts.contains_key(&to) {
            return Err(BankError::UnknownAccount(to));
        }
        if balance < amount {
            return Err(BankError::InsufficientFunds { account: from, balance, wanted: amount });
        }
        *accounts.get_mut(&from).expect("checked above") -= amount;
        *accounts.get_mut(&to).expect("checked above") += amount;
        Ok(())
    }

    /// Withdraws in two critical sections — check, then act — and calls `meanwhile` between
    /// them, standing in for whatever another thread does at that moment. Shows the race.
    pub fn withdraw_check_then_act(
        &self,
        account: AccountId,
        amount: u64,
        meanwhile: impl FnOnce(),
    ) -> Result<(), BankError> {
        let balance = self.balance(account).ok_or(BankError::UnknownAccount(account))?;
        if balance < amount {
            return Err(BankError::InsufficientFunds { account, balance, wanted: amount });
        }
        meanwhile(); // the lock is free here: anyone may withdraw
        let mut accounts = self.lock();
        let slot = accounts.get_mut(&account).expect("accounts are never removed");
        // Saturating, so the lost check shows as money created from nothing, not a panic.
        *slot = slot.saturating_sub(amount);
        Ok(())
    }

    /// Withdraws in one critical section.
    pub fn withdraw(&self, account: AccountId, amount: u64) -> Result<(), BankError> {
        let mut accounts = self.lock();
        let slot = accounts.get_mut(&account).ok_or(BankError::UnknownAccount(account))?;
        if *slot < amount {
            return Err(BankError::InsufficientFunds { account, balance: *slot, wanted: amount });
        }
        *slot -= amount;
        Ok(())
    }

    pub fn balance(&self, account: AccountId) -> Option<u64> {
        self.lock().get(&account).copied()
    }

    pub fn total(&self) -> u64 {
        self.lock().values().sum()
    }

    /// Runs `update` under the lock; used by tests to panic mid-update.
    pub fn update_raw(&self, update: impl FnOnce(&mut BTreeMap<AccountId, u64>)) {
        update(&mut self.lock());
    }

    /// Locks, refusing to go on with state a panicking thread may have left half-updated.
    fn lock(&self) -> MutexGuard<'_, BTreeMap<AccountId, u64>> {
        self.accounts.lock().expect("a thread panicked mid-transaction; state may be inconsistent")
    }

    /// Locks even if poisoned: `repair` restores the invariant, then the poison is cleared.
    pub fn lock_repairing(&self, repair: impl FnOnce(&mut BTreeMap<AccountId, u64>)) -> bool {
        match self.accounts.lock() {
            Ok(_) => false,
            Err(poisoned) => {
                repair(&mut poisoned.into_inner());
                self.accounts.clear_poison();
                true
            }
        }
    }

    pub fn is_poisoned(&self) -> bool {
        self.accounts.is_poisoned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub version: u32,
    pub feature_flags: Vec<String>,
}

/// Read-mostly configuration: readers clone an `Arc` under a brief read lock.
#[derive(Debug)]
pub struct ConfigStore {
    current: RwLock<Arc<Config>>,
}

impl ConfigStore {
    pub fn new(config: Config) -> Self {
        Self { current: RwLock::new(Arc::new(config)) }
    }

    /// A snapshot that stays valid (and consistent) however long the caller keeps it.
    pub fn snapshot(&self) -> Arc<Config> {
        Arc::clone(&self.current.read().expect("writers never panic while holding the lock"))
    }

    pub fn publish(&self, config: Config) {
        *self.current.write().expect("writers never panic while holding the lock") = Arc::new(config);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stream_rng;
    use rand::Rng;

    #[test]
    fn concurrent_transfers_conserve_the_total_in_every_interleaving() {
        let bank = Bank::with_accounts(&[(1, 1_000), (2, 1_000), (3, 1_000), (4, 1_000)]);
        std::thread::scope(|scope| {
            for thread in 0..4_u64 {
                let bank = &bank;
                scope.spawn(move || {
                    let mut rng = stream_rng(thread, "transfers");
                    for _ in 0..2_000 {
                        let (from, to) = (rng.random_range(1..=4), rng.random_range(1..=4));
                        let _ = bank.transfer(from, to, rng.random_range(0..300));
                    }
                });
            }
        });
        assert_eq!(bank.total(), 4_000);
    }

    #[test]
    fn failed_transfer_changes_nothing() {
        let bank = Bank::with_accounts(&[(1, 100), (2, 0)]);
        assert_eq!(bank.transfer(1, 99, 50), Err(BankError::UnknownAccount(99)));
        assert_eq!(
            bank.transfer(1, 2, 500),
            Err(BankError::InsufficientFunds { account: 1, balance: 100, wanted: 500 })
        );
        assert_eq!(bank.balance(1), Some(100));
        assert_eq!(bank.total(), 100);
    }

    #[test]
    fn check_then_act_across_two_lock_acquisitions_overdraws() {
        let bank = Bank::with_accounts(&[(1, 100)]);
        let result = bank.withdraw_check_then_act(1, 80, || {
            bank.withdraw(1, 80).expect("the balance still allows it");
        });
        assert_eq!(result, Ok(()), "both withdrawals of 80 succeeded from 100");
        assert_eq!(bank.balance(1), Some(0), "160 paid out of 100");
    }

    #[test]
    fn one_critical_section_refuses_the_second_withdrawal() {
        let bank = Bank::with_accounts(&[(1, 100)]);
        assert_eq!(bank.withdraw(1, 80), Ok(()));
        assert_eq!(bank.withdraw(1, 80), Err(BankError::InsufficientFunds { account: 1, balance: 20, wanted: 80 }));
    }

    #[test]
    fn a_panic_mid_update_poisons_the_lock_and_repair_clears_it() {
        let bank = Bank::with_accounts(&[(1, 100), (2, 0)]);
        let outcome = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    bank.update_raw(|accounts| {
                        *accounts.get_mut(&1).unwrap() -= 60; // debited...
                        panic!("crashed before crediting");
                    })
                })
                .join()
        });
        assert!(outcome.is_err());
        assert!(bank.is_poisoned());
        let refused = std::panic::catch_unwind(|| bank.total());
        assert!(refused.is_err(), "normal operations refuse poisoned state");

        let repaired = bank.lock_repairing(|accounts| *accounts.get_mut(&2).unwrap() += 60);
        assert!(repaired);
        assert!(!bank.is_poisoned());
        assert_eq!(bank.total(), 100, "invariant restored before anyone relied on it");
    }

    #[test]
    fn rwlock_admits_many_readers_or_one_writer() {
        let lock = RwLock::new(0_u32);
        let first = lock.read().unwrap();
        let second = lock.try_read();
        assert!(second.is_ok(), "a second reader gets in alongside the first");
        assert!(lock.try_write().is_err(), "a writer must wait for the readers");
        drop(second);
        drop(first);
        assert!(lock.try_write().is_ok());
    }

    #[test]
    fn config_snapshots_stay_consistent_while_a_new_version_is_published() {
        let store = ConfigStore::new(Config { version: 1, feature_flags: vec!["a".into()] });
        let old = store.snapshot();
        store.publish(Config { version: 2, feature_flags: vec!["a".into(), "b".into()] });
        assert_eq!(old.version, 1, "a reader's snapshot is never modified under it");
        assert_eq!(store.snapshot().feature_flags.len(), 2);
    }
}
