//! End-to-end tests: HTTP against a real `wrangler dev` (workerd, local D1 and Queues).

mod support;

mod browser_auth;
mod bulk;
mod deliveries;
mod errors;
mod meta;
mod notifications;
mod push_service;
mod realtime;
mod rotation;
mod subscriptions;
mod user_list;
mod users;
mod web_push;
