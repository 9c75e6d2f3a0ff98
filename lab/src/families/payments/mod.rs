//! The payments family: payers that retry, a payment service, and the ledger that charges.
//! Node logic: `nodes::{payer, payment_service, ledger}`; messages: `proto/proto/payments.proto`.
//!
//! File tables: `[nodes.payer]`, `[nodes.payment-service]`, `[nodes.ledger]`; the variant
//! setting `payments = { idempotency = … }`; the checks `exactly-once`, `deadlines` and
//! `retry-amplification`.

mod checks;

use crate::checks::{Decimal, Outcome};
use crate::engine::RunResult;
use crate::family::{
    Check, CheckCx, CheckDef, CheckSettings, Checked, Family, NodeBuilder, NodeCx, NodeGroup, NodeKindDef, Phase,
    Setting,
};
use crate::scenario::format::{one, Number};
use fundamentals::resilience::{Backoff, Jitter, RetryPolicy};
use nodes::ledger::Ledger;
use nodes::payer::{Payer, PayerConfig};
use nodes::payment_service::{Idempotency, PaymentService, PaymentServiceConfig};
use nodes::records::payments as records;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

pub const PAYER: &str = "payer";
pub const PAYMENT_SERVICE: &str = "payment-service";
pub const LEDGER: &str = "ledger";

pub static FAMILY: Family = Family {
    name: "payments",
    node_kinds: &[
        NodeKindDef::new::<RawPayers>(PAYER)
            .with_load(&["count", "payments_per_second"])
            .with_records(records::PAYER_RECORDS),
        NodeKindDef::new::<RawPaymentServices>(PAYMENT_SERVICE).with_records(records::PAYMENT_SERVICE_RECORDS),
        NodeKindDef::new::<RawLedgers>(LEDGER).with_records(records::LEDGER_RECORDS),
    ],
    settings: &[PAYMENTS_SETTINGS.def()],
    checks: &[
        CheckDef::new::<RawExactlyOnce>("exactly-once", Phase::Safety),
        CheckDef::new::<RawDeadlines>("deadlines", Phase::Liveness),
        CheckDef::new::<RawAmplification>("retry-amplification", Phase::Load),
    ],
};

const MAX_TIME_MS: u64 = 600_000;

