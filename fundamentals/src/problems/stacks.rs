//! # Stack problems
//!
//! Valid parentheses, min stack, daily temperatures, evaluate reverse Polish notation: a stack
//! holds the things still waiting for their match — an opening bracket, an earlier minimum, a
//! day waiting for a warmer one, an operand waiting for its operator.
//!
//! ## Break it
//! `breaks/stacks.patch` makes [`is_valid_parentheses`] return `true` once the input is
//! consumed without checking that the stack is empty. `valid_parentheses_match_in_last_opened_first_closed_order`
//! fails: `"(("` and `"(()"` are accepted.

/// **Valid parentheses.** Are the brackets `()`, `[]`, `{}` in `text` balanced and properly
/// nested? Other characters are ignored, so `"f(a[i])"` is valid.
///
/// **Insight:** the most recently opened bracket must close first — a stack. Push openers;
/// a closer must match the top. At the end the stack must be empty (unclosed openers).
///
/// **Complexity:** `O(n)` time, `O(n)` space.
pub fn is_valid_parentheses(text: &str) -> bool {
    let mut open: Vec<char> = Vec::new();
    for c in text.chars() {
        let expected_opener = match c {
            '(' | '[' | '{' => {
                open.push(c);
                continue;
            }
            ')' => '(',
            ']' => '[',
            '}' => '{',
            _ => continue,
        };
        if open.pop() != Some(expected_opener) {
            return false;
        }
    }
    open.is_empty()
}

/// **Min stack.** A stack with `push`, `pop`, `top` and `min`, all `O(1)`.
///
/// **Insight:** store with each element the minimum of the stack up to and including it;
/// popping then restores the previous minimum for free.
///
/// **Complexity:** `O(1)` per operation, `O(n)` space (one extra value per element; a second
/// stack that only records new minima saves space when minima are rare).
#[derive(Debug, Default)]
pub struct MinStack {
    /// `(value, minimum of this element and everything below it)`.
    entries: Vec<(i64, i64)>,
}

impl MinStack {
    pub fn push(&mut self, value: i64) {
        let min = self.min().map_or(value, |below| below.min(value));
        self.entries.push((value, min));
    }

    pub fn pop(&mut self) -> Option<i64> {
        self.entries.pop().map(|(value, _)| value)
    }

    pub fn top(&self) -> Option<i64> {
        self.entries.last().map(|&(value, _)| value)
    }

    pub fn min(&self) -> Option<i64> {
        self.entries.last().map(|&(_, min)| min)
    }
}

/// **Daily temperatures.** For each day, how many days until a warmer temperature (0 if none).
///
/// **Insight:** keep a stack of days still waiting for a warmer day; their temperatures
/// decrease from bottom to top (a monotonic stack). Each new day resolves every waiting day
/// that is colder, then waits itself.
///
/// **Complexity:** `O(n)` time — each day is pushed and popped once — and `O(n)` space.
pub fn daily_temperatures(temperatures: &[i32]) -> Vec<usize> {
    let mut wait = vec![0; temperatures.len()];
    let mut waiting: Vec<usize> = Vec::new();
    for (today, &temperature) in temperatures.iter().enumerate() {
        while let Some(&day) = waiting.last() {
            if temperatures[day] >= temperature {
                break;
            }
            wait[day] = today - day;
            waiting.pop();
        }
        waiting.push(today);
    }
    wait
}

/// Why a reverse Polish expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RpnError {
    /// An operator found fewer than two operands on the stack.
    MissingOperand {
        token: String,
    },
    /// A token that is neither an integer nor `+ - * /`.
    UnknownToken(String),
    DivisionByZero,
    Overflow,
    /// The expression did not reduce to exactly one value (`count` were left).
    LeftoverOperands {
        count: usize,
    },
}

