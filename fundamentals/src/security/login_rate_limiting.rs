//! # Login rate limiting: per-account backoff and per-IP limits
//!
//! ## Why interviewers ask this
//! A login endpoint is an oracle that answers "is this the password?" as fast as you let it.
//! Two attacks use it differently: **brute force** tries many passwords on one account;
//! **credential stuffing** tries one leaked username/password pair on each of many accounts
//! (people reuse passwords, so 0.1–2 % of a breach list works elsewhere). A limit keyed on
//! the account stops the first and never notices the second; a limit keyed on the IP does the
//! opposite. Interviewers ask "how would you protect login?" to hear both, plus the trap of
//! letting an attacker lock real users out.
//!
//! ## How it works
//! [`LoginLimiter`] is asked before the password is checked ([`LoginLimiter::check`]) and told
//! the outcome after ([`LoginLimiter::record_failure`] / [`LoginLimiter::record_success`]).
//! All times are `now_ms` inputs; tests drive them with a [`crate::sim::VirtualClock`].
//! - **Per account: exponential backoff, not a permanent lock.** The first
//!   `account_free_failures` consecutive failures are free (typos). Each further failure blocks
//!   the account for `base × 2^k`, capped at `account_backoff_cap_ms`. A success resets the
//!   count. A brute-forcer gets ~100 guesses a day instead of ~100 a second, and a victim whose
//!   account is being attacked waits at most the cap — never "locked until support unlocks
//!   it", which would hand attackers a denial-of-service button.
//! - **Per IP: a sliding window of failures across all accounts.** At most `ip_max_failures`
//!   failed logins per `ip_window_ms` from one address. Only failures count, so an office
//!   behind one NAT address logging in successfully all day is never throttled.
//! - Both are checked; the stricter wins. A denial says why and when to retry
//!   (`Retry-After`), and the caller does **not** check the password while denied, so a
//!   blocked attacker learns nothing, not even "that one was right".
//! - Memory is bounded by time: an IP's entry disappears when its window empties, an
//!   account's when its failures are older than `account_forget_after_ms`.
//!
//! What it does **not** stop (a test shows it): a botnet making one attempt per IP per
//! account. Against that you need signals across requests — the global failure ratio,
//! breached-password checks at signup (Have I Been Pwned's k-anonymity API), device
//! fingerprints, CAPTCHAs when the failure ratio spikes — and MFA, which makes a correct
//! password insufficient.
//!
//! ## Common pitfalls
//! - Only per-account limits (stuffing sails through) or only per-IP (brute force from a
//!   proxy pool sails through).
//! - Hard lockout after N failures: an attacker locks out any user whose name they know.
//! - Counting successes against the IP limit: throttles every company behind one NAT.
//! - Checking the password before the limit: a blocked attacker still learns when it's right.
//! - Different errors for "unknown user" and "wrong password", or different timings (see
//!   [`super::password_hashing`]): the attacker enumerates valid accounts first.
//! - Limits in one process's memory behind a load balancer: each replica allows the limit.
//!   Keep the counters in a shared store (Redis `INCR` + `EXPIRE`), as the lab's rate-limiter
//!   scenario shows for API limits.
//!
//! ## Key takeaways
//! - Limit per account (backoff, capped) *and* per source (window of failures).
//! - Never a permanent lockout; always a `Retry-After`.
//! - Distributed stuffing needs global signals and MFA; rate limits only raise the cost.
//!
//! ## Break it
//! `fundamentals/breaks/security_login_rate_limiting.patch` stops
//! [`LoginLimiter::record_failure`] from counting the failure against the IP. Per-account
//! backoff still works, but one IP can now stuff thousands of accounts:
//! `credential_stuffing_from_one_ip_is_cut_off_by_the_ip_window` fails.
//!
//! ## Interview questions
//! - **Q: How do you protect a login endpoint from brute force?** A: Exponential backoff per
//!   account after a few failures (capped, so not a permanent lock), a failure limit per IP,
//!   slow password hashing, MFA; limits checked before the password, counters in a shared
//!   store so every replica sees them.
//! - **Q: What is credential stuffing and why doesn't account lockout stop it?** A: Trying
//!   leaked username/password pairs, one attempt per account; each account sees one failure.
//!   Per-IP limits, failure-ratio anomaly detection, breached-password checks and MFA do.
//! - **Q: Why not lock the account after 5 failures?** A: Anyone who knows a username can
//!   lock its owner out; backoff with a cap slows the attacker to a crawl without that.
//! - **Q: The attacker uses 100 000 residential IPs. Now what?** A: Per-IP limits are
//!   useless; watch the global failure rate, step up with CAPTCHA/MFA when it spikes, block
//!   known-breached passwords, and notify users of logins from new devices.

