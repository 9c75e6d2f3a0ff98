//! # Dependency injection in Rust: traits, generics and fakes
//!
//! ## Why interviewers ask this
//! "How would you test a job that charges customers when their subscription is due?" The
//! honest answer for most codebases is "we can't, it calls Stripe and reads the clock". DI is
//! the habit of *passing in* what code depends on — clock, randomness, payment provider,
//! repository — so tests pass fakes and production passes the real thing. Interviewers ask it
//! to see whether you design for testability, and in Rust whether you know the trade-off
//! between generics and trait objects.
//!
//! ## How it works
//! [`RenewalJob`] renews [`Subscription`]s that are due. It does not know what time it is or
//! how cards are charged: it holds a [`Clock`] and a [`PaymentGateway`], both traits, both
//! given to its constructor.
//! - **Generics** (`RenewalJob<C: Clock, G: PaymentGateway>`): resolved at compile time,
//!   monomorphised, inlined; the usual choice. Tests instantiate it with fakes.
//! - **Trait objects** (`Box<dyn PaymentGateway>`): one compiled copy, chosen at run time
//!   (from configuration: "stripe" or "sandbox"). `impl<T: PaymentGateway + ?Sized>
//!   PaymentGateway for Box<T>` lets the same generic job take either.
//! - No container or framework is needed: `main` builds the real dependencies once and
//!   passes them down ("composition root"). In production the clock adapter reads the system
//!   time; here the fakes are a settable clock and a gateway that records charges and can be
//!   told to decline.
//!
//! ## Common pitfalls
//! - Reading the clock or calling the network deep inside logic (`SystemTime::now()`,
//!   `reqwest::get`): untestable, and flaky when tested for real.
//! - Global singletons (`static` clients, `lazy_static` config): hidden dependencies that
//!   tests cannot replace and that leak state between tests.
//! - Mocking everything: fakes for the boundaries (time, I/O, third parties), real code for
//!   the rest; a test that only checks which mock methods were called tests nothing.
//! - A trait per struct "for DI": abstract at boundaries, not everywhere.
//!
//! ## Key takeaways
//! - Pass dependencies in; keep logic free of I/O and ambient time.
//! - Generics by default, `dyn` when the choice is made at run time.
//! - Fakes make edge cases (declined cards, month boundaries) one-line tests.
//!
//! ## Break it
//! `fundamentals/breaks/patterns_dependency_injection.patch` drops the "is it due yet?" check
//! from [`RenewalJob::run`], so a second run on the same day charges again. Only a test that
//! controls the clock and counts charges can see it:
//! `running_the_job_twice_on_the_same_day_charges_once` fails.
//!
//! ## Interview questions
//! - **Q: How do you unit-test code that depends on time?** A: Inject a clock (a trait with
//!   `now`), pass a fake you can set and advance in tests; never call the system clock in
//!   business logic.
//! - **Q: Generics or `dyn Trait` for dependencies?** A: Generics: zero-cost, static, type
//!   grows with parameters. `dyn`: one copy, runtime selection, a vtable call, object-safety
//!   rules. Choose `dyn` when the implementation is picked from configuration.
//! - **Q: Do you need a DI framework?** A: In Rust rarely: constructors taking traits and
//!   one place that wires the real implementations are enough.

pub const DAY_MS: u64 = 86_400_000;
pub const PERIOD_MS: u64 = 30 * DAY_MS;

/// What time it is. Production reads the system clock; tests set it.
pub trait Clock {
    fn now_ms(&self) -> u64;
}

/// The card was declined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declined;

/// Charges a customer's card. Production calls the provider's API; tests record calls.
pub trait PaymentGateway {
    fn charge(&mut self, customer: &str, amount_cents: u64) -> Result<(), Declined>;
}

impl<T: PaymentGateway + ?Sized> PaymentGateway for Box<T> {
    fn charge(&mut self, customer: &str, amount_cents: u64) -> Result<(), Declined> {
        (**self).charge(customer, amount_cents)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    /// The last renewal was declined; the job retries on each run.
    PastDue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub customer: String,
    pub price_cents: u64,
    pub paid_until_ms: u64,
    pub status: Status,
}

/// Renews subscriptions that run out within a day.
pub struct RenewalJob<C: Clock, G: PaymentGateway> {
    clock: C,
    gateway: G,
}

impl<C: Clock, G: PaymentGateway> RenewalJob<C, G> {
    pub fn new(clock: C, gateway: G) -> Self {
        Self { clock, gateway }
    }

