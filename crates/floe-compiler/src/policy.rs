//! Policy checks and resolution: validates retry, timeout, on-error, join and run-level values
//! where they are written, and merges node policy over blueprint defaults over built-ins.

use std::time::Duration;

use floe_blueprint::{Code, Diagnostic, JoinRule, OnError, Policy, RunFailurePolicy, RunPolicy, parse_duration};

use crate::plan::{NodePolicy, RetrySettings, RunSettings};

/// Longest retry delay or timeout accepted (a week).
const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Checks the values of one policy block at `pointer` (e.g. `/nodes/3/policy` or `/defaults`).
pub(crate) fn check(policy: &Policy, pointer: &str, node: Option<&str>, out: &mut Vec<Diagnostic>) {
    if policy.is_empty() {
        return;
    }
    let mut push = |d: Diagnostic| out.push(d.node_opt(node));
    if let Some(retry) = &policy.retry {
        let at = format!("{pointer}/retry");
        if !(1..=100).contains(&retry.attempts) {
            push(Diagnostic::new(
                Code::InvalidRetry,
                format!("{at}/attempts"),
                format!("retry.attempts is {}; it counts every attempt, the first included", retry.attempts),
                "use 1 (no retry) to 100",
            ));
        }
        if let Some(m) = retry.multiplier.filter(|m| !(1.0..=10.0).contains(m)) {
            push(Diagnostic::new(
                Code::InvalidRetry,
                format!("{at}/multiplier"),
                format!("retry.multiplier is {m}; delays must not shrink"),
                "use a factor from 1.0 (constant delay) to 10.0",
            ));
        }
        if let Some(j) = retry.jitter.filter(|j| !(0.0..=1.0).contains(j)) {
            push(Diagnostic::new(
                Code::InvalidRetry,
                format!("{at}/jitter"),
                format!("retry.jitter is {j}; it is a fraction of the delay"),
                "use 0.0 (none) to 1.0",
            ));
        }
        if retry.on.as_ref().is_some_and(Vec::is_empty) {
            push(Diagnostic::new(
                Code::InvalidRetry,
                format!("{at}/on"),
                "retry.on is empty, so nothing would ever be retried",
                "list the error classes to retry, or remove `on` to retry the transient ones",
            ));
        }
        let initial = duration(retry.initial.as_deref(), &format!("{at}/initial"), &mut push);
        let max = duration(retry.max_delay.as_deref(), &format!("{at}/max_delay"), &mut push);
        if let (Some(initial), Some(max)) = (initial, max)
            && max < initial
        {
            push(Diagnostic::new(
                Code::InvalidRetry,
                format!("{at}/max_delay"),
                format!("retry.max_delay ({}) is shorter than retry.initial ({})", show(max), show(initial)),
                "make max_delay at least as long as initial",
            ));
        }
    }
    if let Some(timeout) = duration(policy.timeout.as_deref(), &format!("{pointer}/timeout"), &mut push)
        && timeout.is_zero()
    {
        push(Diagnostic::new(
            Code::InvalidLimit,
            format!("{pointer}/timeout"),
            "the timeout is zero, so every attempt would fail at once",
            "give a positive duration such as \"30s\", or remove the timeout",
        ));
    }
}

/// Checks a duration string; reports and returns `None` when it does not parse.
pub(crate) fn duration(text: Option<&str>, pointer: &str, push: &mut impl FnMut(Diagnostic)) -> Option<Duration> {
    let text = text?;
    match parse_duration(text) {
        Ok(d) if d <= MAX_DURATION => Some(d),
        Ok(d) => {
            push(Diagnostic::new(
                Code::InvalidDuration,
                pointer,
                format!("{text:?} is {}, longer than the 7-day limit", show(d)),
                "use a duration of at most 7 days",
            ));
            None
        }
        Err(why) => {
            push(Diagnostic::new(
                Code::InvalidDuration,
                pointer,
                format!("{text:?} is not a duration: {why}"),
                "write a number and a unit, e.g. \"500ms\", \"30s\", \"5m\" or \"1h 30m\"",
            ));
            None
        }
    }
}

fn show(d: Duration) -> String {
    if d.subsec_millis() != 0 && d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64())
    }
}

/// Merges a node's policy over the defaults; values that failed [`check`] fall back to built-ins.
pub(crate) fn resolve(node: &Policy, defaults: &Policy) -> NodePolicy {
    let builtin = RetrySettings::default();
    let retry =
        node.retry.as_ref().or(defaults.retry.as_ref()).map_or_else(RetrySettings::default, |r| RetrySettings {
            attempts: r.attempts.clamp(1, 100),
            initial: r.initial.as_deref().and_then(|t| parse_duration(t).ok()).unwrap_or(builtin.initial),
            multiplier: r.multiplier.filter(|m| (1.0..=10.0).contains(m)).unwrap_or(builtin.multiplier),
            max_delay: r.max_delay.as_deref().and_then(|t| parse_duration(t).ok()).unwrap_or(builtin.max_delay),
            jitter: r.jitter.filter(|j| (0.0..=1.0).contains(j)).unwrap_or(builtin.jitter),
            on: r.on.clone().map_or(builtin.on.clone(), std::borrow::Cow::Owned),
        });
    NodePolicy {
        retry,
        timeout: node.timeout.as_deref().or(defaults.timeout.as_deref()).and_then(|t| parse_duration(t).ok()),
        on_error: node.on_error.clone().or_else(|| defaults.on_error.clone()).unwrap_or(OnError::Fail),
        join: node.join.or(defaults.join).unwrap_or(JoinRule::All),
    }
}

/// Checks and resolves the run-level policy.
pub(crate) fn run(policy: &RunPolicy, out: &mut Vec<Diagnostic>) -> RunSettings {
    let mut push = |d: Diagnostic| out.push(d);
    let timeout = duration(policy.timeout.as_deref(), "/run/timeout", &mut push);
    if let Some(n) = policy.max_concurrency.filter(|n| !(1..=1024).contains(n)) {
        push(Diagnostic::new(
            Code::InvalidLimit,
            "/run/max_concurrency",
            format!("max_concurrency is {n}"),
            "use 1 to 1024, or remove it to use the engine's limit",
        ));
    }
    let budget = policy.budget.clone().unwrap_or_default();
    if let Some(usd) = budget.max_usd.filter(|u| !u.is_finite() || *u <= 0.0) {
        push(Diagnostic::new(
            Code::InvalidLimit,
            "/run/budget/max_usd",
            format!("max_usd is {usd}; a budget must be a positive amount"),
            "give a positive amount in US dollars, e.g. 0.50, or remove it",
        ));
    }
    if budget.max_tokens == Some(0) {
        push(Diagnostic::new(
            Code::InvalidLimit,
            "/run/budget/max_tokens",
            "max_tokens is 0, so no model call could run",
            "give a positive number of tokens, or remove it",
        ));
    }
    RunSettings {
        timeout,
        on_failure: policy.on_failure.unwrap_or(RunFailurePolicy::Halt),
        max_concurrency: policy.max_concurrency,
        max_usd: budget.max_usd,
        max_tokens: budget.max_tokens,
        approved_tools: policy.approved_tools.clone(),
    }
}
