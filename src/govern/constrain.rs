//! Carrying out `constrain`: apply each matching rule's patch to the arguments, in rule order.
//!
//! For the `tool_call {id, args}` meta-tool the patch applies to the inner `args`, and the wrapper is kept.
use crate::policy::matcher::lookup;
use crate::policy::Patch;
use crate::redact::{Direction, Redactor};
use serde_json::{Map, Value};

/// Returns the rewritten arguments of the call as it will be forwarded.
pub fn apply(args: &Value, unwrapped: bool, patches: &[&Patch], redactor: &Redactor) -> Value {
    let mut out = args.clone();
    let target = if unwrapped {
        match out.as_object_mut().map(|o| o.entry("args").or_insert_with(|| Value::Object(Map::new()))) {
            Some(inner) => inner,
            None => return out,
        }
    } else {
        &mut out
    };
    for patch in patches {
        for path in &patch.remove {
            remove(target, path);
        }
        for (path, value) in &patch.set {
            set(target, path, value.clone());
        }
        for (path, max) in &patch.cap {
            if let Some(Value::Number(n)) = lookup(target, path) {
                if n.as_f64().is_some_and(|x| x > *max) {
                    set(target, path, number(*max));
                }
            }
        }
        for path in &patch.redact {
            if let Some(v) = lookup_mut(target, path) {
                redactor.redact_json(v, Direction::ToolArgs);
            }
        }
    }
    out
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null)
    }
}

fn lookup_mut<'v>(value: &'v mut Value, path: &[String]) -> Option<&'v mut Value> {
    path.iter().try_fold(value, |v, key| match v {
        Value::Object(map) => map.get_mut(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(move |i| items.get_mut(i)),
        _ => None,
    })
}

fn set(value: &mut Value, path: &[String], new: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = value;
    for key in parents {
        if !cur.is_object() {
            return;
        }
        let Some(obj) = cur.as_object_mut() else {
            return;
        };
        cur = obj.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
    }
    match cur {
        Value::Object(map) => {
            map.insert(last.clone(), new);
        }
        Value::Array(items) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = new;
            }
        }
        _ => {}
    }
}

fn remove(value: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    if let Some(Value::Object(map)) = lookup_mut(value, parents) {
        map.remove(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(set: Vec<(&str, Value)>, remove: Vec<&str>, cap: Vec<(&str, f64)>) -> Patch {
        let split = |s: &str| s.split('.').map(String::from).collect::<Vec<_>>();
        Patch {
            set: set.into_iter().map(|(k, v)| (split(k), v)).collect(),
            remove: remove.into_iter().map(split).collect(),
            cap: cap.into_iter().map(|(k, v)| (split(k), v)).collect(),
            redact: vec![],
        }
    }

    #[test]
    fn set_remove_cap_in_order() {
        let args = json!({"command": "ls", "elevated": true, "timeout": 900});
        let patch = p(vec![("env.CI", json!("1"))], vec!["elevated"], vec![("timeout", 300.0)]);
        let out = apply(&args, false, &[&patch], &Redactor::default());
        assert_eq!(out, json!({"command": "ls", "timeout": 300, "env": {"CI": "1"}}));
    }

    #[test]
    fn meta_tool_patches_the_inner_args() {
        let args = json!({"id": "exec", "args": {"command": "ls", "elevated": true}});
        let patch = p(vec![], vec!["elevated"], vec![]);
        let out = apply(&args, true, &[&patch], &Redactor::default());
        assert_eq!(out, json!({"id": "exec", "args": {"command": "ls"}}));
    }

    #[test]
    fn small_values_are_not_capped_up() {
        let args = json!({"timeout": 5});
        let out = apply(&args, false, &[&p(vec![], vec![], vec![("timeout", 300.0)])], &Redactor::default());
        assert_eq!(out, json!({"timeout": 5}));
    }
}