    /// Charges every subscription due within a day; returns how many were charged.
    pub fn run(&mut self, subscriptions: &mut [Subscription]) -> usize {
        let now_ms = self.clock.now_ms();
        let mut charged = 0;
        for sub in subscriptions.iter_mut() {
            if sub.paid_until_ms > now_ms + DAY_MS {
                continue; // not due: this check is what makes the job safe to re-run
            }
            match self.gateway.charge(&sub.customer, sub.price_cents) {
                Ok(()) => {
                    sub.paid_until_ms += PERIOD_MS;
                    sub.status = Status::Active;
                    charged += 1;
                }
                Err(Declined) => sub.status = Status::PastDue,
            }
        }
        charged
    }

    pub fn gateway(&self) -> &G {
        &self.gateway
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// A clock the test moves; clones share the time.
    #[derive(Clone, Default)]
    struct FakeClock(Rc<Cell<u64>>);
    impl Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.0.get()
        }
    }

    /// Records charges; declines customers on its list.
    #[derive(Default)]
    struct FakeGateway {
        charges: Vec<(String, u64)>,
        declines: Vec<String>,
    }
    impl PaymentGateway for FakeGateway {
        fn charge(&mut self, customer: &str, amount_cents: u64) -> Result<(), Declined> {
            if self.declines.iter().any(|d| d == customer) {
                return Err(Declined);
            }
            self.charges.push((customer.to_owned(), amount_cents));
            Ok(())
        }
    }

    fn sub(customer: &str, paid_until_ms: u64) -> Subscription {
        Subscription { customer: customer.into(), price_cents: 999, paid_until_ms, status: Status::Active }
    }

    #[test]
    fn only_subscriptions_due_within_a_day_are_charged() {
        let clock = FakeClock::default();
        clock.0.set(10 * DAY_MS);
        let mut subs = vec![sub("due-tomorrow", 11 * DAY_MS), sub("due-next-week", 17 * DAY_MS)];
        let mut job = RenewalJob::new(clock.clone(), FakeGateway::default());
        assert_eq!(job.run(&mut subs), 1);
        assert_eq!(job.gateway().charges, [("due-tomorrow".to_owned(), 999)]);
        assert_eq!(subs[0].paid_until_ms, 41 * DAY_MS);
    }

    #[test]
    fn running_the_job_twice_on_the_same_day_charges_once() {
        let clock = FakeClock::default();
        clock.0.set(10 * DAY_MS);
        let mut subs = vec![sub("alice", 10 * DAY_MS)];
        let mut job = RenewalJob::new(clock.clone(), FakeGateway::default());
        job.run(&mut subs);
        clock.0.set(10 * DAY_MS + 3_600_000); // the cron fires again an hour later
        job.run(&mut subs);
        assert_eq!(job.gateway().charges.len(), 1);
        // A period later it is due again.
        clock.0.set(40 * DAY_MS);
        job.run(&mut subs);
        assert_eq!(job.gateway().charges.len(), 2);
    }

    #[test]
    fn a_declined_card_makes_the_subscription_past_due_and_it_is_retried_next_run() {
        let clock = FakeClock::default();
        let gateway = FakeGateway { declines: vec!["bob".into()], ..FakeGateway::default() };
        let mut subs = vec![sub("bob", 0)];
        let mut job = RenewalJob::new(clock.clone(), gateway);
        assert_eq!(job.run(&mut subs), 0);
        assert_eq!(subs[0].status, Status::PastDue);
        job.gateway.declines.clear(); // bob updates his card
        assert_eq!(job.run(&mut subs), 1);
        assert_eq!(subs[0].status, Status::Active);
    }

    #[test]
    fn the_same_job_takes_a_gateway_chosen_at_run_time() {
        let configured = "sandbox";
        let gateway: Box<dyn PaymentGateway> = match configured {
            "sandbox" => Box::new(FakeGateway::default()),
            other => panic!("unknown gateway {other}"),
        };
        let mut job = RenewalJob::new(FakeClock::default(), gateway);
        assert_eq!(job.run(&mut [sub("carol", 0)]), 1);
    }
}
