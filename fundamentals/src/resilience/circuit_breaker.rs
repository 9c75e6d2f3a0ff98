//! # Circuit breaker
//!
//! ## Why interviewers ask this
//! "Your dependency is down. What happens to *your* service?" Without a breaker every request
//! still calls it and waits for a timeout, so threads, connections and memory pile up on the
//! dead dependency until healthy endpoints starve too: a cascading failure. Retries make it
//! worse. The breaker is the standard answer, and the follow-ups test whether you know its
//! state machine precisely and how it recovers.
//!
//! ## How it works
//! Three states, four legal transitions ([`is_legal`]):
//!
//! ```text
//!            failure_threshold consecutive failures
//!   Closed ──────────────────────────────────────────▶ Open
//!     ▲                                                 │ ▲
//!     │ all half_open_probes succeed     open_for_ms    │ │ any probe fails
//!     │                                  have passed    ▼ │ (or a probe never answers)
//!     └──────────────────────────────────────────── HalfOpen
//! ```
//!
//! - **Closed**: requests flow; consecutive failures are counted, a success resets the count.
//! - **Open**: requests fail fast without touching the dependency, for `open_for_ms`.
//! - **HalfOpen**: at most `half_open_probes` requests go through in total; if all succeed the
//!   breaker closes, if any fails it opens again (and waits another `open_for_ms`).
//!
//! Time is only read when the caller asks: the move to half-open happens inside
//! [`CircuitBreaker::allow`], so there are no timers. Every call that changes the state
//! returns the [`Transition`], which the lab records so a checker can verify the trace
//! against this state machine.
//!
//! A probe whose outcome never arrives would keep its slot forever, and a breaker with every
//! slot taken never leaves half-open. Callers must report a timeout as a failure; as a
//! backstop, a half-open breaker with unresolved probes reopens once `open_for_ms` passes
//! without a verdict.
//!
//! ## Common pitfalls
//! - A breaker that never leaves half-open: probes that are lost, or a rule that needs more
//!   successes than it lets through. The dependency recovers and nobody notices.
//! - Letting every request through in half-open: the recovering dependency receives the full
//!   backlog at once and falls over again (a thundering herd on recovery).
//! - Counting failures that are not the dependency's fault (a 400 for a bad request, a
//!   caller-side cancellation): a few bad clients open the breaker for everybody.
//! - One breaker for the whole dependency when only one endpoint or host is bad: scope
//!   breakers per dependency *and* per operation (or per host) as the failure domains are.
//! - Retrying *inside* the breaker: retries of a fast failure hammer nothing, but retries
//!   around it should stop as soon as it is open (open means "don't bother").
//!
//! ## Key takeaways
//! - Fail fast while the dependency is down; probe cautiously; close only on evidence.
//! - Put the breaker around the retries, so an open breaker stops all of them at once.
//! - Emit every transition: a breaker you cannot see flapping is a breaker you cannot tune.
//!
//! ## Break it
//! `fundamentals/breaks/resilience_circuit_breaker.patch` drops the probe budget in half-open,
//! so every request goes through while the dependency is still recovering: the property
//! `half_open_never_allows_more_than_the_probe_budget` finds a short sequence that exceeds it.
//! `fundamentals/breaks/resilience_breaker_stuck_half_open.patch` forgets to close after the
//! probes succeed: `full_cycle_closed_open_half_open_closed` and the liveness property
//! `closes_again_once_the_dependency_recovers` fail.
//!
//! ## Interview questions
//! - *Walk through the states.* Closed counts failures; at the threshold it opens and fails
//!   fast; after a cool-down it lets a few probes through (half-open); all succeed → closed,
//!   any fails → open again.
//! - *Why not just use timeouts?* A timeout still costs the full wait per request; with the
//!   dependency down, every caller pays it and the pool drains. The breaker answers in
//!   microseconds and frees the pool for healthy work.
//! - *Consecutive failures or failure rate?* Consecutive is simple and fine at low volume; at
//!   high volume use a failure rate over a sliding window with a minimum request count, so
//!   one failure in a quiet minute does not trip it and a 30% error rate does.
//! - *What do you return while open?* A fast, definite error (503 / `UNAVAILABLE`), or a
//!   fallback: cached data, a default, a degraded feature. Never a silent success.