use std::collections::{BTreeMap, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimitConfig {
    /// Consecutive failures an account may have before backoff starts (typos happen).
    pub account_free_failures: u32,
    /// Block after the first failure beyond the free ones; doubles with each further failure.
    pub account_backoff_base_ms: u64,
    /// The longest an account is ever blocked: what a victim under attack waits at worst.
    pub account_backoff_cap_ms: u64,
    /// An account's failure count is forgotten after this long without a failure.
    pub account_forget_after_ms: u64,
    /// Failed logins allowed from one IP (across all accounts) per window.
    pub ip_max_failures: u32,
    pub ip_window_ms: u64,
}

impl Default for LoginLimitConfig {
    fn default() -> Self {
        Self {
            account_free_failures: 5,
            account_backoff_base_ms: 1_000,
            account_backoff_cap_ms: 15 * 60_000,
            account_forget_after_ms: 24 * 3_600_000,
            ip_max_failures: 20,
            ip_window_ms: 3_600_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    AccountBackoff,
    IpLimit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead and check the password.
    Allow,
    /// Do not check the password; answer 429 with `Retry-After`.
    Deny { retry_after_ms: u64, reason: Reason },
}

#[derive(Debug, Clone, Copy, Default)]
struct AccountState {
    consecutive_failures: u32,
    last_failure_ms: u64,
    blocked_until_ms: u64,
}

/// Per-account backoff plus per-IP failure windows. Ordered maps keep it deterministic.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    config: LoginLimitConfig,
    accounts: BTreeMap<String, AccountState>,
    /// Times of recent failures from each IP, oldest first, all within the window.
    ip_failures: BTreeMap<String, VecDeque<u64>>,
}

impl LoginLimiter {
    pub fn new(config: LoginLimitConfig) -> Self {
        assert!(config.account_backoff_base_ms > 0);
        assert!(config.account_backoff_cap_ms >= config.account_backoff_base_ms);
        Self { config, ..Self::default() }
    }

    /// Whether a login for `account` from `ip` may be attempted now.
    pub fn check(&mut self, account: &str, ip: &str, now_ms: u64) -> Decision {
        self.expire(account, ip, now_ms);
        let account_wait_ms = self.accounts.get(account).map_or(0, |a| a.blocked_until_ms.saturating_sub(now_ms));
        let ip_wait_ms = match self.ip_failures.get(ip) {
            Some(times) if times.len() >= self.config.ip_max_failures as usize => {
                // The window frees a slot when its oldest failure ages out.
                times[times.len() - self.config.ip_max_failures as usize] + self.config.ip_window_ms - now_ms
            }
            _ => 0,
        };
        match (account_wait_ms, ip_wait_ms) {
            (0, 0) => Decision::Allow,
            (a, i) if a >= i => Decision::Deny { retry_after_ms: a, reason: Reason::AccountBackoff },
            (_, i) => Decision::Deny { retry_after_ms: i, reason: Reason::IpLimit },
        }
    }

    /// A wrong password (or unknown account) for an attempt that [`check`](Self::check) allowed.
    pub fn record_failure(&mut self, account: &str, ip: &str, now_ms: u64) {
        let config = self.config;
        let state = self.accounts.entry(account.to_owned()).or_default();
        state.consecutive_failures += 1;
        state.last_failure_ms = now_ms;
        if let Some(beyond) = state.consecutive_failures.checked_sub(config.account_free_failures + 1) {
            // 2^beyond, computed without overflow: past 2^20 the cap has long been reached.
            let backoff_ms = config.account_backoff_base_ms.saturating_mul(1 << beyond.min(20));
            state.blocked_until_ms = now_ms + backoff_ms.min(config.account_backoff_cap_ms);
        }
        self.ip_failures.entry(ip.to_owned()).or_default().push_back(now_ms);
    }

    /// A correct password: the account's failure count starts again. The IP's failures stay:
    /// one success in a stuffing run must not reset the attacker's window.
    pub fn record_success(&mut self, account: &str, _ip: &str, _now_ms: u64) {
        self.accounts.remove(account);
    }

    /// Entries currently held (for the memory-bound test).
    pub fn tracked(&self) -> (usize, usize) {
        (self.accounts.len(), self.ip_failures.len())
    }

    /// Drops what no longer matters for this account and IP, keeping memory bounded by time.
    fn expire(&mut self, account: &str, ip: &str, now_ms: u64) {
        if let Some(times) = self.ip_failures.get_mut(ip) {
            while times.front().is_some_and(|&t| t + self.config.ip_window_ms <= now_ms) {
                times.pop_front();
            }
            if times.is_empty() {
                self.ip_failures.remove(ip);
            }
        }
        let forget_ms = self.config.account_forget_after_ms;
        if self
            .accounts
            .get(account)
            .is_some_and(|a| a.last_failure_ms + forget_ms <= now_ms && a.blocked_until_ms <= now_ms)
        {
            self.accounts.remove(account);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;

    const DAY_MS: u64 = 24 * 3_600_000;
    /// An attacker's pace when nothing stops it: 10 attempts per second.
    const ATTACK_GAP_MS: u64 = 100;

    /// Runs an attacker for `duration_ms`: `target(i)` names the i-th attempt's account and IP.
    /// The attacker retries immediately after `Retry-After` when denied (the most it can do).
    /// Returns the attempts that reached the password check. Every attempt fails.
    fn attack(limiter: &mut LoginLimiter, duration_ms: u64, mut target: impl FnMut(u64) -> (String, String)) -> u64 {
        let mut clock = VirtualClock::starting_at(0);
        let mut checked = 0;
        let mut next = 0;
        while clock.now_ms() < duration_ms {
            let (account, ip) = target(next);
            match limiter.check(&account, &ip, clock.now_ms()) {
                Decision::Allow => {
                    limiter.record_failure(&account, &ip, clock.now_ms());
                    checked += 1;
                    next += 1;
                    clock.advance_ms(ATTACK_GAP_MS);
                }
                Decision::Deny { retry_after_ms, .. } => {
                    assert!(retry_after_ms > 0);
                    clock.advance_ms(retry_after_ms.max(ATTACK_GAP_MS));
                }
            }
        }
        checked
    }

    #[test]
    fn brute_force_on_one_account_from_rotating_ips_gets_about_a_hundred_guesses_a_day() {
        let mut limiter = LoginLimiter::new(LoginLimitConfig::default());
        // A fresh IP for every attempt, so only the account limit can act.
        let guesses = attack(&mut limiter, DAY_MS, |i| ("alice".into(), format!("10.0.{}.{}", i / 256, i % 256)));
        // 5 free, 10 doubling blocks (1 s … 512 s ≈ 17 min), then one per 15 min ≈ 96.
        assert!((100..=115).contains(&guesses), "{guesses} guesses in a day");
        // Unthrottled, the same attacker makes 864 000.
        assert!(guesses * 7_000 < DAY_MS / ATTACK_GAP_MS);
    }

    #[test]
    fn credential_stuffing_from_one_ip_is_cut_off_by_the_ip_window() {
        let mut limiter = LoginLimiter::new(LoginLimitConfig::default());
        // One leaked pair per account, every account different: no account sees 2 failures.
        let tried = attack(&mut limiter, DAY_MS, |i| (format!("user{i}"), "203.0.113.7".into()));
        assert_eq!(tried, 24 * 20, "20 failures per hour from one IP");
    }

    #[test]
    fn per_account_limits_alone_do_not_notice_credential_stuffing() {
        let config = LoginLimitConfig { ip_max_failures: u32::MAX, ..LoginLimitConfig::default() };
        let mut limiter = LoginLimiter::new(config);
        let tried = attack(&mut limiter, 3_600_000, |i| (format!("user{i}"), "203.0.113.7".into()));
        assert_eq!(tried, 36_000, "every attempt of the hour went through");
    }

    #[test]
    fn a_botnet_with_one_attempt_per_ip_passes_both_limits() {
        // The limit of the defence: spread over enough addresses, stuffing is invisible to
        // per-key limits. This is why MFA and global failure-rate signals exist.
        let mut limiter = LoginLimiter::new(LoginLimitConfig::default());
        let tried = attack(&mut limiter, 3_600_000, |i| (format!("user{i}"), format!("ip-{i}")));
        assert_eq!(tried, 36_000);
    }

    #[test]
    fn a_victim_under_attack_waits_at_most_the_cap_and_a_success_resets_the_account() {
        let config = LoginLimitConfig::default();
        let mut limiter = LoginLimiter::new(config);
        let mut clock = VirtualClock::starting_at(0);
        // The attacker has driven alice deep into backoff: 30 failures.
        for i in 0..30 {
            let ip = format!("198.51.100.{i}");
            while let Decision::Deny { retry_after_ms, .. } = limiter.check("alice", &ip, clock.now_ms()) {
                clock.advance_ms(retry_after_ms);
            }
            limiter.record_failure("alice", &ip, clock.now_ms());
        }
        // The real alice arrives from home: she waits no more than the cap, then gets in.
        let Decision::Deny { retry_after_ms, reason } = limiter.check("alice", "192.0.2.1", clock.now_ms()) else {
            panic!("alice should be in backoff");
        };
        assert_eq!(reason, Reason::AccountBackoff);
        assert!(retry_after_ms <= config.account_backoff_cap_ms, "never a permanent lock");
        clock.advance_ms(retry_after_ms);
        assert_eq!(limiter.check("alice", "192.0.2.1", clock.now_ms()), Decision::Allow);
        limiter.record_success("alice", "192.0.2.1", clock.now_ms());
        // After a success, typos are free again.
        limiter.record_failure("alice", "192.0.2.1", clock.now_ms());
        assert_eq!(limiter.check("alice", "192.0.2.1", clock.now_ms()), Decision::Allow);
    }

    #[test]
    fn successes_behind_one_nat_address_are_never_throttled() {
        let mut limiter = LoginLimiter::new(LoginLimitConfig::default());
        for i in 0..10_000 {
            let account = format!("employee{}", i % 500);
            assert_eq!(limiter.check(&account, "192.0.2.99", i * 10), Decision::Allow);
            limiter.record_success(&account, "192.0.2.99", i * 10);
        }
    }

    #[test]
    fn the_ip_limit_reopens_as_old_failures_leave_the_window_and_memory_is_released() {
        let config = LoginLimitConfig::default();
        let mut limiter = LoginLimiter::new(config);
        for i in 0..20 {
            limiter.record_failure(&format!("user{i}"), "203.0.113.7", i * 1_000);
        }
        assert_eq!(
            limiter.check("user99", "203.0.113.7", 20_000),
            Decision::Deny { retry_after_ms: config.ip_window_ms - 20_000, reason: Reason::IpLimit }
        );
        assert_eq!(limiter.check("user99", "203.0.113.7", config.ip_window_ms), Decision::Allow, "one slot freed");
        // A day later nothing about this IP or these accounts is held any more.
        for i in 0..20 {
            limiter.check(&format!("user{i}"), "203.0.113.7", 2 * DAY_MS);
        }
        assert_eq!(limiter.tracked(), (0, 0));
    }
}
