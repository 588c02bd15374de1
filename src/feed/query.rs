//! Query strings and bodies of the deliveries routes.

use crate::json::parse_body;
use crate::model::{BulkAction, DeliveryFilter};
use crate::paging::{decode_token, TokenKind};
use crate::ApiError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Default and largest page of deliveries.
pub const DEFAULT_LIMIT: u32 = 25;
/// Largest page of deliveries.
pub const MAX_LIMIT: u32 = 100;
/// Most ids one bulk action may name.
pub const MAX_ACTION_IDS: usize = 1000;

/// A parsed `GET /users/{id}/deliveries` query.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// Filters.
    pub filter: DeliveryFilter,
    /// Page size.
    pub limit: u32,
    /// Storage key from the `after` cursor.
    pub after: Option<i64>,
    /// Storage key from the `before` cursor.
    pub before: Option<i64>,
}

fn enum_value<T: DeserializeOwned>(name: &str, raw: &str, expected: &str) -> Result<T, ApiError> {
    serde_json::from_value(Value::String(raw.to_owned()))
        .map_err(|_| ApiError::field(name, "unknown_value", format!("{name} must be one of {expected}")))
}

fn boolean(name: &str, raw: &str) -> Result<bool, ApiError> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::field(name, "wrong_type", format!("{name} must be true or false"))),
    }
}

fn cursor(name: &str, raw: &str) -> Result<Option<i64>, ApiError> {
    if raw.is_empty() {
        return Ok(None);
    }
    decode_token(TokenKind::Deliveries, name, raw).map(Some)
}

/// Parses the list query (`after` and `before` together: the deliveries between them); unknown parameters are ignored, bad values are refused by name.
pub fn parse_list(pairs: &[(String, String)]) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery { filter: DeliveryFilter::default(), limit: DEFAULT_LIMIT, after: None, before: None };
    for (name, raw) in pairs {
        match name.as_str() {
            "limit" => {
                q.limit = raw.parse().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                    ApiError::field(
                        "limit",
                        "out_of_range",
                        format!("limit must be an integer between 1 and {MAX_LIMIT}"),
                    )
                })?
            }
            // An empty cursor is no cursor (the first page), as `pageToken=` is on `GET /users`.
            "after" => q.after = cursor("after", raw)?,
            "before" => q.before = cursor("before", raw)?,
            "status" => q.filter.status = Some(enum_value(name, raw, "pending, sent, delivered, failed, skipped")?),
            "channel_type" => q.filter.channel_type = Some(enum_value(name, raw, "in_app, web_push")?),
            "archived" => q.filter.archived = enum_value(name, raw, "exclude, include, only")?,
            "topic" => q.filter.topic = Some(raw.clone()),
            "read" => q.filter.read = Some(boolean(name, raw)?),
            "seen" => q.filter.seen = Some(boolean(name, raw)?),
            _ => {}
        }
    }
    Ok(q)
}

/// Parses and checks a bulk action body.
pub fn parse_action(body: &[u8]) -> Result<BulkAction, ApiError> {
    let action: BulkAction = parse_body(body)?;
    if action.ids.is_some() && action.filter.is_some() {
        return Err(ApiError::field("filter", "invalid", "give ids or filter, not both"));
    }
    if let Some(ids) = &action.ids {
        if ids.is_empty() || ids.len() > MAX_ACTION_IDS {
            return Err(ApiError::field(
                "ids",
                "out_of_range",
                format!("ids must name 1 to {MAX_ACTION_IDS} deliveries"),
            ));
        }
    }
    Ok(action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArchivedFilter, ChannelType, DeliveryStatus};
    use crate::paging::encode_token;

    fn pairs(q: &str) -> Vec<(String, String)> {
        crate::route::query_pairs(q)
    }

    fn field(r: Result<ListQuery, ApiError>) -> String {
        match r {
            Err(ApiError::Validation(f)) => f[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_filters_and_cursors() {
        let q = parse_list(&pairs(&format!(
            "limit=10&status=delivered&channel_type=in_app&read=false&archived=include&after={}",
            encode_token(TokenKind::Deliveries, 7)
        )))
        .unwrap();
        assert_eq!(q.limit, 10);
        assert_eq!(q.after, Some(7));
        assert_eq!(q.filter.status, Some(DeliveryStatus::Delivered));
        assert_eq!(q.filter.channel_type, Some(ChannelType::InApp));
        assert_eq!(q.filter.read, Some(false));
        assert_eq!(q.filter.archived, ArchivedFilter::Include);
        assert_eq!(parse_list(&[]).unwrap().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn refuses_bad_values_by_name() {
        assert_eq!(field(parse_list(&pairs("limit=0"))), "limit");
        assert_eq!(field(parse_list(&pairs("limit=101"))), "limit");
        assert_eq!(field(parse_list(&pairs("status=lost"))), "status");
        assert_eq!(field(parse_list(&pairs("read=yes"))), "read");
        assert_eq!(field(parse_list(&pairs("archived=never"))), "archived");
        assert_eq!(field(parse_list(&pairs("after=xyz"))), "after");
        let t = encode_token(TokenKind::Deliveries, 3);
        let both = parse_list(&pairs(&format!("after={t}&before={}", encode_token(TokenKind::Deliveries, 1)))).unwrap();
        assert_eq!((both.after, both.before), (Some(3), Some(1)));
        assert_eq!(parse_list(&pairs("after=&before=")).unwrap().after, None);
        assert_eq!(field(parse_list(&pairs(&format!("after={}", encode_token(TokenKind::Users, 3))))), "after");
    }

    #[test]
    fn actions() {
        assert!(parse_action(br#"{"action":"read"}"#).is_ok());
        assert!(parse_action(br#"{"action":"read","ids":[]}"#).is_err());
        assert!(parse_action(br#"{"action":"read","ids":["a"],"filter":{}}"#).is_err());
        assert!(parse_action(br#"{"action":"explode"}"#).is_err());
    }
}
