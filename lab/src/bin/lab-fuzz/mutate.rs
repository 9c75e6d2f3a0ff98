//! Mutations: of a TOML document's structure (values, keys, tables, arrays), of its text (lines,
//! sections, nesting), and of raw bytes. Every choice comes from the caller's seeded RNG, so a
//! case is reproducible from the fuzz seed and its index.

use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use toml::Value;

/// A path to a value in a TOML tree: table keys and array indexes.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Applies 1–4 structural mutations to the parsed `text`, then maybe some textual ones.
/// Text that does not parse as TOML (a mutated regression, say) gets byte mutations only.
pub fn toml_case(text: &str, rng: &mut impl RngCore) -> Vec<u8> {
    let Ok(mut root) = text.parse::<toml::Table>().map(Value::Table) else {
        return bytes_case(text.as_bytes(), rng);
    };
    let names = strings_in(&root);
    if rng.random_bool(0.4) {
        // Gentle: plausible numbers and names, so that many cases pass the checks and run.
        for _ in 0..rng.random_range(1..=3) {
            nudge(&mut root, &names, rng);
        }
        return toml::to_string(&root).unwrap_or_else(|_| text.to_owned()).into_bytes();
    }
    for _ in 0..rng.random_range(1..=4) {
        mutate_tree(&mut root, &names, rng);
    }
    let mut out = toml::to_string(&root).unwrap_or_else(|_| text.to_owned()).into_bytes();
    if rng.random_bool(0.3) {
        out = text_mutation(&out, rng);
    }
    if rng.random_bool(0.1) {
        out = byte_mutation(&out, rng);
    }
    out
}

/// 1–8 raw byte or line mutations of `input`.
pub fn bytes_case(input: &[u8], rng: &mut impl RngCore) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=8) {
        out = if rng.random_bool(0.5) { text_mutation(&out, rng) } else { byte_mutation(&out, rng) };
    }
    out
}

