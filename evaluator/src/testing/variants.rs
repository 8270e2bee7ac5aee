//! The property-testing kit: equivalent variants.

use super::*;

/// SplitMix64, for the shuffles of the equivalence transforms.
pub(super) struct Mix(u64);

impl Mix {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn shuffle<T>(&mut self, list: &mut [T]) {
        for i in (1..list.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            list.swap(i, j);
        }
    }

    pub(super) fn recase(&mut self, s: &str) -> String {
        s.chars()
            .map(|c| {
                if self.next() % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    }

    pub(super) fn shuffle_map(&mut self, map: Map<String, Value>) -> Map<String, Value> {
        let mut entries: Vec<(String, Value)> = map.into_iter().collect();
        self.shuffle(&mut entries);
        entries.into_iter().collect()
    }
}

pub(super) fn shuffle_list(v: &mut Value, mix: &mut Mix) {
    if let Value::Array(list) = v {
        mix.shuffle(list);
    }
}

/// The document with its statements, principals, actions, condition operators, keys and values
/// reordered, and its condition key names re-cased, as `seed` says. An equivalent policy.
pub fn equivalent_document(document: &Value, seed: u64) -> Value {
    let mut mix = Mix(seed);
    let mut doc = document.clone();
    let Some(statements) = doc.get_mut("Statement") else {
        return doc;
    };
    shuffle_list(statements, &mut mix);
    let list: Vec<&mut Value> = match statements {
        Value::Array(items) => items.iter_mut().collect(),
        obj @ Value::Object(_) => vec![obj],
        _ => Vec::new(),
    };
    for s in list {
        let Some(obj) = s.as_object_mut() else {
            continue;
        };
        if let Some(Value::Object(p)) = obj.get_mut("Principal") {
            for v in p.values_mut() {
                shuffle_list(v, &mut mix);
            }
            let shuffled = mix.shuffle_map(std::mem::take(p));
            *p = shuffled;
        }
        for k in ["Action", "NotAction"] {
            if let Some(v) = obj.get_mut(k) {
                shuffle_list(v, &mut mix);
            }
        }
        if let Some(Value::Object(cond)) = obj.get_mut("Condition") {
            let mut blocks = Map::new();
            for (op, keys) in mix.shuffle_map(std::mem::take(cond)) {
                let keys = match keys {
                    Value::Object(keys) => {
                        let mut out = Map::new();
                        for (k, mut v) in mix.shuffle_map(keys) {
                            shuffle_list(&mut v, &mut mix);
                            out.insert(mix.recase(&k), v);
                        }
                        Value::Object(out)
                    }
                    other => other,
                };
                blocks.insert(op, keys);
            }
            *cond = blocks;
        }
        let shuffled = mix.shuffle_map(std::mem::take(obj));
        *obj = shuffled;
    }
    doc
}

/// Equivalent variants of a document ([`equivalent_document`] with drawn seeds).
pub fn equivalent_documents(document: &Value) -> BoxedStrategy<Value> {
    let doc = document.clone();
    any::<u64>()
        .prop_map(move |seed| equivalent_document(&doc, seed))
        .boxed()
}

/// The request with its context key names re-cased and its multivalued keys' values
/// reordered, as `seed` says. An equivalent request.
pub fn equivalent_request(request: &Request, seed: u64) -> Request {
    let mut mix = Mix(seed);
    let mut json = request.to_json();
    if let Some(Value::Object(ctx)) = json.get_mut("context") {
        let mut out = Map::new();
        for (k, mut v) in mix.shuffle_map(std::mem::take(ctx)) {
            shuffle_list(&mut v, &mut mix);
            out.insert(mix.recase(&k), v);
        }
        *ctx = out;
    }
    Request::from_value(&json).unwrap_or_else(|_| request.clone())
}

/// Equivalent variants of a request ([`equivalent_request`] with drawn seeds).
pub fn equivalent_requests(request: &Request) -> BoxedStrategy<Request> {
    let r = request.clone();
    any::<u64>()
        .prop_map(move |seed| equivalent_request(&r, seed))
        .boxed()
}
