//! `Feed`: one SQLite-backed Durable Object per user. Writes to a feed are serialized here, so
//! counts are exact; every change is logged as a numbered event and broadcast to the user's
//! sockets (hibernation API: no state lives in struct fields).

use super::client::identity;
use super::protocol::{Command, Inserted, RecipientLimit};
use super::schedule;
use super::sql::FeedSql;
use crate::http::error_response;
use crate::platform::now_ms;
use crate::store;
use serde::Serialize;
use serde_json::value::RawValue;
use std::cell::Cell;
use tidings::feed::transition;
use tidings::limits::{limit_recipient, RATE_LIMITED};
use tidings::model::{
    BulkResult, Delivery, DeliveryFilter, DeliveryPage, DeliveryStatus, FeedEvent, FeedMeta, PageInfo,
};
use tidings::paging::{encode_token, TokenKind};
use tidings::ApiError;
use worker::{
    console_error, durable_object, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

/// Above this many changed deliveries, one action broadcasts `reset` instead of each update.
const MAX_UPDATE_EVENTS: usize = 100;

#[durable_object]
pub struct Feed {
    pub(super) state: State,
    pub(super) env: Env,
    /// Schema created and owner recorded by this instance (a cache; the truth is in SQL).
    ready: Cell<bool>,
    /// The schedule's tables created by this instance.
    schedule_ready: Cell<bool>,
}

impl DurableObject for Feed {
    fn new(state: State, env: Env) -> Self {
        Self { state, env, ready: Cell::new(false), schedule_ready: Cell::new(false) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let (user_id, request_id) = identity(&req);
        let sql = FeedSql::new(self.state.storage().sql());
        if !self.ready.get() {
            sql.create_schema()?;
            if !user_id.is_empty() {
                sql.set_owner(&user_id)?;
            }
            self.ready.set(true);
        }
        if req.path() == "/socket" {
            return self.accept(&req, &sql, &user_id).await;
        }
        if req.path() == "/sockets" {
            return Response::from_json(&serde_json::json!({ "sockets": self.state.get_websockets().len() }));
        }
        if !self.schedule_ready.get() {
            sql.create_schedule_schema()?;
            self.schedule_ready.set(true);
        }
        let command: Command = match req.json().await {
            Ok(c) => c,
            Err(e) => {
                console_error!("feed command did not parse: {e}");
                return Ok(error_response(&ApiError::Internal, &request_id));
            }
        };
        // Every command that may change the schedule re-arms the alarm after it; `Fire` sends
        // what is due first (the sweeper's backstop of a lost alarm).
        let schedules = match &command {
            Command::Insert { deliveries, .. } => deliveries.iter().any(|d| d.status == DeliveryStatus::Scheduled),
            Command::Cancel { .. } => true,
            Command::Fire => {
                self.fire(&sql).await?;
                false
            }
            _ => false,
        };
        let answer = self.run(&sql, command);
        if schedules {
            self.arm(&sql).await?;
        }
        match answer {
            Ok(r) => Ok(r),
            Err(Refusal::Api(e)) => Ok(error_response(&e, &request_id)),
            Err(Refusal::Platform(e)) => {
                console_error!("feed command failed: {e}");
                Ok(error_response(&ApiError::Internal, &request_id))
            }
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let sql = FeedSql::new(self.state.storage().sql());
        sql.create_schema()?;
        sql.create_schedule_schema()?;
        self.fire(&sql).await?;
        Response::ok("fired")
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        if matches!(message, WebSocketIncomingMessage::String(ref s) if s == "ping") {
            ws.send_with_str(r#"{"type":"pong"}"#)?;
        }
        Ok(())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _was_clean: bool) -> Result<()> {
        let code = if (1000..=4999).contains(&code) && code != 1005 && code != 1006 { code as u16 } else { 1000 };
        let _ = ws.close(Some(code), Some("closed"));
        self.update_online(-1).await
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: worker::Error) -> Result<()> {
        self.update_online(-1).await
    }
}

pub(super) enum Refusal {
    Api(ApiError),
    Platform(worker::Error),
}

impl From<worker::Error> for Refusal {
    fn from(e: worker::Error) -> Self {
        Refusal::Platform(e)
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Api(e)
    }
}

pub(super) fn json<T: Serialize>(value: &T) -> std::result::Result<Response, Refusal> {
    Ok(Response::from_json(value)?)
}

fn not_found(id: &str) -> Refusal {
    Refusal::Api(ApiError::NotFound { resource: "delivery", id: id.to_owned() })
}

impl Feed {
    fn run(&self, sql: &FeedSql, command: Command) -> std::result::Result<Response, Refusal> {
        match command {
            Command::Insert { deliveries, limit, options } => {
                let options = options.unwrap_or_default();
                // Known ids are repeats (a retried send): never counted or written again.
                let mut fresh = Vec::with_capacity(deliveries.len());
                let mut rate_limited = Vec::new();
                let mut skipped = Vec::new();
                for d in deliveries {
                    let stored = match sql.get(&d.id)? {
                        Some(s) => Some(s),
                        None => sql.held(&d.id)?,
                    };
                    match stored {
                        Some(stored) if stored.reason.as_deref() == Some(RATE_LIMITED) => rate_limited.push(stored.id),
                        Some(stored) if stored.reason.as_deref().is_some_and(schedule::is_repeat_reason) => {
                            skipped.push((stored.id, stored.reason.unwrap_or_default()))
                        }
                        Some(_) => {}
                        None => fresh.push(d),
                    }
                }
                if let Some(RecipientLimit { limit, refuse }) = limit {
                    let counter = sql.send_counter()?;
                    let (next, refusal) = limit_recipient(limit, counter, now_ms(), &mut fresh);
                    if let (true, Some(refused)) = (refuse, refusal) {
                        return json(&Inserted { meta: sql.meta()?, rate_limited, refused: Some(refused), skipped });
                    }
                    if next != counter {
                        sql.set_send_counter(next)?;
                    }
                    let skipped = fresh.iter().filter(|d| d.reason.as_deref() == Some(RATE_LIMITED));
                    rate_limited.extend(skipped.map(|d| d.id.clone()));
                }
                let now = now_ms();
                skipped.extend(schedule::repeats(sql, &mut fresh, &options, now)?);
                let mut created = Vec::new();
                for d in fresh {
                    if d.status == DeliveryStatus::Scheduled {
                        schedule::hold(sql, d, &options, now)?;
                    } else if sql.insert(&d)? {
                        created.push(Change::Created(d));
                    }
                }
                let meta = self.publish(sql, created)?;
                json(&Inserted { meta, rate_limited, refused: None, skipped })
            }
            Command::Cancel { notification_id } => json(&self.cancel(sql, &notification_id)?),
            Command::Fire => json(&serde_json::json!({})),
            Command::Get { id } => {
                let found = match sql.get(&id)? {
                    Some(d) => Some(d),
                    None => sql.held(&id)?,
                };
                json(&found.ok_or_else(|| not_found(&id))?)
            }
            Command::List { filter, limit, after, before } => json(&self.list(sql, &filter, limit, after, before)?),
            Command::Patch { id, patch, now } => {
                let mut d = sql.get(&id)?.ok_or_else(|| not_found(&id))?;
                if transition::apply_patch(&mut d, &patch, &now)? {
                    sql.save(&d)?;
                    self.publish(sql, vec![Change::Updated(d.clone())])?;
                }
                json(&d)
            }
            Command::Bulk { action, ids, filter, now } => {
                let filter = filter.unwrap_or_default();
                let mut changed = Vec::new();
                for mut d in sql.select(ids.as_deref(), &filter)? {
                    if transition::apply(&mut d, action, &now) {
                        sql.save(&d)?;
                        changed.push(Change::Updated(d));
                    }
                }
                let updated = changed.len() as u64;
                let meta = self.publish(sql, changed)?;
                json(&BulkResult { updated, meta })
            }
            Command::Status { id, status, reason, now, report } => {
                let mut d = sql.get(&id)?.ok_or_else(|| not_found(&id))?;
                if transition::can_advance(d.status, status) {
                    d.status = status;
                    d.reason = reason;
                    if let Some(r) = report {
                        (d.provider, d.provider_message_id) = (r.provider, r.provider_message_id);
                        (d.attempts, d.provider_code) = (r.attempts, r.provider_code);
                        d.segments = r.segments.or(d.segments);
                    }
                    if status == DeliveryStatus::Sent && d.sent_at.is_none() {
                        d.sent_at = Some(now.clone());
                    }
                    d.updated_at = now;
                    sql.save(&d)?;
                    self.publish(sql, vec![Change::Updated(d.clone())])?;
                }
                json(&d)
            }
            Command::Event { id, status, reason, code, now } => {
                let mut d = sql.get(&id)?.ok_or_else(|| not_found(&id))?;
                if transition::can_follow_event(d.status, status) {
                    d.status = status;
                    if status == tidings::model::DeliveryStatus::Failed {
                        (d.reason, d.provider_code) = (reason, code);
                    }
                    d.updated_at = now;
                    sql.save(&d)?;
                    self.publish(sql, vec![Change::Updated(d.clone())])?;
                }
                json(&d)
            }
            Command::Receipt { id, status, reason, provider_code, now } => {
                let mut d = sql.get(&id)?.ok_or_else(|| not_found(&id))?;
                if transition::can_finalize(d.status, status) {
                    (d.status, d.reason, d.updated_at) = (status, reason, now);
                    d.provider_code = provider_code.or(d.provider_code);
                    sql.save(&d)?;
                    self.publish(sql, vec![Change::Updated(d.clone())])?;
                }
                json(&d)
            }
            Command::Erase => {
                sql.erase()?;
                self.ready.set(false);
                self.schedule_ready.set(false);
                for ws in self.state.get_websockets() {
                    let _ = ws.close(Some(1000), Some("user deleted"));
                }
                json(&serde_json::json!({}))
            }
        }
    }

    fn list(
        &self,
        sql: &FeedSql,
        filter: &DeliveryFilter,
        limit: u32,
        after: Option<i64>,
        before: Option<i64>,
    ) -> Result<DeliveryPage<Box<RawValue>>> {
        let (rows, more) = sql.page(filter, limit, after, before)?;
        let (first, last) = (rows.first().map(|r| r.0), rows.last().map(|r| r.0));
        // Going back (`before`), "more" means newer items; otherwise older ones.
        let has_more_after = match (before, last) {
            (Some(_), Some(last)) => sql.exists_beyond(filter, last, false)?,
            (Some(b), None) => sql.exists_beyond(filter, b.saturating_add(1), false)?,
            (None, _) => more,
        };
        let has_more_before = match (before, first) {
            (Some(_), _) => more,
            (None, Some(first)) => after.is_some() && sql.exists_beyond(filter, first, true)?,
            (None, None) => {
                after.is_some_and(|a| sql.exists_beyond(filter, a.saturating_sub(1), true).unwrap_or(false))
            }
        };
        Ok(DeliveryPage {
            page: PageInfo {
                limit,
                after: last.filter(|_| has_more_after).map(|s| encode_token(TokenKind::Deliveries, s)),
                before: first.filter(|_| has_more_before).map(|s| encode_token(TokenKind::Deliveries, s)),
                has_more_after,
                has_more_before,
            },
            items: rows.into_iter().map(|(_, d)| d).collect(),
            meta: sql.meta()?,
        })
    }

    /// Logs the changes as events (plus the new counts) and sends them to every socket.
    pub(super) fn publish(&self, sql: &FeedSql, changes: Vec<Change>) -> Result<FeedMeta> {
        let meta = sql.meta()?;
        if changes.is_empty() {
            return Ok(meta);
        }
        let mut seq = sql.last_seq()?;
        let mut next = || {
            seq += 1;
            seq
        };
        let mut events = Vec::new();
        if changes.len() > MAX_UPDATE_EVENTS {
            events.push(FeedEvent::Reset { seq: next() });
        } else {
            for c in changes {
                events.push(match c {
                    Change::Created(delivery) => FeedEvent::Created { seq: next(), delivery },
                    Change::Updated(delivery) => FeedEvent::Updated { seq: next(), delivery },
                });
            }
        }
        events.push(FeedEvent::Counts { seq: next(), meta });
        let sockets = self.state.get_websockets();
        for ev in &events {
            let body = sql.append(ev)?;
            for ws in &sockets {
                let _ = ws.send_with_str(&body);
            }
        }
        Ok(meta)
    }

    /// Accepts a realtime socket: replays what a reconnecting client missed (or tells it to
    /// reset), then sends the current counts.
    async fn accept(&self, req: &Request, sql: &FeedSql, user_id: &str) -> Result<Response> {
        let since = req.url()?.query_pairs().find(|(k, _)| k == "since").and_then(|(_, v)| v.parse::<u64>().ok());
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        let last = sql.last_seq()?;
        if let Some(since) = since {
            let first = sql.first_seq()?;
            if since > last || (since < last && since + 1 < first) {
                pair.server.send(&FeedEvent::Reset { seq: last })?;
            } else {
                for body in sql.events_after(since)? {
                    pair.server.send_with_str(&body)?;
                }
            }
        }
        pair.server.send(&FeedEvent::Counts { seq: last, meta: sql.meta()? })?;
        if !user_id.is_empty() {
            self.update_online(0).await?;
        }
        Response::from_websocket(pair.client)
    }

    /// Records in the user directory whether any socket is open; `closing` sockets are still
    /// listed by the runtime while their close handler runs.
    async fn update_online(&self, closing: i64) -> Result<()> {
        let open = self.state.get_websockets().len() as i64 + closing;
        let sql = FeedSql::new(self.state.storage().sql());
        sql.create_schema()?;
        let Some(user_id) = sql.owner()? else {
            return Ok(());
        };
        let db = self.env.d1("DB")?;
        if let Err(e) = store::users::set_online(&db, &user_id, open > 0, now_ms()).await {
            console_error!("could not record online state: {}", e.0);
        }
        Ok(())
    }
}

pub(super) enum Change {
    Created(Delivery),
    Updated(Delivery),
}