/// Every path in the tree, containers included.
fn paths(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Table(table) => {
            for (key, child) in table {
                here.push(Step::Key(key.clone()));
                paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(Step::Index(i));
                paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |value, step| match (step, value) {
        (Step::Key(k), Value::Table(t)) => t.get_mut(k),
        (Step::Index(i), Value::Array(a)) => a.get_mut(*i),
        _ => None,
    })
}

/// Every string in the document: node, check and variant names to misuse elsewhere.
fn strings_in(root: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let mut root = root.clone();
    for path in all {
        if let Some(Step::Key(key)) = path.last() {
            found.push(key.clone());
        }
        if let Some(Value::String(s)) = at(&mut root, &path) {
            if s.len() < 64 {
                found.push(s.clone());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn mutate_tree(root: &mut Value, names: &[String], rng: &mut impl RngCore) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let Some(path) = all.choose(rng).cloned() else { return };
    match rng.random_range(0..9) {
        0..=2 => {
            if let Some(v) = at(root, &path) {
                *v = nasty_value(v, names, rng);
            }
        }
        3 => remove(root, &path),
        4 => {
            if let Some(v) = at(root, &path) {
                match v {
                    Value::Table(t) => t.clear(),
                    Value::Array(a) => a.clear(),
                    other => *other = Value::Array(Vec::new()),
                }
            }
        }
        5 => {
            // A field moved or copied into another table: a setting of one kind given to another.
            let key = match path.last() {
                Some(Step::Key(k)) => k.clone(),
                _ => return,
            };
            let moved = at(root, &path).cloned();
            if rng.random_bool(0.5) {
                remove(root, &path);
            }
            let tables: Vec<Vec<Step>> =
                all.iter().filter(|p| matches!(at(root, p), Some(Value::Table(_)))).cloned().collect();
            if let (Some(target), Some(moved)) = (tables.choose(rng), moved) {
                if let Some(Value::Table(t)) = at(root, target) {
                    t.insert(key, moved);
                }
            }
        }
        6 => {
            // A renamed key: a typo, an unknown name, a name from elsewhere in the file.
            if let Some(Step::Key(old)) = path.last().cloned() {
                let parent = &path[..path.len() - 1];
                if let Some(Value::Table(t)) = at(root, parent) {
                    if let Some(v) = t.remove(&old) {
                        t.insert(new_name(&old, names, rng), v);
                    }
                }
            }
        }
        7 => {
            // An array element duplicated (a fault twice, a node twice), or a table grown.
            match at(root, &path) {
                Some(Value::Array(a)) if !a.is_empty() => {
                    let copy = a[rng.random_range(0..a.len())].clone();
                    a.insert(rng.random_range(0..=a.len()), copy);
                }
                Some(Value::Table(_)) => {
                    // A value from elsewhere in the file under a new key.
                    let donor = all.choose(rng).and_then(|p| at(&mut root.clone(), p).cloned());
                    let key = new_name("extra", names, rng);
                    if let Some(Value::Table(t)) = at(root, &path) {
                        t.insert(key, donor.unwrap_or(Value::Integer(1)));
                    }
                }
                _ => {}
            }
        }
        _ => {
            // Type confusion: a value wrapped in an array or a table.
            if let Some(v) = at(root, &path) {
                let inner = v.clone();
                *v = if rng.random_bool(0.5) {
                    Value::Array(vec![inner])
                } else {
                    Value::Table(toml::Table::from_iter([("value".to_owned(), inner)]))
                };
            }
        }
    }
}

/// A number scaled or shifted within its type, or a string swapped for another name of the file.
fn nudge(root: &mut Value, names: &[String], rng: &mut impl RngCore) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let leaves: Vec<Vec<Step>> = all
        .into_iter()
        .filter(|p| matches!(at(root, p), Some(Value::Integer(_) | Value::Float(_) | Value::String(_))))
        .collect();
    let Some(path) = leaves.choose(rng) else { return };
    let Some(value) = at(root, path) else { return };
    match value {
        Value::Integer(n) => {
            let choices = [
                0,
                1,
                n.saturating_mul(2),
                *n / 2,
                n.saturating_add(1),
                n.saturating_sub(1),
                n.saturating_mul(10),
                *n / 10,
            ];
            *n = *choices.choose(rng).unwrap_or(n);
        }
        Value::Float(f) => *f = *[0.0, *f * 2.0, *f / 2.0, 1.0 - *f].choose(rng).unwrap_or(f),
        Value::String(s) => {
            if let Some(name) = names.choose(rng) {
                *s = name.clone();
            }
        }
        _ => {}
    }
}

fn remove(root: &mut Value, path: &[Step]) {
    let Some((last, parent)) = path.split_last() else { return };
    match (at(root, parent), last) {
        (Some(Value::Table(t)), Step::Key(k)) => {
            t.remove(k);
        }
        (Some(Value::Array(a)), Step::Index(i)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

fn new_name(old: &str, names: &[String], rng: &mut impl RngCore) -> String {
    match rng.random_range(0..5) {
        0 => names.choose(rng).cloned().unwrap_or_default(),
        1 if !old.is_empty() => {
            // One character changed: the typo a user makes.
            let mut chars: Vec<char> = old.chars().collect();
            let i = rng.random_range(0..chars.len());
            chars[i] = *['a', 'e', '_', '-', 'x', 'é', '0'].choose(rng).unwrap_or(&'x');
            chars.into_iter().collect()
        }
        2 => String::new(),
        3 => format!("{old}{old}"),
        _ => ["no-such-name", "dependant", "gw-99", "client", "\u{0}", "ünïcode", " spaced "]
            .choose(rng)
            .map(|s| (*s).to_owned())
            .unwrap_or_default(),
    }
}

/// A value chosen to hurt: zero, negative, huge, NaN, wrong type, unknown or borrowed name.
fn nasty_value(current: &Value, names: &[String], rng: &mut impl RngCore) -> Value {
    match rng.random_range(0..16) {
        0 => Value::Integer(0),
        1 => Value::Integer(-1),
        2 => Value::Integer(*[i64::MAX, i64::MIN, u32::MAX as i64, 1 << 53, 86_400_000].choose(rng).unwrap_or(&0)),
        3 => Value::Float(
            *[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e308, -0.0, 0.5, 1e-300].choose(rng).unwrap_or(&0.0),
        ),
        4 => match current {
            // Near the current number: off by one, scaled, fractional.
            Value::Integer(n) => Value::Integer(
                *[n.saturating_add(1), n.saturating_sub(1), n.saturating_mul(1000), n / 1000].choose(rng).unwrap_or(n),
            ),
            Value::Float(f) => Value::Float(*[f + 1.0, f * 100.0, -f, f / 1e9].choose(rng).unwrap_or(f)),
            _ => Value::Integer(rng.random_range(-5..100_000)),
        },
        5 => Value::String(String::new()),
        6 => Value::String(names.choose(rng).cloned().unwrap_or_default()),
        7 => Value::String("x".repeat(*[100, 10_000, 200_000].choose(rng).unwrap_or(&100))),
        8 => Value::String(
            ["\u{1b}[2J", "tab\there", "\u{feff}bom", "line\nbreak", "nul\u{0}"].choose(rng).unwrap_or(&"").to_string(),
        ),
        9 => Value::Boolean(rng.random()),
        10 => Value::Array(Vec::new()),
        11 => Value::Array(vec![Value::Integer(1), Value::String("mixed".into())]),
        12 => Value::Table(toml::Table::new()),
        13 => Value::String(match current {
            Value::String(s) => new_name(s, names, rng),
            _ => "1000".into(),
        }),
        14 => Value::Datetime("1979-05-27T07:32:00Z".parse().expect("a valid TOML datetime")),
        _ => Value::String("50%".into()),
    }
}

/// A mutation of the text's lines or sections.
fn text_mutation(input: &[u8], rng: &mut impl RngCore) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = input.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..9) {
        // A duplicated line: the same key twice in one table.
        0 => lines.insert(i, lines[i].clone()),
        1 => {
            lines.remove(i);
        }
        2 => {
            let j = rng.random_range(0..lines.len());
            lines.swap(i, j);
        }
        3 => {
            // A whole `[section]` duplicated at the end: the same table defined twice.
            let starts: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].starts_with(b"[")).collect();
            if let Some(&start) = starts.choose(rng) {
                let end = (start + 1..lines.len()).find(|&k| lines[k].starts_with(b"[")).unwrap_or(lines.len());
                let section: Vec<Vec<u8>> = lines[start..end].to_vec();
                lines.push(b"\n".to_vec());
                lines.extend(section);
            }
        }
        4 => {
            // Deep nesting: arrays or inline tables hundreds or thousands of levels deep.
            let depth = *[10, 100, 1_000, 20_000].choose(rng).unwrap_or(&10);
            let nested = if rng.random_bool(0.5) {
                format!("deep = {}1{}\n", "[".repeat(depth), "]".repeat(depth))
            } else {
                format!("deep = {}1{}\n", "{ a = ".repeat(depth), " }".repeat(depth))
            };
            lines.insert(i, nested.into_bytes());
        }
        5 => lines.insert(i, format!("long = \"{}\"\n", "y".repeat(1 << 20)).into_bytes()),
        6 => {
            // Cut anywhere: an unterminated string, table or array.
            let all: Vec<u8> = lines.concat();
            let cut = rng.random_range(0..=all.len());
            return all[..cut].to_vec();
        }
        7 => {
            let snippet: &[u8] = [
                &b"[[faults]]\n"[..],
                b"[nodes]\n",
                b"= = =\n",
                b"\"\"\"\n",
                b"x = 1\nx = 2\n",
                b"[variants.a]\n[variants.a]\n",
                b"\r\n",
                b"\xef\xbb\xbf",
                b"a.b.c.d.e.f = 1\n",
            ]
            .choose(rng)
            .copied()
            .unwrap_or_default();
            lines.insert(i, snippet.to_vec());
        }
        _ => {
            // Windows line endings on every line.
            return lines.concat().split(|&b| b == b'\n').collect::<Vec<_>>().join(&b"\r\n"[..]);
        }
    }
    lines.concat()
}

/// A mutation of single bytes: flipped, inserted (invalid UTF-8 among them), removed, repeated.
fn byte_mutation(input: &[u8], rng: &mut impl RngCore) -> Vec<u8> {
    let mut out = input.to_vec();
    let at = rng.random_range(0..=out.len());
    match rng.random_range(0..5) {
        0 if at < out.len() => out[at] ^= 1 << rng.random_range(0..8),
        1 => {
            let byte = *[0xff, 0xc0, 0x80, 0x00, 0x1b, 0x7f, b'"', b'[', b'=', b'\n'].choose(rng).unwrap_or(&0);
            out.insert(at, byte);
        }
        2 if at < out.len() => {
            let end = (at + rng.random_range(1..64)).min(out.len());
            out.drain(at..end);
        }
        3 if at < out.len() => {
            let end = (at + rng.random_range(1..64)).min(out.len());
            let copy = out[at..end].to_vec();
            out.splice(at..at, copy);
        }
        _ => out.insert(at, rng.random()),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const SMALL: &str = "name = \"x\"\n[run]\nseed = 1\n[nodes.client]\ncount = 2\n";

    #[test]
    fn the_same_rng_seed_gives_the_same_case() {
        let case = |seed| toml_case(SMALL, &mut ChaCha8Rng::seed_from_u64(seed));
        assert_eq!(case(7), case(7));
        assert!((0..20).map(case).any(|c| c != SMALL.as_bytes()), "mutations change the text");
    }

    #[test]
    fn text_that_is_not_toml_still_gets_mutated() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let cases: Vec<Vec<u8>> = (0..20).map(|_| toml_case("[[[ not toml", &mut rng)).collect();
        assert!(cases.iter().any(|c| c != b"[[[ not toml"));
    }
}