/// Where a variant keeps idempotency keys; payers and the payment service both read it.
const PAYMENTS_SETTINGS: Setting<RawPaymentsVariant> = Setting::new(
    "payments",
    "where idempotency keys live",
    "payments = { idempotency = \"none\" | \"in-ledger\" | \"in-memory\", attempt_timeout_ms = …, deadline = \"honoured\" | \"ignored\" }",
    &[PAYER, PAYMENT_SERVICE],
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum IdempotencyName {
    None,
    InLedger,
    InMemory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
enum DeadlineName {
    #[default]
    Honoured,
    Ignored,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaymentsVariant {
    /// Where idempotency keys live: nowhere, in the ledger with the charge, in the service's memory.
    idempotency: IdempotencyName,
    /// Payers' attempt timeout, replacing `[nodes.payer] attempt_timeout_ms` in this variant.
    attempt_timeout_ms: Option<Spanned<u64>>,
    /// Whether payers cap attempts and retries at the payment's deadline (the default) or not.
    #[serde(default)]
    deadline: DeadlineName,
}

impl RawPaymentsVariant {
    fn idempotency(&self) -> Idempotency {
        match self.idempotency {
            IdempotencyName::None => Idempotency::None,
            IdempotencyName::InLedger => Idempotency::InLedger,
            IdempotencyName::InMemory => Idempotency::InMemory,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum JitterName {
    None,
    Full,
    Equal,
    Decorrelated,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    payments_per_second: Spanned<Number>,
    service: Spanned<String>,
    amount_cents: Spanned<u64>,
    deadline_ms: Spanned<u64>,
    attempt_timeout_ms: Spanned<u64>,
    max_attempts: Spanned<u64>,
    backoff_base_ms: Spanned<u64>,
    backoff_cap_ms: Spanned<u64>,
    jitter: JitterName,
}

impl NodeGroup for RawPayers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let base_ms = c.at_most(&self.backoff_base_ms, &cx.field("backoff_base_ms"), MAX_TIME_MS, "ms")?;
        let cap_ms = c.at_most(&self.backoff_cap_ms, &cx.field("backoff_cap_ms"), MAX_TIME_MS, "ms")?;
        if cap_ms < base_ms {
            return Err(c.error(
                self.backoff_cap_ms.span(),
                &cx.field("backoff_cap_ms"),
                format!("the cap ({cap_ms} ms) is below the base ({base_ms} ms)"),
                "backoff_cap_ms >= backoff_base_ms",
            ));
        }
        let jitter = match self.jitter {
            JitterName::None => Jitter::None,
            JitterName::Full => Jitter::Full,
            JitterName::Equal => Jitter::Equal,
            JitterName::Decorrelated => Jitter::Decorrelated,
        };
        let max_attempts = c.at_most(&self.max_attempts, &cx.field("max_attempts"), 100, "attempts")? as u32;
        let setting = cx.setting(&PAYMENTS_SETTINGS)?;
        let attempt_timeout_ms = match &setting.value.attempt_timeout_ms {
            Some(t) => c.at_most(t, &setting.field("attempt_timeout_ms"), MAX_TIME_MS, "ms")?,
            None => c.at_most(&self.attempt_timeout_ms, &cx.field("attempt_timeout_ms"), MAX_TIME_MS, "ms")?,
        };
        let config = PayerConfig {
            name: cx.name.to_owned(),
            payments_per_second: c.rate(&self.payments_per_second, &cx.field("payments_per_second"))?,
            service: c.node_of_kind(&self.service, &cx.field("service"), PAYMENT_SERVICE)?,
            amount_cents: c.at_most(&self.amount_cents, &cx.field("amount_cents"), 1_000_000_000, "cents")?,
            deadline_ms: c.at_most(&self.deadline_ms, &cx.field("deadline_ms"), MAX_TIME_MS, "ms")?,
            attempt_timeout_ms,
            retry: RetryPolicy { max_attempts, backoff: Backoff { base_ms, cap_ms, jitter } },
            send_idempotency_key: setting.value.idempotency() != Idempotency::None,
            honours_deadline: setting.value.deadline == DeadlineName::Honoured,
        };
        Ok(NodeBuilder::new(config, Payer::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaymentServices {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
    ledger: Spanned<String>,
    ledger_timeout_ms: Spanned<u64>,
}

impl NodeGroup for RawPaymentServices {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        let c = cx.checker;
        let config = PaymentServiceConfig {
            ledger: c.node_of_kind(&self.ledger, &cx.field("ledger"), LEDGER)?,
            ledger_timeout_ms: c.at_most(&self.ledger_timeout_ms, &cx.field("ledger_timeout_ms"), 60_000, "ms")?,
            idempotency: cx.setting(&PAYMENTS_SETTINGS)?.value.idempotency(),
        };
        Ok(NodeBuilder::new(config, PaymentService::new))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLedgers {
    name: Spanned<String>,
    #[serde(default = "one")]
    count: Spanned<u64>,
}

impl NodeGroup for RawLedgers {
    fn name_and_count(&self) -> (&Spanned<String>, &Spanned<u64>) {
        (&self.name, &self.count)
    }

    fn configure(&self, _cx: &NodeCx<'_>) -> Checked<NodeBuilder> {
        Ok(NodeBuilder::new((), |()| Ledger::default()))
    }
}

/// Safety: no payment is applied by the ledger more than once, and none the payer was told
/// is charged is missing from the ledger. Nothing to configure: `[checks.exactly-once]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExactlyOnce {}

#[derive(Debug)]
struct ExactlyOnce;

impl CheckSettings for RawExactlyOnce {
    fn configure(&self, _cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(ExactlyOnce))
    }
}

impl Check for ExactlyOnce {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::exactly_once(&run.events)
    }
}

/// Liveness: every payment ends (charged or a definite failure) by its deadline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadlines {
    #[serde(default = "zero")]
    slack_ms: Spanned<u64>,
}

fn zero() -> Spanned<u64> {
    Spanned::new(0..0, 0)
}

#[derive(Debug)]
struct Deadlines {
    slack_ms: u64,
}

impl CheckSettings for RawDeadlines {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        Ok(Arc::new(Deadlines {
            slack_ms: cx.checker.up_to(&self.slack_ms, &cx.field("slack_ms"), MAX_TIME_MS, "ms")?,
        }))
    }
}

impl Check for Deadlines {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::deadlines(&run.events, self.slack_ms, run.simulated_ms)
    }
}

/// Load: attempts per payment, on average, stay within the bound.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmplification {
    max_attempts_per_payment: Spanned<Number>,
}

#[derive(Debug)]
struct Amplification {
    max_attempts_per_payment: Decimal,
}

impl CheckSettings for RawAmplification {
    fn configure(&self, cx: &CheckCx<'_>) -> Checked<Arc<dyn Check>> {
        let value = &self.max_attempts_per_payment;
        match Decimal::from_f64(value.get_ref().0).filter(|d| d.is_at_least_ratio(1, 1) && d.is_at_most_ratio(100, 1)) {
            Some(max) => Ok(Arc::new(Amplification { max_attempts_per_payment: max })),
            None => Err(cx.checker.error(
                value.span(),
                &cx.field("max_attempts_per_payment"),
                format!("{} attempts per payment cannot be met", value.get_ref().0),
                "a number from 1 to 100, with at most 6 decimal places",
            )),
        }
    }
}

impl Check for Amplification {
    fn evaluate(&self, run: &RunResult) -> Outcome {
        checks::retry_amplification(&run.events, self.max_attempts_per_payment)
    }
}