/// **Evaluate reverse Polish notation.** `["2", "1", "+", "3", "*"]` is `(2 + 1) × 3 = 9`.
/// Division truncates toward zero.
///
/// **Insight:** operands wait on a stack; an operator pops the two most recent (right operand
/// first!) and pushes the result. Malformed input is an error value, not a panic.
///
/// **Complexity:** `O(n)` time, `O(n)` space.
pub fn eval_rpn(tokens: &[&str]) -> Result<i64, RpnError> {
    let mut operands: Vec<i64> = Vec::new();
    for &token in tokens {
        let operator = match token {
            "+" => i64::checked_add,
            "-" => i64::checked_sub,
            "*" => i64::checked_mul,
            "/" => i64::checked_div,
            number => {
                operands.push(number.parse().map_err(|_| RpnError::UnknownToken(number.to_string()))?);
                continue;
            }
        };
        let missing = || RpnError::MissingOperand { token: token.to_string() };
        let right = operands.pop().ok_or_else(missing)?;
        let left = operands.pop().ok_or_else(missing)?;
        if token == "/" && right == 0 {
            return Err(RpnError::DivisionByZero);
        }
        operands.push(operator(left, right).ok_or(RpnError::Overflow)?);
    }
    match operands.as_slice() {
        [result] => Ok(*result),
        rest => Err(RpnError::LeftoverOperands { count: rest.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_parentheses_match_in_last_opened_first_closed_order() {
        let cases = [
            ("()", true),
            ("()[]{}", true),
            ("{[()]}", true),
            ("(]", false),
            ("([)]", false),
            ("", true),
            ("((", false),
            ("(()", false),
            ("))", false),
            ("f(a[i]) + {x}", true),
        ];
        for (text, expected) in cases {
            assert_eq!(is_valid_parentheses(text), expected, "{text:?}");
        }
    }

    #[test]
    fn min_stack_restores_the_previous_minimum_on_pop() {
        enum Op {
            Push(i64),
            Pop(Option<i64>),
            Min(Option<i64>),
            Top(Option<i64>),
        }
        use Op::*;
        let script = [
            Min(None),
            Pop(None),
            Push(-2),
            Push(0),
            Push(-3),
            Min(Some(-3)),
            Pop(Some(-3)),
            Top(Some(0)),
            Min(Some(-2)),
            Push(-2),
            Pop(Some(-2)),
            Min(Some(-2)),
            Pop(Some(0)),
            Pop(Some(-2)),
            Min(None),
        ];
        let mut stack = MinStack::default();
        for (step, op) in script.into_iter().enumerate() {
            match op {
                Push(value) => stack.push(value),
                Pop(expected) => assert_eq!(stack.pop(), expected, "step {step}"),
                Min(expected) => assert_eq!(stack.min(), expected, "step {step}"),
                Top(expected) => assert_eq!(stack.top(), expected, "step {step}"),
            }
        }
    }

    #[test]
    fn daily_temperatures_wait_on_a_monotonic_stack() {
        let cases: [(&[i32], Vec<usize>); 6] = [
            (&[73, 74, 75, 71, 69, 72, 76, 73], vec![1, 1, 4, 2, 1, 1, 0, 0]),
            (&[30, 40, 50, 60], vec![1, 1, 1, 0]),
            (&[30, 30, 31], vec![2, 1, 0]), // equal is not warmer
            (&[-5, -10, -3], vec![2, 1, 0]),
            (&[42], vec![0]),
            (&[], vec![]),
        ];
        for (temperatures, expected) in cases {
            assert_eq!(daily_temperatures(temperatures), expected, "{temperatures:?}");
        }
    }

    #[test]
    fn rpn_evaluates_or_explains_why_not() {
        let cases: [(&[&str], Result<i64, RpnError>); 9] = [
            (&["2", "1", "+", "3", "*"], Ok(9)),
            (&["4", "13", "5", "/", "+"], Ok(6)),
            (&["10", "6", "9", "3", "+", "-11", "*", "/", "*", "17", "+", "5", "+"], Ok(22)),
            (&["7", "-2", "/"], Ok(-3)), // truncates toward zero
            (&["5"], Ok(5)),
            (&["1", "+"], Err(RpnError::MissingOperand { token: "+".into() })),
            (&["1", "0", "/"], Err(RpnError::DivisionByZero)),
            (&["1", "x", "+"], Err(RpnError::UnknownToken("x".into()))),
            (&[], Err(RpnError::LeftoverOperands { count: 0 })),
        ];
        for (tokens, expected) in cases {
            assert_eq!(eval_rpn(tokens), expected, "{tokens:?}");
        }
        assert_eq!(eval_rpn(&["1", "2"]), Err(RpnError::LeftoverOperands { count: 2 }));
        assert_eq!(eval_rpn(&["9223372036854775807", "1", "+"]), Err(RpnError::Overflow));
    }
}
