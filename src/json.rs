//! Request bodies: JSON in, typed values out, with every refusal naming its field.

use crate::{ApiError, FieldError};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

/// Largest request body any route accepts (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A whole number in `u32`'s range, written as an integer or as a float with no fraction (JSON
/// Schema's `integer` includes `60.0`): `#[serde(deserialize_with = "crate::json::whole_u32")]`.
pub fn whole_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = f64::deserialize(d)?;
    if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
        Ok(v as u32)
    } else {
        Err(D::Error::custom(format!("expected a whole number from 0 to {}, got {v}", u32::MAX)))
    }
}

/// [`whole_u32`] for an optional field (`null` is none).
pub fn whole_u32_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_u32")] u32);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

/// Parses a request body. Syntax errors are `MalformedJson`; type errors, unknown fields,
/// missing fields and unknown enum values are `Validation` naming the field's path.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::MalformedJson("the body is empty".into()));
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => ApiError::Validation(vec![FieldError::new(
                "body",
                "wrong_type",
                "body: the body must be a JSON object",
            )]),
            Err(e) => ApiError::MalformedJson(strip_position(&e.to_string())),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if !inner.is_data() {
                return Err(ApiError::MalformedJson(strip_position(&inner.to_string())));
            }
            Err(ApiError::Validation(vec![field_error(&path, &inner.to_string())]))
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn field_error(path: &str, raw: &str) -> FieldError {
    let message = strip_position(raw);
    let path = if path == "." || path.is_empty() { "" } else { path };
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = message.split('`').nth(1).unwrap_or("");
    let (field, reason) =
        if path.is_empty() && !message.starts_with("missing field") && !message.starts_with("unknown field") {
            return FieldError::new("body", "wrong_type", "body: the body must be a JSON object");
        } else if message.starts_with("missing field") {
            (join(quoted), "required")
        } else if message.starts_with("unknown field") {
            let field = if path.ends_with(quoted) { path.to_owned() } else { join(quoted) };
            (field, "unknown_field")
        } else if message.starts_with("unknown variant") {
            (path.to_owned(), "unknown_value")
        } else if message.starts_with("invalid type") {
            (path.to_owned(), "wrong_type")
        } else {
            (path.to_owned(), "invalid")
        };
    let field = if field.is_empty() { "body".to_owned() } else { field };
    let message = format!("{field}: {message}");
    FieldError { field, reason, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        kind: Kind,
        n: u32,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        A,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    fn fields(body: &str) -> (String, &'static str) {
        match parse_body::<Outer>(body.as_bytes()) {
            Err(ApiError::Validation(f)) => (f[0].field.clone(), f[0].reason),
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_the_field() {
        assert_eq!(fields(r#"{"items":[{"kind":"A","n":"x"}]}"#), ("items[0].n".into(), "wrong_type"));
        assert_eq!(fields(r#"{"items":[{"kind":"B","n":1}]}"#), ("items[0].kind".into(), "unknown_value"));
        assert_eq!(fields(r#"{"items":[{"kind":"A"}]}"#), ("items[0].n".into(), "required"));
        assert_eq!(fields(r#"{"items":[],"extra":1}"#), ("extra".into(), "unknown_field"));
        assert_eq!(fields(r#"[]"#), ("body".into(), "wrong_type"));
    }

    #[test]
    fn syntax_errors_are_malformed() {
        assert!(matches!(parse_body::<Outer>(b"{\"items\":"), Err(ApiError::MalformedJson(_))));
        assert!(matches!(parse_body::<Outer>(b"  "), Err(ApiError::MalformedJson(_))));
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert!(matches!(parse_body::<Outer>(&big), Err(ApiError::PayloadTooLarge { .. })));
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        #[derive(Debug, Deserialize)]
        struct W {
            #[serde(deserialize_with = "whole_u32")]
            n: u32,
            #[serde(default, deserialize_with = "whole_u32_opt")]
            o: Option<u32>,
        }
        let w: W = serde_json::from_str(r#"{"n":33775.0,"o":600.0}"#).unwrap();
        assert_eq!((w.n, w.o), (33775, Some(600)));
        let w: W = serde_json::from_str(r#"{"n":7,"o":null}"#).unwrap();
        assert_eq!((w.n, w.o), (7, None));
        for bad in [r#"{"n":1.5}"#, r#"{"n":-1}"#, r#"{"n":4294967296}"#, r#"{"n":"7"}"#] {
            assert!(serde_json::from_str::<W>(bad).is_err(), "{bad}");
        }
    }
}