/// When the breaker opens, how long it stays open, and how many probes decide recovery.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker (closed → open). At least 1.
    pub failure_threshold: u32,
    /// How long it stays open before probing (open → half-open).
    pub open_for_ms: u64,
    /// Maximum requests let through while half-open; all must succeed to close. At least 1.
    pub half_open_probes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

/// A change of state, as reported by the call that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: BreakerState,
    pub to: BreakerState,
}

/// The legal transitions: closed → open, open → half-open, half-open → closed,
/// half-open → open. Anything else (closed → half-open, open → closed, self-loops) is a bug.
pub fn is_legal(t: Transition) -> bool {
    use BreakerState::*;
    matches!((t.from, t.to), (Closed, Open) | (Open, HalfOpen) | (HalfOpen, Closed) | (HalfOpen, Open))
}

/// The state with the data each state needs; only the current state's data exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Closed { consecutive_failures: u32 },
    Open { since_ms: u64 },
    HalfOpen { since_ms: u64, probes_allowed: u32, probes_succeeded: u32 },
}

/// A consecutive-failure circuit breaker driven by caller-supplied time.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    phase: Phase,
}

impl CircuitBreaker {
    /// A closed breaker. Panics unless `failure_threshold >= 1` and `half_open_probes >= 1`.
    pub fn new(config: BreakerConfig) -> Self {
        assert!(config.failure_threshold >= 1, "a breaker needs failure_threshold >= 1");
        assert!(config.half_open_probes >= 1, "a breaker that allows no probes can never close");
        Self { config, phase: Phase::Closed { consecutive_failures: 0 } }
    }

    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    pub fn state(&self) -> BreakerState {
        match self.phase {
            Phase::Closed { .. } => BreakerState::Closed,
            Phase::Open { .. } => BreakerState::Open,
            Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// May a request go through now? Moves open → half-open when `open_for_ms` has passed
    /// (the returned transition says so) and lets the first probe through. In half-open,
    /// allows at most `half_open_probes` requests in total until they resolve; if they have
    /// not all resolved `open_for_ms` after entering half-open, they count as failed and the
    /// breaker reopens (half-open → open, request refused).
    pub fn allow(&mut self, now_ms: u64) -> (bool, Option<Transition>) {
        match self.phase {
            Phase::Closed { .. } => (true, None),
            Phase::Open { since_ms } => {
                if now_ms.saturating_sub(since_ms) < self.config.open_for_ms {
                    return (false, None);
                }
                let entered =
                    self.move_to(Phase::HalfOpen { since_ms: now_ms, probes_allowed: 0, probes_succeeded: 0 });
                (self.take_probe_slot(), Some(entered))
            }
            Phase::HalfOpen { since_ms, probes_allowed, .. } => {
                let budget_spent = probes_allowed >= self.config.half_open_probes;
                let probes_overdue = now_ms.saturating_sub(since_ms) >= self.config.open_for_ms;
                if budget_spent && probes_overdue {
                    return (false, Some(self.move_to(Phase::Open { since_ms: now_ms })));
                }
                (self.take_probe_slot(), None)
            }
        }
    }

    /// Outcome of a request that was allowed. In half-open, closes once every probe succeeded.
    /// A success that arrives while open (a request allowed before it opened) changes nothing.
    pub fn on_success(&mut self, _now_ms: u64) -> Option<Transition> {
        match &mut self.phase {
            Phase::Closed { consecutive_failures } => {
                *consecutive_failures = 0;
                None
            }
            Phase::Open { .. } => None,
            Phase::HalfOpen { probes_allowed, probes_succeeded, .. } => {
                if *probes_succeeded >= *probes_allowed {
                    return None; // not one of our probes: a late answer from before opening
                }
                *probes_succeeded += 1;
                if *probes_succeeded < self.config.half_open_probes {
                    return None;
                }
                Some(self.move_to(Phase::Closed { consecutive_failures: 0 }))
            }
        }
    }

    /// Outcome of a request that was allowed. Closed: the `failure_threshold`-th consecutive
    /// failure opens the breaker. Half-open: any probe failure opens it again.
    pub fn on_failure(&mut self, now_ms: u64) -> Option<Transition> {
        match &mut self.phase {
            Phase::Closed { consecutive_failures } => {
                *consecutive_failures += 1;
                if *consecutive_failures < self.config.failure_threshold {
                    return None;
                }
                Some(self.move_to(Phase::Open { since_ms: now_ms }))
            }
            Phase::Open { .. } => None,
            Phase::HalfOpen { probes_allowed, probes_succeeded, .. } => {
                if *probes_succeeded >= *probes_allowed {
                    return None; // not one of our probes
                }
                Some(self.move_to(Phase::Open { since_ms: now_ms }))
            }
        }
    }

    /// In half-open: takes one of the probe slots if any is left.
    fn take_probe_slot(&mut self) -> bool {
        let Phase::HalfOpen { probes_allowed, .. } = &mut self.phase else {
            unreachable!("probe slots exist only in half-open");
        };
        if *probes_allowed >= self.config.half_open_probes {
            return false;
        }
        *probes_allowed += 1;
        true
    }

    fn move_to(&mut self, next: Phase) -> Transition {
        let transition = Transition { from: self.state(), to: BreakerState::Closed };
        self.phase = next;
        let transition = Transition { to: self.state(), ..transition };
        debug_assert!(is_legal(transition), "illegal breaker transition {transition:?}");
        transition
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VirtualClock;
    use proptest::prelude::*;
    use BreakerState::*;

    fn config(failure_threshold: u32, open_for_ms: u64, half_open_probes: u32) -> BreakerConfig {
        BreakerConfig { failure_threshold, open_for_ms, half_open_probes }
    }

    fn transition(from: BreakerState, to: BreakerState) -> Option<Transition> {
        Some(Transition { from, to })
    }

    /// Opens a closed breaker with `threshold` failures at `now_ms`.
    fn trip(breaker: &mut CircuitBreaker, now_ms: u64) {
        for _ in 0..breaker.config().failure_threshold {
            assert!(breaker.allow(now_ms).0);
            breaker.on_failure(now_ms);
        }
        assert_eq!(breaker.state(), Open);
    }

    #[test]
    fn full_cycle_closed_open_half_open_closed() {
        let mut clock = VirtualClock::starting_at(0);
        let mut breaker = CircuitBreaker::new(config(3, 1_000, 2));
        for _ in 0..2 {
            assert_eq!(breaker.allow(clock.now_ms()), (true, None));
            assert_eq!(breaker.on_failure(clock.now_ms()), None);
        }
        assert!(breaker.allow(clock.now_ms()).0);
        assert_eq!(breaker.on_failure(clock.now_ms()), transition(Closed, Open), "third failure opens");

        clock.advance_ms(999);
        assert_eq!(breaker.allow(clock.now_ms()), (false, None), "fails fast while open");
        clock.advance_ms(1);
        assert_eq!(breaker.allow(clock.now_ms()), (true, transition(Open, HalfOpen)), "first probe");
        assert_eq!(breaker.allow(clock.now_ms()), (true, None), "second probe");
        assert_eq!(breaker.allow(clock.now_ms()), (false, None), "probe budget spent");

        assert_eq!(breaker.on_success(clock.now_ms()), None);
        assert_eq!(breaker.on_success(clock.now_ms()), transition(HalfOpen, Closed));
        assert_eq!(breaker.allow(clock.now_ms()), (true, None));
    }

    #[test]
    fn a_failed_probe_reopens_the_breaker_for_another_full_period() {
        let mut clock = VirtualClock::starting_at(0);
        let mut breaker = CircuitBreaker::new(config(1, 500, 3));
        trip(&mut breaker, clock.now_ms());
        clock.advance_ms(500);
        assert_eq!(breaker.allow(clock.now_ms()), (true, transition(Open, HalfOpen)));
        assert_eq!(breaker.on_success(clock.now_ms()), None, "one of three probes");
        assert!(breaker.allow(clock.now_ms()).0);
        assert_eq!(breaker.on_failure(clock.now_ms()), transition(HalfOpen, Open));
        clock.advance_ms(499);
        assert_eq!(breaker.allow(clock.now_ms()), (false, None), "open again, counting from the failure");
        clock.advance_ms(1);
        assert_eq!(breaker.allow(clock.now_ms()), (true, transition(Open, HalfOpen)));
    }

    #[test]
    fn a_success_resets_the_consecutive_failure_count() {
        let mut breaker = CircuitBreaker::new(config(3, 1_000, 1));
        for outcome_ok in [false, false, true, false, false, true, false, false] {
            assert!(breaker.allow(0).0);
            let changed = if outcome_ok { breaker.on_success(0) } else { breaker.on_failure(0) };
            assert_eq!(changed, None);
        }
        assert_eq!(breaker.state(), Closed, "never three failures in a row");
    }

    #[test]
    fn probes_that_never_answer_reopen_the_breaker_instead_of_wedging_it() {
        let mut clock = VirtualClock::starting_at(0);
        let mut breaker = CircuitBreaker::new(config(1, 1_000, 1));
        trip(&mut breaker, clock.now_ms());
        clock.advance_ms(1_000);
        assert_eq!(breaker.allow(clock.now_ms()), (true, transition(Open, HalfOpen)));
        // The probe's response is lost and nobody reports it.
        clock.advance_ms(999);
        assert_eq!(breaker.allow(clock.now_ms()), (false, None), "still waiting for the probe");
        clock.advance_ms(1);
        assert_eq!(breaker.allow(clock.now_ms()), (false, transition(HalfOpen, Open)));
        clock.advance_ms(1_000);
        assert_eq!(breaker.allow(clock.now_ms()), (true, transition(Open, HalfOpen)), "probing again");
    }

    #[test]
    fn late_answers_from_before_the_breaker_opened_do_not_count_as_probes() {
        let mut breaker = CircuitBreaker::new(config(1, 100, 1));
        assert!(breaker.allow(0).0); // request A, slow
        trip(&mut breaker, 0);
        assert_eq!(breaker.on_success(50), None, "A answers while open: ignored");
        assert_eq!(breaker.allow(100), (true, transition(Open, HalfOpen)));
        assert_eq!(breaker.on_success(120), transition(HalfOpen, Closed), "the probe closes it");
        assert_eq!(breaker.on_success(130), None, "a stray success while closed changes nothing");
    }

    #[test]
    fn only_the_four_transitions_of_the_state_machine_are_legal() {
        let states = [Closed, Open, HalfOpen];
        let legal: Vec<(BreakerState, BreakerState)> = states
            .iter()
            .flat_map(|&from| states.iter().map(move |&to| (from, to)))
            .filter(|&(from, to)| is_legal(Transition { from, to }))
            .collect();
        assert_eq!(legal, [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed), (HalfOpen, Open)]);
    }

    #[test]
    fn rejects_configurations_that_could_never_open_or_close() {
        let builds = |c: BreakerConfig| std::panic::catch_unwind(|| CircuitBreaker::new(c)).is_ok();
        assert!(!builds(config(0, 100, 1)));
        assert!(!builds(config(1, 100, 0)));
        assert!(builds(config(1, 0, 1)));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Allow,
        /// The oldest outstanding allowed request answers.
        Succeed,
        Fail,
        Advance(u64),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        let op = prop_oneof![
            4 => Just(Op::Allow),
            3 => Just(Op::Succeed),
            3 => Just(Op::Fail),
            2 => (0u64..400).prop_map(Op::Advance),
        ];
        prop::collection::vec(op, 0..200)
    }

    fn configs() -> impl Strategy<Value = BreakerConfig> {
        (1u32..5, 0u64..500, 1u32..5).prop_map(|(t, o, p)| config(t, o, p))
    }

    /// Drives a breaker through `ops` like a caller would (only allowed requests answer) and
    /// checks every step. Returns the breaker, the clock and the number of unanswered requests.
    fn drive(cfg: &BreakerConfig, ops: &[Op]) -> Result<(CircuitBreaker, VirtualClock, u32), TestCaseError> {
        let mut breaker = CircuitBreaker::new(cfg.clone());
        let mut clock = VirtualClock::starting_at(0);
        let mut outstanding = 0u32;
        let mut allowed_this_half_open = 0u32;
        for op in ops {
            let before = breaker.state();
            let now = clock.now_ms();
            let reported = match op {
                Op::Advance(ms) => {
                    clock.advance_ms(*ms);
                    None
                }
                Op::Allow => {
                    let (allowed, t) = breaker.allow(now);
                    if t.map(|t| t.to) == Some(HalfOpen) {
                        allowed_this_half_open = 0;
                    }
                    if allowed {
                        prop_assert_ne!(breaker.state(), Open, "allowed a request while open");
                        outstanding += 1;
                        if breaker.state() == HalfOpen {
                            allowed_this_half_open += 1;
                        }
                    }
                    t
                }
                Op::Succeed | Op::Fail if outstanding == 0 => None,
                Op::Succeed => {
                    outstanding -= 1;
                    breaker.on_success(now)
                }
                Op::Fail => {
                    outstanding -= 1;
                    breaker.on_failure(now)
                }
            };
            let after = breaker.state();
            match reported {
                Some(t) => {
                    prop_assert!(is_legal(t), "illegal transition {:?}", t);
                    prop_assert_eq!(t.from, before, "transition does not start from the state we were in");
                    prop_assert_eq!(t.to, after, "transition does not end in the state we are in");
                }
                None => prop_assert_eq!(before, after, "state changed without a reported transition"),
            }
            prop_assert!(
                allowed_this_half_open <= cfg.half_open_probes,
                "half-open let {} requests through, budget {}",
                allowed_this_half_open,
                cfg.half_open_probes
            );
        }
        Ok((breaker, clock, outstanding))
    }

    proptest! {
        #[test]
        fn every_transition_is_legal_and_no_state_is_skipped(cfg in configs(), ops in ops()) {
            drive(&cfg, &ops)?;
        }

        #[test]
        fn half_open_never_allows_more_than_the_probe_budget(
            cfg in configs(), ops in ops(), extra_allows in 0usize..10,
        ) {
            let (mut breaker, mut clock, _) = drive(&cfg, &ops)?;
            // Force a half-open period and knock on it more times than the budget.
            clock.advance_ms(cfg.open_for_ms);
            if breaker.state() == Closed {
                for _ in 0..cfg.failure_threshold {
                    breaker.on_failure(clock.now_ms());
                }
                clock.advance_ms(cfg.open_for_ms);
            }
            // Count until the half-open period ends (unanswered probes reopen the breaker).
            let mut allowed = 0;
            for _ in 0..cfg.half_open_probes as usize + extra_allows {
                let (let_through, t) = breaker.allow(clock.now_ms());
                if t.map(|t| t.to) == Some(Open) {
                    break;
                }
                allowed += usize::from(let_through);
            }
            prop_assert!(allowed <= cfg.half_open_probes as usize, "{} allowed, budget {}", allowed, cfg.half_open_probes);
        }

        #[test]
        fn closes_again_once_the_dependency_recovers(cfg in configs(), ops in ops()) {
            // Whatever happened before (including probes that never answer), a healthy
            // dependency plus time must bring the breaker back to closed within a few periods.
            let (mut breaker, mut clock, _) = drive(&cfg, &ops)?;
            for _ in 0..(2 + cfg.half_open_probes) * 2 {
                if breaker.state() == Closed {
                    break;
                }
                clock.advance_ms(cfg.open_for_ms);
                if breaker.allow(clock.now_ms()).0 {
                    breaker.on_success(clock.now_ms());
                }
            }
            prop_assert_eq!(breaker.state(), Closed);
        }
    }
}
