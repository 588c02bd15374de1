//! `GET /users`: page sizes, tokens, and the paging invariant under concurrent inserts.

use crate::support::*;
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashSet;

#[test]
fn page_size_and_token_are_validated() {
    for bad in ["0", "1001", "-5", "ten", "1.5"] {
        let r = get(&format!("/users?pageSize={bad}"));
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), "pageSize");
    }
    // The document's pattern excludes these, so they are refused by name...
    for bad in ["garbage!", "dXNyAAAAAAAAAAB", "ZGx2AAAAAAAAAAA", "dXNyAAAAAAAAAAA="] {
        let r = get(&format!("/users?pageToken={bad}"));
        r.assert_error(400, "validation_failed");
        assert_eq!(r.field(), "pageToken");
    }
    // ...and any token of the documented shape pages from where it points, issued or not.
    assert_eq!(send("PUT", &format!("/users/{}", enc(&unique("page"))), &json!({})).status, 201);
    for (token, empty) in [("dXNyAAAAAAAAAAA", false), ("dXNy__________8", true), ("", false)] {
        let r = get(&format!("/users?pageSize=1&pageToken={token}"));
        assert_eq!(r.status, 200, "{token}: {}", r.text);
        assert_eq!(r.body["users"].as_array().unwrap().is_empty(), empty, "{token}");
    }
    let r = get("/users?pageSize=1000");
    assert_eq!(r.status, 200);
    assert!(r.body["users"].is_array());
    assert_eq!(r.body["pagination"]["self"], json!(null));
}

fn all_ids_while_inserting(sizes: &[u32], insert_prefix: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut i = 0;
    loop {
        let size = sizes[i % sizes.len()];
        let q = match &token {
            Some(t) => format!("/users?pageSize={size}&pageToken={}", enc(t)),
            None => format!("/users?pageSize={size}"),
        };
        let r = get(&q);
        assert_eq!(r.status, 200, "{}", r.text);
        let users = r.body["users"].as_array().unwrap();
        assert!(users.len() <= size as usize);
        assert_eq!(r.body["pagination"]["self"], token.as_deref().map_or(json!(null), |t| json!(t)));
        seen.extend(users.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        // Insert while paging: new users must not make the walk skip or repeat anyone.
        if i < 3 {
            assert_eq!(
                send("PUT", &format!("/users/{}", enc(&format!("{insert_prefix}-{i}"))), &json!({})).status,
                201
            );
        }
        match r.body["pagination"]["next"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
        i += 1;
    }
    seen
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn paging_sees_every_user_exactly_once(count in 5usize..25, sizes in prop::collection::vec(1u32..12, 1..5)) {
        let prefix = unique("page");
        let mut created = Vec::new();
        for n in 0..count {
            let id = format!("{prefix}-{n}");
            prop_assert_eq!(send("PUT", &format!("/users/{}", enc(&id)), &json!({})).status, 201);
            created.push(id);
        }
        let seen = all_ids_while_inserting(&sizes, &format!("{prefix}-late"));
        let unique_seen: HashSet<&String> = seen.iter().collect();
        prop_assert_eq!(unique_seen.len(), seen.len(), "a user was listed twice");
        for id in &created {
            prop_assert!(unique_seen.contains(id), "{} was skipped", id);
        }
    }
}
